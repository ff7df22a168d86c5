/** `talosctl processes` in every layout: fixtures per release family, then single rows that stress the split. */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { isEtcdProcess, parseProcesses } from "../../src/talos/parse-processes.js";
import { type Fixture, listFixtures } from "./fixtures.js";

interface Expectation {
  /** etcd's RESMEM per node, in the order the nodes were printed. */
  etcd: Record<string, number>;
  /** Nodes that printed rows but no etcd row. */
  without?: string[];
  rowsPerNode: number;
  labels: "none" | "some";
}

const EXPECTED: Record<string, Expectation> = {
  "v1.7/healthy-3": {
    etcd: { "172.20.0.3": 1_700_000_000, "172.20.0.2": 312_000_000, "172.20.0.4": 287_000_000 },
    rowsPerNode: 12,
    labels: "none",
  },
  "v1.10/healthy-3": {
    etcd: { "172.20.0.3": 212_000_000, "172.20.0.2": 198_000_000, "172.20.0.4": 201_000_000 },
    rowsPerNode: 12,
    labels: "none",
  },
  "v1.13/healthy-3": {
    etcd: { "172.20.0.3": 1_200_000_000, "172.20.0.2": 312_000_000, "172.20.0.4": 99_000_000 },
    rowsPerNode: 12,
    labels: "some",
  },
  "v1.13/worker-node": {
    etcd: { "172.20.0.3": 160_000_000, "172.20.0.2": 150_000_000, "172.20.0.4": 140_000_000 },
    without: ["172.20.0.6"],
    rowsPerNode: 12,
    labels: "some",
  },
  "v1.14/healthy-3": {
    etcd: { "172.20.0.3": 1_700_000_000, "172.20.0.2": 87_000_000, "172.20.0.4": 9_800_000 },
    rowsPerNode: 12,
    labels: "some",
  },
  "v1.14/unreachable-1": {
    etcd: { "172.20.0.3": 420_000_000, "172.20.0.2": 415_000_000 },
    rowsPerNode: 12,
    labels: "some",
  },
};

const key = (f: Fixture) => `${f.release}/${f.scenario}`;
const withTable = listFixtures("processes").filter((f) => f.scenario !== "garbage" && f.stdout !== "");

describe("processes fixtures", () => {
  it("has an expectation for every fixture with a table", () => {
    expect(withTable.map(key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(withTable)("$release/$scenario", (f) => {
    const expected = EXPECTED[key(f)];
    if (expected === undefined) throw new Error(`no expectation for ${key(f)}`);
    const rows = parseProcesses(f.stdout);
    const etcd = Object.fromEntries(rows.filter(isEtcdProcess).map((r) => [r.node, r.residentBytes]));
    expect(etcd).toEqual(expected.etcd);
    expect(Object.keys(etcd)).toEqual(Object.keys(expected.etcd));
    for (const node of expected.without ?? []) {
      expect(rows.some((r) => r.node === node)).toBe(true);
      expect(rows.some((r) => r.node === node && isEtcdProcess(r))).toBe(false);
    }
    // Every data line became exactly one row, and no command swallowed a label or lost its first word.
    const dataLines = f.stdout.split("\n").filter((line) => /^172\./.test(line));
    expect(rows).toHaveLength(dataLines.length);
    const nodes = new Set(rows.map((r) => r.node));
    for (const node of nodes) {
      expect(rows.filter((r) => r.node === node).length).toBeLessThanOrEqual(expected.rowsPerNode);
    }
    expect(rows.every((r) => !/^\S+:\S+:\S+:s0\b/.test(r.command))).toBe(true);
    const labelled = rows.filter((r) => r.label !== "").length;
    if (expected.labels === "none") expect(labelled).toBe(0);
    if (expected.labels === "some") expect(labelled).toBeGreaterThan(0);
    if (expected.labels === "some") expect(labelled).toBeLessThan(rows.length);
    expect(rows.filter(isEtcdProcess).every((r) => r.label === "" || r.label.includes("etcd_t"))).toBe(true);
  });

  it("reads nothing from the empty stdout of a ≤v1.13 partial failure", () => {
    const failed = listFixtures("processes").filter((f) => f.stdout === "");
    expect(failed.map(key).sort()).toEqual(["v1.13/unreachable-1", "v1.7/unreachable-1"]);
    for (const f of failed) {
      expect(f.exitCode).toBe(1);
      expect(parseProcesses(f.stdout)).toEqual([]);
    }
  });
});

const HEADER_LABEL =
  "NODE        PID   STATE  THREADS  CPU-TIME  VIRTMEM  RESMEM  LABEL                        COMMAND";
const HEADER_OLD = "NODE        PID   STATE  THREADS  CPU-TIME  VIRTMEM  RESMEM  COMMAND";

describe("processes rows", () => {
  const cases: { name: string; header: string; line: string; label: string; command: string; rss: number }[] =
    [
      {
        name: "labelled etcd row",
        header: HEADER_LABEL,
        line: "10.5.0.2    1999  S      14       304.07    12 GB    1.2 GB  system_u:system_r:etcd_t:s0  /usr/local/bin/etcd --name=cp-1",
        label: "system_u:system_r:etcd_t:s0",
        command: "/usr/local/bin/etcd --name=cp-1",
        rss: 1_200_000_000,
      },
      {
        name: "empty label",
        header: HEADER_LABEL,
        line: "10.5.0.2    1999  S      14       304.07    12 GB    312 MB                               /usr/local/bin/etcd --name=cp-1",
        label: "",
        command: "/usr/local/bin/etcd --name=cp-1",
        rss: 312_000_000,
      },
      {
        name: "kernel thread with a colon in its name and no label",
        header: HEADER_LABEL,
        line: "10.5.0.2    15    I      1        0.62      0 B      0 B                                  kworker/0:1-events",
        label: "",
        command: "kworker/0:1-events",
        rss: 0,
      },
      {
        name: "command with double spaces kept as printed",
        header: HEADER_LABEL,
        line: "10.5.0.2    20    S      1        0.62      3 B      9 B      system_u:system_r:init_t:s0  /bin/x  --a   b",
        label: "system_u:system_r:init_t:s0",
        command: "/bin/x  --a   b",
        rss: 9,
      },
      {
        name: "empty command after a label (trailing padding)",
        header: HEADER_LABEL,
        line: "10.5.0.2    20    Z      1        0.00      0 B      0 B      system_u:system_r:init_t:s0  ",
        label: "system_u:system_r:init_t:s0",
        command: "",
        rss: 0,
      },
      {
        name: "v1.7 has no LABEL: a context-looking first word stays in COMMAND",
        header: HEADER_OLD,
        line: "10.5.0.2    20    S      1        0.62      3 kB     512 kB  a:b:c:d --flag",
        label: "",
        command: "a:b:c:d --flag",
        rss: 512_000,
      },
      {
        name: "hostname as NODE",
        header: HEADER_OLD,
        line: "cp-1.lan    1999  S      14       304.07    12 GB    1.7 GB  /usr/local/bin/etcd",
        label: "",
        command: "/usr/local/bin/etcd",
        rss: 1_700_000_000,
      },
    ];

  it.each(cases)("$name", ({ header, line, label, command, rss }) => {
    const [row] = parseProcesses(`${header}\n${line}\n`);
    expect(row?.label).toBe(label);
    expect(row?.command).toBe(command);
    expect(row?.residentBytes).toBe(rss);
  });

  const refused: { name: string; text: string }[] = [
    { name: "rows before any header", text: "10.5.0.2  1  S  1  0.00  0 B  0 B  /sbin/init\n" },
    { name: "a size without unit", text: `${HEADER_OLD}\n10.5.0.2  1  S  1  0.00  0 B  12  /sbin/init\n` },
    {
      name: "a PID that is not a number",
      text: `${HEADER_OLD}\n10.5.0.2  x  S  1  0.00  0 B  0 B  /sbin/init\n`,
    },
    {
      name: "CPU-TIME with one decimal",
      text: `${HEADER_OLD}\n10.5.0.2  1  S  1  0.0  0 B  0 B  /sbin/init\n`,
    },
  ];

  it.each(refused)("refuses $name, quoting the line", ({ text }) => {
    expect(() => parseProcesses(text)).toThrow(ParseError);
  });

  it("tells the etcd process from processes that only mention etcd", () => {
    const text = `${HEADER_OLD}\n10.5.0.2  1  S  1  0.00  0 B  5 MB  /usr/local/bin/etcdctl get x\n10.5.0.2  2  S  1  0.00  0 B  6 MB  /usr/local/bin/containerd-shim-runc-v2 -id etcd\n`;
    expect(parseProcesses(text).filter(isEtcdProcess)).toEqual([]);
  });
});
