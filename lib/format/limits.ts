/**
 * Size limits for the parsers. A length field in a hostile file may claim up to 4 GiB; nothing is
 * allocated past these limits, and exceeding one is an ERR_LIMIT error that names the limit.
 */
export interface ParseLimits {
  /** Largest header (the base64 metadata) accepted, in bytes. */
  maxHeaderBytes: number;
  /** Largest block (ciphertext) accepted, in bytes. */
  maxBlockBytes: number;
  /** Largest packet (after its length field) accepted, in bytes. */
  maxPacketBytes: number;
}

/** Defaults: far above what any recorder writes (ssh-log writes 64 KiB blocks), far below 4 GiB. */
export const DEFAULT_LIMITS: ParseLimits = {
  maxHeaderBytes: 1 << 20,
  maxBlockBytes: 64 << 20,
  maxPacketBytes: 64 << 20,
};

/** Length of a ChaCha20-Poly1305 tag: every block is at least this long. */
export const TAG_BYTES = 16;
/** Bytes of a packet header after its u32 length: source (1), code (4), elapsed (8). */
export const PACKET_HEADER_BYTES = 13;

/**
 * The widest and tallest terminal, in cells: the most a .cast header may claim, and the largest
 * terminal the emulator makes whatever a capture header or zip start line claims (at 100000x100000
 * xterm allocated its 10^10 cells, with no end in minutes). Far beyond any real screen.
 */
export const MAX_TERMINAL_SIZE = 10_000;
