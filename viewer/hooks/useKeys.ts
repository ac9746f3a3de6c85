import { useInput } from "ink";
import { splitKeys, type KeyInfo } from "../logic/keymap.js";

/**
 * Ink's useInput, one call per key press even when several arrive in one read (fast typing,
 * key repeat, paste).
 *
 * @example useKeys((input, key) => { if (input === "q") quit(); }, { isActive: true });
 */
export function useKeys(handler: (input: string, key: KeyInfo) => void, opts: { isActive?: boolean } = {}): void {
  useInput((input, key) => {
    for (const [i, k] of splitKeys(input, key)) handler(i, k);
  }, opts);
}
