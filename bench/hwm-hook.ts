// Preloaded (node --import) into a child the bench measures: on exit, writes the process's peak
// resident set size (VmHWM, in kB) to the file named by SSH_LOG_BENCH_HWM.
import { readFileSync, writeFileSync } from "node:fs";

const target = process.env.SSH_LOG_BENCH_HWM;
if (target) {
  process.on("exit", () => {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    writeFileSync(target, m ? m[1]! : "0");
  });
}
