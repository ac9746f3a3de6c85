#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli/main.js, built by `npm run build` (run by `npm ci`).
import { run } from "../dist/cli/main.js";

// A reader that goes away (`ssh-log ... | head`) is not an error: stop quietly, as `cat` users expect.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await run(process.argv.slice(2));
