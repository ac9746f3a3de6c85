/**
 * Small pieces of the sentences ssh-log prints.
 *
 * @example plural(1, "block")  // "1 block"
 */

/** `n` and the noun, singular for exactly one. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a capture's read opened: "2010 blocks, 25 packets". */
export function blocksAndPackets(outcome: { blocks: number; events: number }): string {
  return `${plural(outcome.blocks, "block")}, ${plural(outcome.events, "packet")}`;
}
