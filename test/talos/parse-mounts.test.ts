/** `talosctl mounts`: fixtures per release, GB parsing, and which mount holds /var/lib/etcd. */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import {
  containsPath,
  findMountFor,
  type MountRow,
  parseGigabytes,
  parseMounts,
} from "../../src/talos/parse-mounts.js";
import { type Fixture, listFixtures } from "./fixtures.js";

const ETCD_DIR = "/var/lib/etcd";

/** Per node, in printed order: the mount point holding /var/lib/etcd and its free bytes. */
const EXPECTED: Record<string, Record<string, [string, number]>> = {
  "v1.10/healthy-3": {
    "172.20.0.3": ["/var", 7_410_000_000],
    "172.20.0.2": ["/var", 7_600_000_000],
    "172.20.0.4": ["/var", 6_910_000_000],
  },
  "v1.13/healthy-3": {
    "172.20.0.3": ["/var", 7_410_000_000],
    "172.20.0.2": ["/var", 7_600_000_000],
    "172.20.0.4": ["/var", 6_910_000_000],
  },
  "v1.13/unreachable-1": {
    "172.20.0.3": ["/var", 7_410_000_000],
    "172.20.0.2": ["/var", 7_600_000_000],
  },
  "v1.14/healthy-3": {
    "172.20.0.3": ["/var", 7_410_000_000],
    "172.20.0.2": ["/var", 7_600_000_000],
    "172.20.0.4": ["/var", 6_910_000_000],
  },
  "v1.14/etcd-volume": {
    "172.20.0.3": ["/var/lib/etcd", 910_000_000],
    "172.20.0.2": ["/var/lib/etcd", 900_000_000],
    "172.20.0.4": ["/var/lib/etcd", 30_000_000],
  },
  "v1.14/unreachable-1": {
    "172.20.0.3": ["/var", 7_410_000_000],
    "172.20.0.2": ["/var", 7_600_000_000],
  },
};

const key = (f: Fixture) => `${f.release}/${f.scenario}`;
const fixtures = listFixtures("mounts").filter((f) => f.scenario !== "garbage");

describe("mounts fixtures", () => {
  it("has an expectation for every fixture", () => {
    expect(fixtures.map(key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(fixtures)("$release/$scenario", (f) => {
    const rows = parseMounts(f.stdout);
    expect(rows).toHaveLength(f.stdout.split("\n").filter((line) => /^172\./.test(line)).length);
    const nodes = [...new Set(rows.map((r) => r.node))];
    const found = Object.fromEntries(
      nodes.map((node) => {
        const row = findMountFor(
          rows.filter((r) => r.node === node),
          ETCD_DIR,
        );
        return [node, row === undefined ? null : [row.mountedOn, row.availableBytes]];
      }),
    );
    expect(found).toEqual(EXPECTED[key(f)]);
    expect(Object.keys(found)).toEqual(Object.keys(EXPECTED[key(f)] ?? {}));
    for (const row of rows) expect(row.sizeBytes).toBeGreaterThanOrEqual(row.availableBytes);
  });
});

describe("parseGigabytes", () => {
  it.each([
    ["0.00", 0],
    ["7.41", 7_410_000_000],
    ["1234.56", 1_234_560_000_000],
    ["0.07", 70_000_000],
  ])("%s GB -> %d bytes", (text, bytes) => {
    expect(parseGigabytes(text)).toBe(bytes);
  });

  it.each(["7.4", "7", "-1.00", "7.411", "", "1e3"])("refuses %j", (text) => {
    expect(() => parseGigabytes(text)).toThrow(ParseError);
  });
});

describe("the mount that holds /var/lib/etcd", () => {
  it.each([
    ["/", true],
    ["/var", true],
    ["/var/", true],
    ["/var/lib", true],
    ["/var/lib/etcd", true],
    ["/va", false],
    ["/var/lib/et", false],
    ["/var/lib/etcd-backup", false],
    ["/var/lib/etcd/member", false],
    ["/system", false],
  ])("%s holds it: %s", (mountPoint, holds) => {
    expect(containsPath(mountPoint, ETCD_DIR)).toBe(holds);
  });

  const row = (mountedOn: string, availableBytes: number): MountRow => ({
    node: "n",
    filesystem: "fs",
    sizeBytes: 10 ** 10,
    usedBytes: 0,
    availableBytes,
    mountedOn,
  });

  it("takes the longest path-prefix, not the longest string-prefix", () => {
    const rows = [row("/", 1), row("/var", 2), row("/var/lib/etcd-backup", 3), row("/va", 4)];
    expect(findMountFor(rows, ETCD_DIR)?.availableBytes).toBe(2);
  });

  it("takes the later of two rows for the same mount point (the one stacked on top)", () => {
    expect(findMountFor([row("/var", 1), row("/var", 2)], ETCD_DIR)?.availableBytes).toBe(2);
  });

  it("finds nothing when no mount holds the path", () => {
    expect(findMountFor([row("/system", 1)], ETCD_DIR)).toBeUndefined();
  });
});

describe("mounts refusals", () => {
  it.each([
    ["no header", "172.20.0.2   /dev/sda6   9.89   2.48   7.41   25.09%   /var\n"],
    [
      "a relative mount point",
      "NODE         FILESYSTEM   SIZE(GB)   USED(GB)   AVAILABLE(GB)   PERCENT USED   MOUNTED ON\n172.20.0.2   /dev/sda6    9.89       2.48       7.41            25.09%         var\n",
    ],
    [
      "a percentage without %",
      "NODE         FILESYSTEM   SIZE(GB)   USED(GB)   AVAILABLE(GB)   PERCENT USED   MOUNTED ON\n172.20.0.2   /dev/sda6    9.89       2.48       7.41            25.09          /var\n",
    ],
  ])("%s", (_name, text) => {
    expect(() => parseMounts(text)).toThrow(ParseError);
  });

  it("reads a lone header as no rows", () => {
    expect(
      parseMounts("NODE   FILESYSTEM   SIZE(GB)   USED(GB)   AVAILABLE(GB)   PERCENT USED   MOUNTED ON\n"),
    ).toEqual([]);
  });
});
