#!/usr/bin/env node
// Launcher only. CommonJS (bin/package.json), as is the CLI bundle it loads: both start faster
// than ES modules. The bundle is dist/cli/bundle/, built from dist/cli/main.js by `npm run build`
// (run by `npm ci`); see rolldown.config.mjs.
"use strict";
const { run } = require("../dist/cli/bundle/ssh-log.cjs");

// A reader that goes away (`ssh-log ... | head`) is not an error: stop quietly, as `cat` users expect.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
}

run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
