/** Parsing of flag values: durations (30s, 5m, 1m30s, 250ms) and sizes (8GiB, 2GB, 2147483648). */
import { UserError } from "../errors.js";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Go-style duration; a bare number means seconds. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UserError(`invalid ${flag} ${JSON.stringify(text)}: expected a duration like 30s, 5m or 1m30s`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? "s"] ?? 1000), 0));
}

export function parseSizeArg(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const factor = match ? SIZE_UNITS[(match[2] ?? "").toLowerCase()] : undefined;
  if (!match || factor === undefined || Number(match[1]) <= 0) {
    throw new UserError(
      `invalid ${flag} ${JSON.stringify(text)}: expected a size like 8GiB, 2GB or 2147483648`,
    );
  }
  // A size is a count of bytes: a value that rounds to none (0.4, 0.4B, 0.0001KB) would make every use of it 0.
  const bytes = Math.round(Number(match[1]) * factor);
  if (bytes < 1)
    throw new UserError(
      `invalid ${flag} ${JSON.stringify(text)}: ${bytes} bytes after rounding; a size must be at least 1 byte`,
    );
  return bytes;
}

export function parseCount(text: string, flag: string, min = 0): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UserError(
      `invalid ${flag} ${JSON.stringify(text)}: expected a whole number of at least ${min}`,
    );
  }
  return Number(text);
}

export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UserError(`invalid ${flag} ${JSON.stringify(text)}: expected one of ${choices.join(", ")}`);
  }
  return text as T;
}
