import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { registerKeygen } from "./keygen.js";
import { registerDecrypt } from "./decrypt.js";
import { registerInspect } from "./inspect.js";
import { registerExport } from "./export.js";
import { registerReplay } from "./replay.js";
import { registerView } from "./view.js";
import { registerProxy } from "./proxy.js";
import { registerIndex } from "./index-cmd.js";
import { registerQuery } from "./query.js";
import { registerReport } from "./report.js";
import { registerSearch } from "./search.js";
import { registerExportParquet } from "./export-parquet.js";

/** Every command, in the order `ssh-log --help` lists them. */
export function registerCommands(program: Command, io: CliIo): void {
  registerKeygen(program, io);
  registerDecrypt(program, io);
  registerInspect(program, io);
  registerReplay(program, io);
  registerExport(program, io);
  registerView(program, io);
  registerProxy(program, io);
  registerIndex(program, io);
  registerQuery(program, io);
  registerReport(program, io);
  registerSearch(program, io);
  registerExportParquet(program, io);
}

/** Lets an action set the exit code without throwing (e.g. partial results that were written). */
export function setExitCode(cmd: Command, code: number): void {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const r = root as Command & { sshLogExitCode?: number };
  r.sshLogExitCode = Math.max(r.sshLogExitCode ?? 0, code);
}
