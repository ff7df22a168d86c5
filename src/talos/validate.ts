/**
 * Validation of everything we hand to talosctl. talosctl parses its argv with cobra: a value that starts
 * with "-" would be read as a flag, so such values are refused before any process starts.
 */
import { isIP } from "node:net";
import { UserError } from "../errors.js";

const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: we are looking for control characters on purpose
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A node or endpoint must be an IP address or a hostname (optionally with :port for endpoints). */
export function validateNode(value: string, flag = "--nodes"): string {
  const bare = value.trim();
  if (bare === "" || !(isIP(stripBrackets(bare)) || HOSTNAME.test(bare))) {
    throw new UserError(
      `invalid ${flag} value ${showValue(value)}: not an IP address or hostname`,
      "give nodes as IP addresses or DNS names, comma separated, e.g. -n 10.5.0.2,10.5.0.3",
    );
  }
  return bare;
}

export function validateEndpoint(value: string): string {
  const bare = value.trim();
  const withoutPort = bare.replace(/^\[(.+)\](:\d+)?$/, "$1").replace(/^([^:]+):\d+$/, "$1");
  validateNode(withoutPort, "--endpoints");
  return bare;
}

/** Split "a,b" and repeated flags into a validated, de-duplicated list. */
export function parseNodeList(
  values: readonly string[],
  validate: (v: string) => string = validateNode,
): string[] {
  const out: string[] = [];
  for (const value of values) {
    // `-n ''` (an unset shell variable) must not fall back to discovery: a value that names no node is refused.
    if (value.split(",").every((part) => part.trim() === "")) {
      const flag = validate === validateNode ? "--nodes" : "--endpoints";
      throw new UserError(
        `invalid ${flag} value ${showValue(value)}: no node in it`,
        `give nodes as IP addresses or DNS names, comma separated, e.g. ${flag === "--nodes" ? "-n" : "-e"} 10.5.0.2,10.5.0.3; leave ${flag} out to discover them`,
      );
    }
    for (const part of value.split(",")) {
      if (part.trim() === "") continue;
      const node = validate(part);
      if (!out.includes(node)) out.push(node);
    }
  }
  return out;
}

/** Paths and context names: no leading "-" (flag injection) and no control characters. */
export function validateArgValue(value: string, flag: string): string {
  if (value === "" || value.startsWith("-") || CONTROL.test(value)) {
    throw new UserError(
      `invalid ${flag} value ${showValue(value)}: must not be empty, start with "-" or contain control characters`,
      flag.endsWith("dir") || flag === "--talosconfig"
        ? "use ./name for a relative path that starts with -"
        : undefined,
    );
  }
  return value;
}

function stripBrackets(value: string): string {
  return value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
}

/** Quotes a refused value for the error message with every control character visible (JSON leaves DEL raw). */
function showValue(value: string): string {
  return JSON.stringify(value).replace(/\u007f/g, "\\u007f");
}
