/** Every fixture file through its parser, with what each scenario must yield. */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseAlarms } from "../../src/talos/parse-alarms.js";
import { parseEtcdSpecQuota } from "../../src/talos/parse-etcdspec.js";
import { parseNodeFailures } from "../../src/talos/parse-failures.js";
import { parseMembers } from "../../src/talos/parse-members.js";
import { parseMounts } from "../../src/talos/parse-mounts.js";
import { parseProcesses } from "../../src/talos/parse-processes.js";
import { parseSnapshotReport } from "../../src/talos/parse-snapshot.js";
import { parseStatus } from "../../src/talos/parse-status.js";
import { type Fixture, listFixtures } from "./fixtures.js";

const CP1 = "a49c021e76e707db";
const CP2 = "ecebb05b59a776f1";
const CP3 = "0b47fb33e59bf0e2";
const CP4 = "5f1e2d3c4b5a6978";
const HEX16 = /^[0-9a-f]{16}$/;

/** Data rows as a person counts them: lines that start with a node address or a member ID. */
function countDataLines(stdout: string): number {
  return stdout.split("\n").filter((line) => /^(172\.|[0-9a-f]{16}\s)/.test(line)).length;
}

const garbage = (f: Fixture) => f.scenario === "garbage";

interface StatusExpectation {
  nodes: string[];
  leaders: (string | null)[];
  unreachable: string[];
  errors?: number[];
  learners?: string[];
}

const three = ["172.20.0.3", "172.20.0.2", "172.20.0.4"];
const STATUS: Record<string, StatusExpectation> = {
  "healthy-3": { nodes: three, leaders: [CP2], unreachable: [] },
  "healthy-5": {
    nodes: ["172.20.0.5", "172.20.0.2", "172.20.0.6", "172.20.0.3", "172.20.0.4"],
    leaders: [CP4],
    unreachable: [],
  },
  "single-node": { nodes: ["172.20.0.2"], leaders: [CP1], unreachable: [] },
  "v1.13/nospace": { nodes: three, leaders: [CP2], unreachable: [], errors: [1, 1, 1] },
  "v1.14/nospace": { nodes: three, leaders: [CP2], unreachable: [], errors: [2, 2, 2] },
  corrupt: {
    nodes: ["172.20.0.4", "172.20.0.3", "172.20.0.2"],
    leaders: [CP2],
    unreachable: [],
    errors: [0, 1, 1],
  },
  "no-leader": {
    nodes: ["172.20.0.2", "172.20.0.4", "172.20.0.3"],
    leaders: [null],
    unreachable: [],
    errors: [1, 1, 1],
  },
  "v1.13/learner": { nodes: three, leaders: [CP2], unreachable: [], learners: [] },
  "v1.14/learner": {
    nodes: [...three, "172.20.0.5"],
    leaders: [CP2],
    unreachable: [],
    learners: ["172.20.0.5"],
  },
  "unreachable-1": { nodes: ["172.20.0.3", "172.20.0.2"], leaders: [CP2], unreachable: ["172.20.0.4"] },
  "worker-node": { nodes: three, leaders: [CP2], unreachable: ["172.20.0.6"] },
  "v1.10/permission-denied": { nodes: [], leaders: [], unreachable: [] },
  "permission-denied": { nodes: [], leaders: [], unreachable: ["172.20.0.2", "172.20.0.3", "172.20.0.4"] },
  "unpadded-ids": { nodes: ["172.20.0.4", "172.20.0.3", "172.20.0.2"], leaders: [CP2], unreachable: [] },
  fragmented: { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-3.6.4": { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-mixed": { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-3.7.1": { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-arm64": { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-digest": { nodes: three, leaders: [CP2], unreachable: [] },
  "etcd-3.5.18": { nodes: three, leaders: [CP2], unreachable: [] },
  "live-full": { nodes: three, leaders: [CP2], unreachable: [] },
};

function expectationFor<T>(table: Record<string, T>, f: Fixture): T {
  const key = [`${f.release}/${f.scenario}`, f.scenario].find((k) => k in table);
  const found = key === undefined ? undefined : table[key];
  if (found === undefined) throw new Error(`no expectation for ${f.release}/${f.scenario}/${f.sub}`);
  return found;
}

describe("etcd status fixtures", () => {
  it.each(listFixtures("status").filter((f) => !garbage(f)))("$release/$scenario", (f) => {
    const rows = parseStatus(f.stdout);
    const failures = parseNodeFailures(f.stderr);
    const want = expectationFor(STATUS, f);
    expect(rows.map((r) => r.node)).toEqual(want.nodes);
    expect(rows).toHaveLength(countDataLines(f.stdout));
    expect([...new Set(rows.map((r) => r.leaderId))]).toEqual(want.leaders);
    expect(failures.map((x) => x.node)).toEqual(want.unreachable);
    if (want.errors !== undefined) expect(rows.map((r) => r.errors.length)).toEqual(want.errors);
    if (want.learners !== undefined)
      expect(rows.filter((r) => r.isLearner).map((r) => r.node)).toEqual(want.learners);
    for (const row of rows) {
      expect(row.memberId).toMatch(HEX16);
      expect(row.dbSizeInUse).toBeLessThanOrEqual(row.dbSize * 1.06);
      expect(row.raftAppliedIndex).toBeLessThanOrEqual(row.raftIndex);
      // PROTOCOL/STORAGE exist from v1.11 on: the v1.10 fixtures stand for the older layout.
      expect(row.protocol === undefined).toBe(f.release === "v1.10");
    }
    // ≤v1.13 reports partial failure with exit 0; v1.14 with exit 1: either way the node is named.
    if (f.release === "v1.14" && want.unreachable.length > 0) expect(f.exitCode).toBe(1);
  });
});

const MEMBERS: Record<string, { rows: number; distinct: string[]; unreachable: string[] }> = {
  "healthy-5": { rows: 5, distinct: [CP1, CP2, CP3, CP4, "00c0ffee12345678"], unreachable: [] },
  "v1.14/healthy-3": { rows: 9, distinct: [CP1, CP2, CP3], unreachable: [] },
  "v1.14/etcd-3.7.1": { rows: 9, distinct: [CP1, CP2, CP3], unreachable: [] },
  "v1.14/live-full": { rows: 9, distinct: [CP1, CP2, CP3], unreachable: [] },
  "single-node": { rows: 1, distinct: [CP1], unreachable: [] },
  learner: { rows: 4, distinct: [CP1, CP2, CP3, CP4], unreachable: [] },
  "unreachable-1": { rows: 6, distinct: [CP1, CP2, CP3], unreachable: ["172.20.0.4"] },
  "worker-node": { rows: 0, distinct: [], unreachable: ["172.20.0.6"] },
  default: { rows: 3, distinct: [CP1, CP2, CP3], unreachable: [] },
};

describe("etcd members fixtures", () => {
  it.each(listFixtures("members").filter((f) => !garbage(f)))("$release/$scenario", (f) => {
    const rows = parseMembers(f.stdout);
    const want = MEMBERS[`${f.release}/${f.scenario}`] ?? MEMBERS[f.scenario] ?? MEMBERS.default;
    expect(rows).toHaveLength(want?.rows ?? -1);
    expect([...new Set(rows.map((r) => r.memberId))].sort()).toEqual([...(want?.distinct ?? [])].sort());
    expect(parseNodeFailures(f.stderr).map((x) => x.node)).toEqual(want?.unreachable);
    for (const row of rows) {
      expect(row.peerUrls.length).toBeGreaterThan(0);
      expect(row.clientUrls.length === 0).toBe(row.hostname === "");
      if (f.scenario === "healthy-5") expect(row.clientUrls).toHaveLength(2);
    }
  });
});

const ALARMS: Record<string, { rows: number; alarms: string[] }> = {
  "v1.13/nospace": { rows: 3, alarms: [`${CP3} NOSPACE`] },
  "v1.14/nospace": { rows: 6, alarms: [`${CP1} NOSPACE`, `${CP3} NOSPACE`] },
  corrupt: { rows: 2, alarms: [`${CP3} CORRUPT`] },
  "permission-denied": { rows: 0, alarms: [] },
  default: { rows: 0, alarms: [] },
};

describe("etcd alarm list / disarm fixtures", () => {
  const files = [...listFixtures("alarm-list"), ...listFixtures("alarm-disarm")].filter((f) => !garbage(f));
  it.each(files)("$release/$scenario/$sub", (f) => {
    const rows = parseAlarms(f.stdout, f.sub === "alarm-list" ? "etcd alarm list" : "etcd alarm disarm");
    const want = ALARMS[`${f.release}/${f.scenario}`] ?? ALARMS[f.scenario] ?? ALARMS.default;
    expect(rows).toHaveLength(want?.rows ?? -1);
    expect([...new Set(rows.map((r) => `${r.memberId} ${r.alarm}`))].sort()).toEqual(
      [...(want?.alarms ?? [])].sort(),
    );
    if (f.exitCode !== 0 || f.stderr.includes("WARNING"))
      expect(parseNodeFailures(f.stderr).length).toBeGreaterThan(0);
  });

  it("keeps rows printed without header or NODE column (≤v1.13, first node had no alarm)", () => {
    const [f] = listFixtures("alarm-list").filter((x) => x.release === "v1.13" && x.scenario === "corrupt");
    expect(parseAlarms(f?.stdout ?? "")).toEqual([
      { node: "", memberId: CP3, alarm: "CORRUPT" },
      { node: "", memberId: CP3, alarm: "CORRUPT" },
    ]);
  });
});

const SNAPSHOT_PATHS: Record<string, string> = {
  "v1.10/healthy-3": "C:\\Users\\ops\\etcd-2026-11-22.db",
  "v1.13/healthy-3": '/backups/my "etcd" snap.db',
  "v1.14/healthy-3": "/var/backups/etcd-2026-11-22T03:00:00Z.db",
  "single-node": "etcd.db",
};

describe("etcd snapshot fixtures", () => {
  it.each(listFixtures("snapshot").filter((f) => !garbage(f)))("$release/$scenario", (f) => {
    const report = parseSnapshotReport(f.stdout);
    expect(report.path).toBe(expectationFor(SNAPSHOT_PATHS, f));
    // talosctl keeps etcd's 32-byte checksum trailer: the file is the database plus 32 bytes.
    expect(report.bytes).toBe((report.totalSize ?? 0) + 32);
    expect(report.hash).toMatch(/^[0-9a-f]{8}$/);
  });
});

const QUOTAS: Record<string, number | null> = {
  "v1.10/healthy-3": 4294967296,
  "v1.13/healthy-3": 8589934592,
  "v1.14/healthy-3": null,
  "single-node": null,
  "v1.13/nospace": null,
  "v1.14/nospace": 2147483648,
  fragmented: 8589934592,
  "etcd-3.6.4": 4294967296,
  "etcd-mixed": 8589934592,
  "etcd-3.7.1": null,
  "etcd-arm64": null,
  "etcd-digest": null,
  "etcd-3.5.18": 4294967296,
  "live-full": null,
};

describe("get etcdspec fixtures", () => {
  it.each(listFixtures("etcdspec").filter((f) => !garbage(f)))("$release/$scenario", (f) => {
    expect(parseEtcdSpecQuota(f.stdout)).toBe(expectationFor(QUOTAS, f));
  });
});

describe("garbage fixtures", () => {
  const parsers: Record<string, (text: string) => unknown> = {
    status: parseStatus,
    members: parseMembers,
    "alarm-list": parseAlarms,
    snapshot: parseSnapshotReport,
    etcdspec: parseEtcdSpecQuota,
    processes: parseProcesses,
    mounts: parseMounts,
  };
  const files = listFixtures().filter(garbage);

  it("covers every parser", () => {
    expect(files.map((f) => f.sub).sort()).toEqual(Object.keys(parsers).sort());
  });

  it.each(files)("$sub throws a ParseError that quotes the offending line", (f) => {
    const parse = parsers[f.sub] ?? (() => undefined);
    const error = (() => {
      try {
        parse(f.stdout);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ParseError);
    const line = (error as ParseError).line ?? "";
    expect(line).not.toBe("");
    expect(f.stdout.split("\n")).toContain(line);
    expect((error as ParseError).message).toContain("talosctl");
  });
});
