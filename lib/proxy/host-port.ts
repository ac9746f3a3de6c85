import { UsageError } from "../errors.js";
import type { HostPort } from "./start-proxy.js";

/**
 * Parses `host:port`, `[v6]:port`, `host` (with `defaultPort`) or `:port` (loopback) as the
 * proxy's --listen and --upstream flags take them.
 *
 * @example parseHostPort("10.0.0.5", "--upstream", 22)  // { host: "10.0.0.5", port: 22 }
 */
export function parseHostPort(text: string, flag: string, defaultPort?: number): HostPort {
  const t = text.trim();
  const m = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(t) ?? /^([^:\s]*)(?::(\d+))?$/.exec(t);
  const host = m?.[1] === "" ? "127.0.0.1" : m?.[1];
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!host || port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not HOST:PORT (for example 127.0.0.1:2222, or [::1]:2222).`);
  }
  return { host, port };
}
