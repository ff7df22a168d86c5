/**
 * Sizes as talosctl prints them: go-humanize v1.0.1 `Bytes` (the release Talos pins), decimal units.
 * The printed form is lossy (2 GiB prints as `2.1 GB`), so parsing gives the value as printed, not the
 * original byte count.
 */
import { ParseError } from "../errors.js";

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"] as const;

const SIZE_PATTERN = /^(\d+)(?:\.(\d+))? (B|kB|MB|GB|TB|PB|EB)$/;

/**
 * `6.2 MB` -> 6200000. Integer arithmetic on the digits keeps `6.2 MB` exact (6.2 * 1e6 in floating point
 * is 6200000.000000001). Throws ParseError naming `command` and quoting the text.
 */
export function parseSize(text: string, command = "etcd status"): number {
  const match = SIZE_PATTERN.exec(text);
  if (match === null) throw new ParseError(command, "not a size", text);
  const [, whole = "", fraction = "", unit = "B"] = match;
  const exponent = UNITS.indexOf(unit as (typeof UNITS)[number]) * 3;
  if (fraction.length > exponent)
    throw new ParseError(command, "size has more decimals than its unit allows", text);
  const digits = BigInt(whole + fraction) * 10n ** BigInt(exponent - fraction.length);
  // Above 2^53 (several PB) the nearest double is as good as the lossy printed value anyway.
  return Number(digits);
}

/**
 * Prints exactly what go-humanize v1.0.1 `Bytes` prints: `N B` under 10 bytes, otherwise the value rounded
 * to tenths (floor(x*10+0.5)), shown with one decimal below 10 and as an integer from 10 up. The integer
 * form goes through Go's `%.0f`, which breaks an exact `.5` tie towards the even digit (22.5 -> `22`).
 * The unit comes from floor(log(n)/log(1000)) just like Go, so `999950` prints as `1000 kB`.
 * Negative or fractional inputs (derived values such as a free-space estimate) are rounded and signed.
 */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const rounded = Math.round(bytes);
  if (rounded < 0) return `-${formatSize(-rounded)}`;
  if (rounded < 10) return `${rounded} B`;
  const exponent = Math.min(Math.floor(Math.log(rounded) / Math.log(1000)), UNITS.length - 1);
  const unit = UNITS[exponent] ?? "EB";
  const tenths = Math.floor((rounded / 1000 ** exponent) * 10 + 0.5);
  if (tenths < 100) return `${Math.floor(tenths / 10)}.${tenths % 10} ${unit}`;
  const whole = Math.floor(tenths / 10);
  const rest = tenths % 10;
  const roundUp = rest > 5 || (rest === 5 && whole % 2 === 1);
  return `${roundUp ? whole + 1 : whole} ${unit}`;
}
