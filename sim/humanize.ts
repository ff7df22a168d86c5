/**
 * Go's number formatting as talosctl uses it, written independently of the product's parser:
 * go-humanize `Bytes` (SI units) and fmt's `%.Nf` (round half to even on exact binary ties).
 */

const SI_SUFFIXES = ["B", "kB", "MB", "GB", "TB", "PB", "EB"] as const;

/** fmt.Sprintf("%.<digits>f", x) for x >= 0. JS toFixed breaks exact ties upwards; Go picks the even digit. */
export function formatFixed(x: number, digits: number): string {
  const plain = x.toFixed(digits);
  // The exact decimal expansion decides whether x sits exactly halfway between two outputs.
  const expanded = Math.abs(x).toFixed(Math.min(100, digits + 40));
  const tail = expanded.slice(expanded.length - 40);
  if (!/^50*$/.test(tail)) return plain;
  const lastDigit = Number(plain.charAt(plain.length - 1));
  if (lastDigit % 2 === 0) return plain;
  // toFixed rounded the tie up onto an odd digit: Go would have stayed on the even one below.
  return (x - 10 ** -digits / 2).toFixed(digits);
}

/** go-humanize Bytes: 1000-based, one decimal below 10, none from 10 up, "N B" under 10 bytes. */
export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const suffix = SI_SUFFIXES[exponent] ?? "EB";
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return value < 10 ? `${formatFixed(value, 1)} ${suffix}` : `${formatFixed(value, 0)} ${suffix}`;
}

/** `%016x` of a uint64 given as a decimal string (the etcd gateway sends 64-bit ints as strings). */
export function formatMemberId(decimal: string | bigint): string {
  return BigInt(decimal).toString(16).padStart(16, "0");
}

/** Go's %q for a plain path: double quotes with backslash escapes. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}
