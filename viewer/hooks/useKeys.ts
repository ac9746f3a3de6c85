import { useRef } from "react";
import { useInput } from "ink";
import { splitKeys, type KeyInfo } from "../logic/keymap.js";

/**
 * Ink's useInput, one call per key press even when several arrive in one read (fast typing,
 * key repeat, paste). `isActive` is checked when a key arrives rather than by subscribing and
 * unsubscribing: Ink leaves raw mode when no hook is subscribed, and a key typed in that gap
 * (or a lone Esc waiting to be told from an escape sequence) would be lost.
 *
 * @example useKeys((input, key) => { if (input === "q") quit(); }, { isActive: true });
 */
export function useKeys(handler: (input: string, key: KeyInfo) => void, opts: { isActive?: boolean } = {}): void {
  const active = useRef(opts.isActive !== false);
  active.current = opts.isActive !== false;
  useInput((input, key) => {
    if (!active.current) return;
    for (const [i, k] of splitKeys(input, key)) handler(i, k);
  });
}
