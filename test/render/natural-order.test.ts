import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareNatural } from "../../src/render/natural-order.js";

// "+ 0" turns -0 into 0, so equal names compare equal both ways.
const sign = (n: number) => Math.sign(n) + 0;
const icu = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

describe("compareNatural", () => {
  it.each([
    ["cp2.lab.internal", "cp10.lab.internal", -1],
    ["192.168.1.9", "192.168.1.10", -1],
    ["192.168.1.10", "192.168.1.9", 1],
    ["10.0.0.2", "10.0.0.2", 0],
    ["172.20.0.3", "172.20.0.20", -1],
    ["cp-1", "cp1", -1],
    ["node", "node1", -1],
    ["CP1", "cp2", -1],
    ["a99999999999999999999", "a100000000000000000000", -1],
    ["[fd00::10]", "[fd00::9]", 1],
  ])("%s against %s is %i", (a, b, expected) => {
    expect(sign(compareNatural(a, b))).toBe(expected);
    expect(sign(compareNatural(b, a))).toBe(sign(-expected));
  });

  it("orders IPv4 addresses as localeCompare's numeric collation does", () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
    fc.assert(fc.property(ipv4, ipv4, (a, b) => sign(compareNatural(a, b)) === sign(icu(a, b))));
  });

  it("orders lower-case host names as localeCompare's numeric collation does", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[1-9]?[0-9]{0,2}$/);
    const host = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join("."));
    fc.assert(
      fc.property(host, host, (a, b) => sign(compareNatural(a, b)) === sign(icu(a, b))),
      { numRuns: 2000 },
    );
  });

  it("sorts a homelab's names", () => {
    const names = ["cp10.lab.internal", "cp2.lab.internal", "cp1.lab.internal", "CP3.lab.internal"];
    expect([...names].sort(compareNatural)).toEqual([
      "cp1.lab.internal",
      "cp2.lab.internal",
      "CP3.lab.internal",
      "cp10.lab.internal",
    ]);
  });
});
