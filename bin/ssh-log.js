#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli/main.js, built by `npm run build` (run by `npm ci`).
import { run } from "../dist/cli/main.js";

process.exitCode = await run(process.argv.slice(2));
