import type { Command } from "commander";
import type { CliIo } from "../io.js";

/** `ssh-log keygen` (alias `generate-key-pair`, ssh-log-cli's name). */
export function registerKeygen(program: Command, io: CliIo): void {
  program
    .command("keygen")
    .alias("generate-key-pair")
    .description("make an X25519 key pair: PATH (private, mode 0600) and PATH.pub (public), as ssh-log-cli does")
    .option("-o, --output <path>", "where to write the private key; the public key goes to PATH.pub", "sshkey")
    .option("--output-path <path>", "same as --output (ssh-log-cli's spelling)")
    .option("--force", "replace an existing key pair (recordings encrypted to the old key become unreadable)")
    .action(async (opts: { output: string; outputPath?: string; force?: boolean }) => {
      const { writeKeyPair } = await import("../../lib/crypto/write-key-pair.js");
      const path = opts.outputPath ?? opts.output;
      const r = await writeKeyPair(path, { force: opts.force === true });
      io.err(`Wrote the private key to ${r.privatePath} (mode 0600: keep it secret, it decrypts every recording made for it).`);
      io.err(`Wrote the public key to ${r.publicPath}; paste it into the dashboard as the SSH encryption public key:`);
      io.out(r.publicKeyText);
    });
}
