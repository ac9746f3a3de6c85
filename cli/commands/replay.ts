import type { Command } from "commander";
import { UsageError } from "../../lib/errors.js";
import type { CliIo } from "../io.js";
import { ExitCode, exitCodeFor } from "../handle-error.js";
import { setExitCode } from "./index.js";
import { logpushPath } from "./logpush-path.js";

interface ReplayFlags {
  identity?: string;
  log?: string;
  logpush?: string;
  session?: string;
  speed: string;
  idleLimit?: string;
  from?: string;
}

/** `ssh-log replay`: watch a session in the terminal, with pause, speed, seeking and command jumps. */
export function registerReplay(program: Command, io: CliIo): void {
  program
    .command("replay")
    .description("watch a session in this terminal: pause, speed, seek back and forth, jump between commands")
    .argument("[input]", "the session: an encrypted capture (with -i KEY), a decrypted zip or a .cast file")
    .option("-i, --identity <file>", "the private key, for an encrypted capture")
    .option("-l, --log <file>", "the session (instead of the argument)")
    .option("--logpush <path>", "a Logpush ssh_logs export (file or folder) to read the session from")
    .option("--session <id>", "with --logpush: the SessionID or ProgramID to replay")
    .option("-s, --speed <n>", "playback speed (0.25 to 32)", "1")
    .option("--idle-limit <seconds>", "show pauses longer than this as this long")
    .option("--from <time>", "start at this moment of the recording: seconds, m:ss or h:mm:ss")
    .addHelpText("after", `
Keys: space pause/play · + - (or > <) speed · . one event forward (paused) · ← → 5 s back/forward
      ] [ next/previous command · 0 start · G end · q quit
Without a terminal (piped), the recorded output is written at full speed; with --from, the screen
at that moment comes first, then the output that followed.`)
    .action(async (arg: string | undefined, flags: ReplayFlags, cmd: Command) => {
      const paths = [flags.log, arg].filter((p) => p !== undefined);
      if (flags.logpush === undefined && paths.length === 0) throw new UsageError("No session given; pass it with -l LOG (and -i KEY for an encrypted capture).");
      const logpush = logpushPath(flags, paths, "a session file");
      const path = logpush ?? paths[0]!;
      const speed = Number(flags.speed);
      if (!Number.isFinite(speed) || speed < 0.25 || speed > 32) throw new UsageError(`--speed ${flags.speed} is not a speed from 0.25 to 32; give e.g. --speed 2.`);
      const idle = flags.idleLimit === undefined ? null : Number(flags.idleLimit);
      if (idle !== null && !(Number.isFinite(idle) && idle > 0)) throw new UsageError(`--idle-limit ${flags.idleLimit} is not a number of seconds above 0; give e.g. --idle-limit 2.`);
      const { formatTime, parseTime } = await import("../../lib/replay/timeline.js");
      const from = flags.from === undefined ? 0 : parseTime(flags.from);
      if (from === null) throw new UsageError(`--from ${flags.from} is not a time; give seconds (90), m:ss (1:30) or h:mm:ss, with seconds and minutes after a colon below 60.`);

      const { openSession } = await import("../../lib/session/open-any.js");
      const session = await openSession(path, {
        keyPath: flags.identity, warn: (m) => io.err(m), swapAdvice: "-i KEY -l LOG",
        ...(logpush !== undefined ? { logpush: true, logpushSession: flags.session } : {}),
      });
      const report = (): void => {
        const e = session.outcome.error;
        if (!e) return;
        io.err(`ssh-log: ${e.message} [${e.code}]`);
        io.err("The replay showed what could be read.");
        setExitCode(cmd, exitCodeFor(e.code) || ExitCode.Partial);
      };
      const { pipeReplay, pipeReplayFrom, runReplay } = await import("../../lib/replay/run-replay.js");
      const piped = io.stdout.isTTY !== true;
      if (piped && from === 0) {
        await pipeReplay(session, io.stdout); // a reader that goes away (`| head`): bin/ssh-log.js exits quietly
        report();
        return;
      }
      const { TerminalPlayer } = await import("../../lib/terminal/player.js");
      const player = await TerminalPlayer.load(session);
      try {
        if (from > player.duration) {
          throw new UsageError(`--from ${flags.from} is past the end of ${path}, which lasts ${formatTime(player.duration)}; give a time up to that.`);
        }
        if (piped) {
          await pipeReplayFrom(player, from, io.stdout);
        } else {
          const { interrupted } = await runReplay(player, { input: io.stdin, output: io.stdout }, {
            speed, idleLimitMicros: idle === null ? null : Math.round(idle * 1e6), fromMicros: from, exitAtEnd: io.stdin.isTTY !== true,
          });
          if (interrupted) setExitCode(cmd, ExitCode.Interrupted);
          const cols = io.stdout.columns ?? 80;
          const rows = io.stdout.rows ?? 24;
          if (cols < player.cols || rows - 1 < player.rows) {
            io.err(`The recording is ${player.cols}x${player.rows} but this terminal is ${cols}x${rows}, so the replay was cropped; enlarge the terminal to see all of it.`);
          }
        }
      } finally {
        player.dispose();
      }
      report();
    });
}
