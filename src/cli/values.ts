/**
 * Flag values as zod schemas: durations (30s, 5m, 1m30s, 250ms), sizes (8GiB, 2GB, 2147483648), counts and
 * choices. Each schema is the grammar of docs/CONTRACT.md ("Value formats") and yields the value in the unit the
 * code uses; a value it refuses is a UserError (exit 2) that names the flag, quotes the value and shows the form.
 */
import * as z from "zod/mini";
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

/** Go-style: one or more <number><unit> (ms, s, m, h), as `1m30s`; a bare number is seconds. -> milliseconds. */
export const durationValue = z.pipe(
  z.string().check(z.trim(), z.regex(/^(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:ms|s|m|h))+)$/)),
  z.transform((text) =>
    /^[\d.]+$/.test(text)
      ? Math.round(Number(text) * 1000)
      : Math.round(
          [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce(
            (sum, [, n, unit]) => sum + Number(n) * (DURATION_UNITS[unit ?? "s"] ?? 1000),
            0,
          ),
        ),
  ),
);

/** A number with an optional unit, case-insensitive (KB… powers of 1000, KiB… of 1024). -> bytes, not yet rounded. */
const sizeAmount = z.pipe(
  z.string().check(z.trim(), z.regex(/^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?$/i)),
  z.transform((text) => {
    const [, number, unit] = /^([\d.]+)\s*([a-z]*)$/i.exec(text) ?? [];
    return Number(number) * (SIZE_UNITS[(unit ?? "").toLowerCase()] ?? Number.NaN);
  }),
);

/** A size of at least one whole byte. -> bytes. */
export const sizeValue = z.pipe(z.pipe(sizeAmount, z.transform(Math.round)), z.number().check(z.positive()));

/** A whole number of at least `min`. */
export const countValue = (min: number) =>
  z.pipe(
    z.pipe(z.string().check(z.trim(), z.regex(/^\d+$/)), z.transform(Number)),
    z.int().check(z.gte(min)),
  );

/** The value a schema gives, else the flag's own UserError. */
function parseFlag<T>(schema: z.ZodMiniType<T>, text: string, problem: () => string): T {
  const result = schema.safeParse(text);
  if (!result.success) throw new UserError(problem());
  return result.data;
}

export function parseDuration(text: string, flag: string): number {
  return parseFlag(
    durationValue,
    text,
    () => `invalid ${flag} ${JSON.stringify(text)}: expected a duration like 30s, 5m or 1m30s`,
  );
}

export function parseSizeArg(text: string, flag: string): number {
  return parseFlag(sizeValue, text, () => {
    const amount = sizeAmount.safeParse(text);
    // A size is a count of bytes: a value that rounds to none (0.4, 0.4B, 0.0001KB) would make every use of it 0.
    return amount.success && amount.data > 0
      ? `invalid ${flag} ${JSON.stringify(text)}: 0 bytes after rounding; a size must be at least 1 byte`
      : `invalid ${flag} ${JSON.stringify(text)}: expected a size like 8GiB, 2GB or 2147483648`;
  });
}

/** A size, or 0 (which turns off what the flag limits, e.g. --min-reclaim 0). */
export function parseSizeOrZero(text: string, flag: string): number {
  const amount = sizeAmount.safeParse(text);
  return amount.success && amount.data === 0 ? 0 : parseSizeArg(text, flag);
}

export function parseCount(text: string, flag: string, min = 0): number {
  return parseFlag(
    countValue(min),
    text,
    () => `invalid ${flag} ${JSON.stringify(text)}: expected a whole number of at least ${min}`,
  );
}

export function parseChoice<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  return parseFlag(
    z.enum(choices as readonly [T, ...T[]]),
    text,
    () => `invalid ${flag} ${JSON.stringify(text)}: expected one of ${choices.join(", ")}`,
  );
}

/** --snapshot-timeout: a duration > 0, or undefined (the default is sized from the source member's file). */
export function parseSnapshotTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text, "--snapshot-timeout");
  if (ms <= 0) throw new UserError("--snapshot-timeout must be greater than zero");
  return ms;
}
