import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { formatSize, parseSize } from "../../src/talos/size.js";

describe("parseSize", () => {
  it.each([
    ["0 B", 0],
    ["9 B", 9],
    ["10 B", 10],
    ["999 B", 999],
    ["1.0 kB", 1000],
    ["1000 kB", 1_000_000],
    ["6.2 MB", 6_200_000],
    ["21 MB", 21_000_000],
    ["1.5 GB", 1_500_000_000],
    ["2.1 GB", 2_100_000_000],
    ["3.4 TB", 3_400_000_000_000],
    ["12 TB", 12_000_000_000_000],
    ["1.1 PB", 1_100_000_000_000_000],
  ])("%s is %d bytes", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each([
    "",
    "21MB",
    "21 mb",
    "21 KB",
    "21  MB",
    "-1 B",
    "1.5 B",
    "6,2 MB",
    "NaN MB",
    "21 MiB",
    " 21 MB",
    "1e3 B",
  ])("rejects %j with a ParseError quoting it", (text) => {
    expect(() => parseSize(text, "etcd status")).toThrow(ParseError);
    try {
      parseSize(text, "etcd status");
    } catch (error) {
      expect((error as ParseError).line).toBe(text);
      expect((error as ParseError).command).toBe("etcd status");
    }
  });
});

describe("formatSize prints like go-humanize v1.0.1 Bytes", () => {
  it.each([
    [0, "0 B"],
    [9, "9 B"],
    [10, "10 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [1049, "1.0 kB"],
    [1050, "1.1 kB"],
    [6_200_000, "6.2 MB"],
    [6_103_040, "6.1 MB"],
    [9_949_999, "9.9 MB"],
    // rounded to tenths first (9.96 -> 10.0), then printed without decimals
    [9_960_000, "10 MB"],
    [21_000_000, "21 MB"],
    // %.0f breaks exact ties towards even: 21.5 -> 22, 22.5 -> 22
    [21_450_000, "22 MB"],
    [22_500_000, "22 MB"],
    [23_500_000, "24 MB"],
    [1_500_000_000, "1.5 GB"],
    [2_147_483_648, "2.1 GB"],
    // the unit comes from the unrounded value: 999.95 kB stays in kB
    [999_950, "1000 kB"],
    [1_000_000_000_000, "1.0 TB"],
    [2_500_000_000_000_000, "2.5 PB"],
  ])("%d -> %s", (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it("signs and rounds derived values instead of failing", () => {
    expect(formatSize(-2_147_483_648)).toBe("-2.1 GB");
    expect(formatSize(9.6)).toBe("10 B");
  });

  it("parses back to within the printed precision (about 5 %)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
        const parsed = parseSize(formatSize(bytes));
        expect(Math.abs(parsed - bytes) / bytes).toBeLessThan(0.056);
      }),
    );
  });

  it("is stable: formatting a parsed size prints it again (except the `1000 X` carry)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (bytes) => {
        const text = formatSize(bytes);
        fc.pre(!text.startsWith("1000 "));
        expect(formatSize(parseSize(text))).toBe(text);
      }),
    );
  });
});

describe("sizes go-humanize prints exactly", () => {
  /** `0 B`..`999 B`, `1.0 kB`..`9.9 PB` and `10 kB`..`999 PB`: the bytes those strings stand for. */
  const printable = fc.oneof(
    fc.integer({ min: 0, max: 999 }),
    fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 99 }))
      .map(([e, t]) => (t * 1000 ** e) / 10),
    fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 999 }))
      .map(([e, w]) => w * 1000 ** e),
  );

  it("parse to their bytes and print the same text again", () => {
    fc.assert(
      fc.property(printable, (bytes) => {
        const text = formatSize(bytes);
        expect(parseSize(text)).toBe(bytes);
        expect(formatSize(parseSize(text))).toBe(text);
      }),
    );
  });
});
