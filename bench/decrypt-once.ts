// Child process for the start-up target: loads the decrypt modules first (untimed), then times one
// decrypt of argv[2] with key argv[3] into argv[4], cold as the CLI runs it, and prints seconds.
import { candidateDecrypt } from "./targets/decrypt.js";

const [log, key, out] = process.argv.slice(2);
if (!log || !key || !out) throw new Error("usage: decrypt-once LOG KEY OUT.zip");
const t = process.hrtime.bigint();
await candidateDecrypt(log, key, out);
process.stdout.write(`${Number(process.hrtime.bigint() - t) / 1e9}\n`);
