// The CLI as one CommonJS bundle (dist/cli/bundle/), built after tsc by `npm run build`.
//
// Why: `ssh-log --help` and `ssh-log decrypt` start within 1.5x of `node -e 0` only when Node does
// not resolve and load ~40 ES modules of ours and commander's one by one (see BENCHMARKS.md,
// start-up). bin/ssh-log.js is CommonJS (bin/package.json) and requires the bundle; commands load
// their heavy parts lazily, as code-split chunks.
//
// What stays outside: npm dependencies (loaded from node_modules as before, commander excepted),
// and the terminal UI (dist/viewer/), because Ink is ESM-only with top-level await and cannot be
// required: `ssh-log view` imports it from dist/ at run time. Modules that find files next to
// themselves (`new URL("./reports/", import.meta.url)`) keep their dist/ location, so assets
// resolve exactly as in the unbundled build.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "rolldown";

const root = fileURLToPath(new URL(".", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const bundled = new Set(["commander"]);
const packages = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => !bundled.has(d));
const outDir = join(root, "dist/cli/bundle");
const viewerDir = join(root, "dist/viewer/");

export default defineConfig({
  input: { "ssh-log": join(root, "dist/cli/main.js") },
  platform: "node",
  makeAbsoluteExternalsRelative: false,
  external: (id) => id.startsWith("node:") || id.startsWith(viewerDir) || packages.some((d) => id === d || id.startsWith(`${d}/`)),
  plugins: [{
    name: "module-urls-from-dist",
    transform(code, id) {
      if (!code.includes("import.meta.url")) return null;
      // The helpers come in as imports, which the bundler renames around the module's own names: a
      // bare require(...) here would bind to a local `require` (pty-modes has one) and throw.
      const rel = JSON.stringify(relative(outDir, id));
      const helpers = 'import { pathToFileURL as moduleFileUrl } from "node:url"; import { join as moduleJoin } from "node:path";\n';
      return helpers + code.replaceAll("import.meta.url", `moduleFileUrl(moduleJoin(__dirname, ${rel})).href`);
    },
  }],
  output: {
    dir: outDir,
    format: "cjs",
    entryFileNames: "[name].cjs",
    chunkFileNames: "[name]-[hash].cjs",
    paths: (id) => (id.startsWith(viewerDir) ? relative(outDir, id) : id),
  },
});
