/**
 * Colours, or none: with NO_COLOR set every colour is dropped and only inverse and bold remain
 * (https://no-color.org), so the cursor row is still visible.
 */
import { createContext, useContext } from "react";

export interface Theme {
  /** A colour name for Ink's Text, or undefined when colours are off. */
  color(name: "red" | "yellow" | "green" | "cyan" | "magenta" | "blue" | "gray"): string | undefined;
  /** Whether colours are on. */
  readonly enabled: boolean;
}

/**
 * A theme for an environment: colours off when NO_COLOR is set to anything non-empty.
 *
 * @example themeFor(process.env).enabled
 */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  const enabled = !(env.NO_COLOR !== undefined && env.NO_COLOR !== "");
  return { enabled, color: (name) => (enabled ? name : undefined) };
}

export const ThemeContext = createContext<Theme>(themeFor({}));

/**
 * The current theme.
 *
 * @example const theme = useTheme(); <Text color={theme.color("red")}>…</Text>
 */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}
