import { describe, expect, it } from "vitest";
import { parseChoice, parseCount, parseDuration, parseSizeArg } from "../../src/cli/values.js";
import { UserError } from "../../src/errors.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1m30s", 90_000],
    ["250ms", 250],
    ["1h", 3_600_000],
    ["45", 45_000],
    ["1.5s", 1_500],
  ])("%s -> %d ms", (text, ms) => {
    expect(parseDuration(text, "--timeout")).toBe(ms);
  });

  it.each(["", "s", "5x", "5m garbage", "-5s", "1m-1s"])("rejects %j", (text) => {
    expect(() => parseDuration(text, "--timeout")).toThrow(UserError);
  });
});

describe("parseSizeArg", () => {
  it.each([
    ["2147483648", 2_147_483_648],
    ["8GiB", 8 * 1024 ** 3],
    ["2GB", 2e9],
    ["100MiB", 100 * 1024 ** 2],
    ["1.5 GiB", 1.5 * 1024 ** 3],
    ["512kb", 512_000],
  ])("%s -> %d", (text, bytes) => {
    expect(parseSizeArg(text, "--quota")).toBe(bytes);
  });

  it.each(["", "0", "GB", "8 GiBs", "-1GB", "1e9"])("rejects %j", (text) => {
    expect(() => parseSizeArg(text, "--quota")).toThrow(UserError);
  });
});

describe("parseCount and parseChoice", () => {
  it("accepts whole numbers at or above the minimum", () => {
    expect(parseCount("5", "--keep", 1)).toBe(5);
    expect(() => parseCount("0", "--keep", 1)).toThrow(UserError);
    expect(() => parseCount("2.5", "--keep")).toThrow(UserError);
  });

  it("accepts only listed choices", () => {
    expect(parseChoice("last", "--leader", ["auto", "forfeit", "last"])).toBe("last");
    expect(() => parseChoice("first", "--leader", ["auto", "forfeit", "last"])).toThrow(
      /expected one of auto, forfeit, last/,
    );
  });
});
