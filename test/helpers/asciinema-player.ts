import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

export interface PlayerLoad { duration: number; markers: Array<[number, string]>; cols?: number; rows?: number }

/**
 * Loads a .cast text with asciinema-player's own core (the code the web player runs, without a
 * DOM): resolves with what the player reports as the recording's metadata, rejects with the
 * player's parse error. The package is pinned, and its core chunk is found by name pattern.
 */
export async function loadInAsciinemaPlayer(castText: string): Promise<PlayerLoad> {
  const dist = dirname(createRequire(import.meta.url).resolve("asciinema-player"));
  const chunk = readdirSync(dist).find((f) => /^core-.*\.js$/.test(f));
  if (!chunk) throw new Error(`asciinema-player's core chunk was not found in ${dist}`);
  const mod = (await import(pathToFileURL(join(dist, chunk)).href)) as { C: new (src: unknown, opts: unknown) => PlayerCore };
  const quiet = (): void => undefined;
  const core = new mod.C({ data: castText }, { logger: { debug: quiet, info: quiet, warn: quiet, error: quiet }, preload: true, autoPlay: false, speed: 1, loop: false });
  let meta: PlayerLoad | null = null;
  let failure: unknown = null;
  core.addEventListener("metadata", (m: PlayerLoad) => { meta = m; });
  core.addEventListener("error", (e: unknown) => { failure = e; });
  core.terminalReady();
  await core.init();
  if (failure) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
  if (meta === null) throw new Error("asciinema-player reported no metadata for the recording");
  return meta;
}

interface PlayerCore {
  addEventListener(name: string, fn: (arg: never) => void): void;
  terminalReady(): void;
  init(): Promise<unknown>;
}
