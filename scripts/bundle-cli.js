// Builds the CLI bundle (dist/cli/bundle/) from dist/cli/main.js; see rolldown.config.mjs for why.
// Quiet on success (rolldown's own CLI lists every chunk); warnings and errors are printed.
import { rmSync } from "node:fs";
import { build } from "rolldown";
import config from "../rolldown.config.mjs";

// Chunk names carry content hashes: start empty, so no chunk of an older build lingers.
rmSync(config.output.dir, { recursive: true, force: true });
await build({ ...config, onLog: (level, log) => console.error(`rolldown ${level}: ${log.message}`), write: true });
