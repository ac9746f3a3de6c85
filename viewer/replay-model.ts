/**
 * What the replay pane needs from a recording: its screen at any moment, its length, its
 * commands and a search over what it printed. Built from a Session by loadReplay.
 */
import type { Run } from "./logic/cells.js";
import type { CommandEntry } from "./source.js";

/** The recorded terminal at one moment. */
export interface ReplayScreen {
  lines: string[];
  /** The same rows with their colours and attributes, when the emulator gives them. */
  runs?: Run[][];
  cursorX: number;
  cursorY: number;
}

export interface ReplayModel {
  /** The recording's terminal size. */
  readonly cols: number;
  readonly rows: number;
  /** Microseconds from the start to the last event. */
  readonly duration: number;
  readonly commands: readonly CommandEntry[];
  /** When each output event happened, sorted (for skipping idle gaps). */
  readonly outputTimes: readonly number[];
  /** A problem met while reading (the file is cut): what was read before it still plays. */
  readonly problem: { code: string; message: string } | null;
  /** The screen as it was at `micros`. */
  seek(micros: number): Promise<ReplayScreen>;
  /** The moments a text appeared in the output, case-insensitive, sorted. */
  search(text: string): number[];
  dispose(): void;
}
