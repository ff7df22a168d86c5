import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { memberIdFromDecimal, normalizeMemberId } from "../../src/talos/parse-member-id.js";

describe("normalizeMemberId", () => {
  it.each([
    ["0b47fb33e59bf0e2", "0b47fb33e59bf0e2"],
    ["b47fb33e59bf0e2", "0b47fb33e59bf0e2"],
    ["0B47FB33E59BF0E2", "0b47fb33e59bf0e2"],
    ["0xb47fb33e59bf0e2", "0b47fb33e59bf0e2"],
    ["c0ffee12345678", "00c0ffee12345678"],
    ["0", "0000000000000000"],
    ["ffffffffffffffff", "ffffffffffffffff"],
  ])("%s -> %s", (text, id) => {
    expect(normalizeMemberId(text)).toBe(id);
  });

  it.each(["", "xyz", "1ffffffffffffffff", "0b47fb33e59bf0e2 ", "-1", "0x"])("rejects %j", (text) => {
    expect(() => normalizeMemberId(text, "etcd members")).toThrow(ParseError);
  });
});

describe("memberIdFromDecimal (etcd's own error strings)", () => {
  it.each([
    ["15981379600524056141", "ddc94412dde9164d"],
    ["812894458077769954", "0b47fb33e59bf0e2"],
    ["11861357848454170587", "a49c021e76e707db"],
    ["18446744073709551615", "ffffffffffffffff"],
    ["0", "0000000000000000"],
  ])("%s -> %s", (text, id) => {
    expect(memberIdFromDecimal(text)).toBe(id);
  });

  it("agrees with the hex form by value", () => {
    expect(memberIdFromDecimal("812894458077769954")).toBe(normalizeMemberId("b47fb33e59bf0e2"));
  });

  it.each(["18446744073709551616", "-1", "1e3", "", "0x10", "123456789012345678901"])(
    "rejects %j",
    (text) => {
      expect(() => memberIdFromDecimal(text)).toThrow(ParseError);
    },
  );
});

describe("member IDs by value", () => {
  it("any uint64, printed padded or not, in either case, normalises to the same 16 digits", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.boolean(),
        fc.boolean(),
        (id, upper, padded) => {
          const digits = padded ? id.toString(16).padStart(16, "0") : id.toString(16);
          const expected = id.toString(16).padStart(16, "0");
          expect(normalizeMemberId(upper ? digits.toUpperCase() : digits)).toBe(expected);
          expect(memberIdFromDecimal(id.toString())).toBe(expected);
        },
      ),
    );
  });
});
