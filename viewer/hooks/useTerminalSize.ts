import { useEffect, useState } from "react";
import { useStdout } from "ink";

/** Columns and rows of the terminal. */
export interface TerminalSize { columns: number; rows: number }

/**
 * The terminal's size, updated when it is resized (80x24 when the stream does not say).
 *
 * @example const { columns, rows } = useTerminalSize();
 */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => { setSize(read()); };
    stdout.on("resize", onResize);
    return () => { stdout.off("resize", onResize); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}
