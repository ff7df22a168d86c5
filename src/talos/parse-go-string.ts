/**
 * Reverses Go's `%q` (strconv.Quote): talosctl prints the snapshot path that way. Escapes produce bytes
 * (`\xff`, octal) or code points (`\u00e9`, `\U0001f600`); the bytes are decoded as UTF-8 at the end,
 * because `%q` writes a non-UTF-8 path byte by byte.
 */

const SIMPLE: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
  '"': 0x22,
};

const HEX_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Returns null when `quoted` is not one complete Go double-quoted string literal. */
export function unquoteGoString(quoted: string): string | null {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return null;
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 0;
  while (i < body.length) {
    const char = body[i] ?? "";
    if (char === '"' || char === "\n") return null;
    if (char !== "\\") {
      const codePoint = body.codePointAt(i) ?? 0;
      const text = String.fromCodePoint(codePoint);
      bytes.push(...encoder.encode(text));
      i += text.length;
      continue;
    }
    const kind = body[i + 1] ?? "";
    const simple = SIMPLE[kind];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    const hexLength = HEX_LENGTH[kind];
    if (hexLength !== undefined) {
      const digits = body.slice(i + 2, i + 2 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) return null;
      const value = Number.parseInt(digits, 16);
      if (kind === "x") bytes.push(value);
      else if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return null;
      else bytes.push(...encoder.encode(String.fromCodePoint(value)));
      i += 2 + hexLength;
      continue;
    }
    const octal = body.slice(i + 1, i + 4);
    if (/^[0-3][0-7]{2}$/.test(octal)) {
      bytes.push(Number.parseInt(octal, 8));
      i += 4;
      continue;
    }
    return null;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
