import type { Terminal as TerminalType, ITerminalOptions, ITerminalInitOnlyOptions } from "@xterm/headless";
import type { SerializeAddon as SerializeAddonType } from "@xterm/addon-serialize";

/** The emulator's classes, loaded on first use (they are heavy; `ssh-log --help` must stay fast). */
export interface XtermModules {
  Terminal: new (options?: ITerminalOptions & ITerminalInitOnlyOptions) => TerminalType;
  SerializeAddon: new () => SerializeAddonType;
}

let loaded: Promise<XtermModules> | null = null;

/**
 * Imports @xterm/headless and @xterm/addon-serialize once. Both are CommonJS: their classes hang
 * off the default export (a named ESM import fails at run time).
 *
 * @example const { Terminal } = await loadXterm(); const t = new Terminal({ cols: 80, rows: 24 });
 */
export function loadXterm(): Promise<XtermModules> {
  loaded ??= (async () => {
    const [xterm, serialize] = await Promise.all([import("@xterm/headless"), import("@xterm/addon-serialize")]);
    const x = (xterm as unknown as { default?: { Terminal: XtermModules["Terminal"] } }).default ?? (xterm as unknown as { Terminal: XtermModules["Terminal"] });
    const s = (serialize as unknown as { default?: { SerializeAddon: XtermModules["SerializeAddon"] } }).default ?? (serialize as unknown as { SerializeAddon: XtermModules["SerializeAddon"] });
    return { Terminal: x.Terminal, SerializeAddon: s.SerializeAddon };
  })();
  return loaded;
}
