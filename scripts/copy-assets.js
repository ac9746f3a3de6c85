// Copies non-TypeScript assets that the built code reads at run time (report .sql files) into dist/.
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const assets = [["lib/audit/reports", "dist/lib/audit/reports"], ["lib/audit/sql", "dist/lib/audit/sql"]];
for (const [from, to] of assets) {
  const src = join(root, from);
  if (!existsSync(src)) continue;
  mkdirSync(join(root, to), { recursive: true });
  for (const f of readdirSync(src)) cpSync(join(src, f), join(root, to, f), { recursive: true });
}
