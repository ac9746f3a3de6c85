// pretest: makes sure the system programs the end-to-end tests drive are installed: OpenSSH
// server and client (proxy tests), asciinema (cast files must play), tmux (real-terminal tests),
// scriptreplay and script (bsdutils). As root with apt it installs what is missing; otherwise it fails with
// one sentence naming what to install. Tests never skip silently for want of these.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const needs = [
  { bin: ["/usr/sbin/sshd"], pkg: "openssh-server" },
  { bin: ["ssh", "scp", "ssh-keygen"], pkg: "openssh-client" },
  { bin: ["asciinema"], pkg: "asciinema" },
  { bin: ["tmux"], pkg: "tmux" },
  { bin: ["scriptreplay", "script"], pkg: "bsdutils" },
];

function has(bin) {
  if (bin.startsWith("/")) return existsSync(bin);
  return spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
}

const missing = [...new Set(needs.filter((n) => !n.bin.every(has)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = has("apt-get");
if (!isRoot || !hasApt) {
  console.error(`The tests need ${missing.join(", ")}; install ${missing.length > 1 ? "them" : "it"} (e.g. sudo apt-get install -y ${missing.join(" ")}) and run npm test again.`);
  process.exit(1);
}
console.error(`Installing ${missing.join(", ")} for the end-to-end tests...`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
try {
  execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: ["ignore", "ignore", "inherit"], env });
} catch {
  console.error(`Installing ${missing.join(", ")} with apt-get failed; install ${missing.length > 1 ? "them" : "it"} by hand and run npm test again.`);
  process.exit(1);
}
const still = needs.filter((n) => !n.bin.every(has)).map((n) => n.pkg);
if (still.length) {
  console.error(`${still.join(", ")} still missing after apt-get install; install by hand and run npm test again.`);
  process.exit(1);
}
