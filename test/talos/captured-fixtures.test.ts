/**
 * The real talosctl's captures (fixtures/captured/<tag>/<scenario>/, written by bench/capture-fixtures.ts in
 * front of the Talos API double over real etcd) through the parsers, held to what the cluster was (facts.json:
 * its nodes, member IDs, leader, nodes down), and the Node simulator's refusals held to the real wording.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSingleNode } from "../../sim/commands.js";
import { classifyFailure } from "../../src/talos/error-kinds.js";
import { parseAlarms } from "../../src/talos/parse-alarms.js";
import { parseEtcdSpecQuota } from "../../src/talos/parse-etcdspec.js";
import { parseNodeFailures } from "../../src/talos/parse-failures.js";
import { parseMembers } from "../../src/talos/parse-members.js";
import { parseMounts } from "../../src/talos/parse-mounts.js";
import { isEtcdProcess, parseProcesses } from "../../src/talos/parse-processes.js";
import { parseSnapshotReport } from "../../src/talos/parse-snapshot.js";
import { parseStatus } from "../../src/talos/parse-status.js";
import { FIXTURE_ROOT } from "./fixtures.js";

const CAPTURED = join(FIXTURE_ROOT, "captured");
const TAGS = ["v1.13.9", "v1.14.1"] as const;

interface Facts {
  talosctl: string;
  release: "v1.13" | "v1.14";
  nodes: string[];
  members: { node: string; id: string; name: string }[];
  leader: string | null;
  down: string[];
  /** Nodes whose etcd was stopped, their apid still answering (member-stopped). */
  stopped?: string[];
  single?: string;
}

interface Capture {
  stdout: string;
  stderr: string;
  exit: string;
}

function capture(tag: string, scenario: string, sub: string): Capture {
  const base = join(CAPTURED, tag, scenario, sub);
  const optional = (ext: string): string =>
    existsSync(`${base}.${ext}`) ? readFileSync(`${base}.${ext}`, "utf8") : "";
  return {
    stdout: readFileSync(`${base}.stdout`, "utf8"),
    stderr: optional("stderr"),
    exit: optional("exit").trim() || "0",
  };
}

function facts(tag: string, scenario: string, file = "facts.json"): Facts {
  return JSON.parse(readFileSync(join(CAPTURED, tag, scenario, file), "utf8")) as Facts;
}

const up = (f: Facts): string[] => f.nodes.filter((n) => !f.down.includes(n));
const idOf = (f: Facts, node: string | null): string | undefined =>
  f.members.find((m) => m.node === node)?.id;
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe.each(TAGS)("the real talosctl %s, captured", (tag) => {
  it("captures both eras, every scenario", () => {
    expect(readdirSync(join(CAPTURED, tag)).sort()).toEqual(
      [
        "all-nodes-down",
        "healthy",
        "member-stopped",
        "one-node-down",
        "role-refused",
        "several-nodes",
        "snapshot-interrupted",
      ].sort(),
    );
    expect(capture(tag, "healthy", "version").stdout).toMatch(
      new RegExp(`Tag:\\s+${tag.replace(/\./g, "\\.")}\\n`),
    );
  });

  describe.each(["healthy", "one-node-down", "all-nodes-down"])("%s", (scenario) => {
    const f = facts(tag, scenario);

    it("etcd status: one row per answering node, the leader's ID, the down nodes as failures", () => {
      const c = capture(tag, scenario, "status");
      const rows = parseStatus(c.stdout);
      expect(sorted(rows.map((r) => r.node))).toEqual(sorted(up(f)));
      if (rows.length > 0) expect([...new Set(rows.map((r) => r.leaderId))]).toEqual([idOf(f, f.leader)]);
      for (const r of rows) expect(r.memberId).toBe(idOf(f, r.node));
      const failures = parseNodeFailures(c.stderr);
      expect(sorted(failures.map((x) => x.node))).toEqual(sorted(f.down));
      for (const x of failures) expect(x.kind).toBe("unreachable");
    });

    it("etcd members: every member from each answering node, the down nodes as failures", () => {
      const c = capture(tag, scenario, "members");
      const rows = parseMembers(c.stdout);
      expect(sorted([...new Set(rows.map((r) => r.memberId))])).toEqual(
        up(f).length === 0 ? [] : sorted(f.members.map((m) => m.id)),
      );
      expect(sorted(parseNodeFailures(c.stderr).map((x) => x.node))).toEqual(sorted(f.down));
    });

    it("etcd alarm list: no alarm, the down nodes as failures", () => {
      const c = capture(tag, scenario, "alarm-list");
      expect(parseAlarms(c.stdout)).toEqual([]);
      expect(sorted(parseNodeFailures(c.stderr).map((x) => x.node))).toEqual(sorted(f.down));
    });

    it("processes: etcd on every answering node; mounts: every answering node", () => {
      const processes = capture(tag, scenario, "processes");
      const etcd = parseProcesses(processes.stdout).filter(isEtcdProcess);
      // Up to v1.13 one failed node makes `processes` print no table at all, only the errors, exit 1 (as the
      // Node simulator prints it); v1.14 prints the answering nodes' rows.
      const noTable = f.release === "v1.13" && f.down.length > 0;
      expect(sorted(etcd.map((p) => p.node))).toEqual(noTable ? [] : sorted(up(f)));
      if (noTable) expect(processes.exit).toBe("1");
      expect(sorted(parseNodeFailures(processes.stderr).map((x) => x.node))).toEqual(sorted(f.down));
      const mounts = capture(tag, scenario, "mounts");
      expect(sorted([...new Set(parseMounts(mounts.stdout).map((m) => m.node))])).toEqual(sorted(up(f)));
      expect(sorted(parseNodeFailures(mounts.stderr).map((x) => x.node))).toEqual(sorted(f.down));
    });
  });

  it("healthy: snapshot report, etcdspec without a quota, defrag and forfeit succeed", () => {
    const snapshot = capture(tag, "healthy", "snapshot");
    expect(snapshot.exit).toBe("0");
    const report = parseSnapshotReport(snapshot.stdout);
    expect(report.path).toBe("/var/tmp/capture/etcd.snapshot");
    expect(report.bytes).toBeGreaterThan(0);
    expect(parseEtcdSpecQuota(capture(tag, "healthy", "etcdspec").stdout)).toBeNull();
    expect(capture(tag, "healthy", "defrag").exit).toBe("0");
    expect(capture(tag, "healthy", "forfeit-leadership").exit).toBe("0");
    const disarm = capture(tag, "healthy", "alarm-disarm");
    expect(disarm.exit).toBe("0");
    expect(parseAlarms(disarm.stdout, "etcd alarm disarm")).toEqual([]);
  });

  it("one node down: a one-node call to it fails, classified unreachable; the first node's etcdspec answers", () => {
    expect(capture(tag, "one-node-down", "etcdspec").exit).toBe("0");
    expect(capture(tag, "all-nodes-down", "etcdspec").exit).not.toBe("0");
    for (const sub of ["snapshot", "defrag", "forfeit-leadership"]) {
      const c = capture(tag, "one-node-down", sub);
      expect(c.exit, sub).not.toBe("0");
      expect(classifyFailure(c.stderr), `${sub}: ${c.stderr}`).toBe("unreachable");
    }
  });

  it("several nodes: defrag and snapshot are refused with the words the Node simulator prints", () => {
    const f = facts(tag, "healthy");
    for (const sub of ["defrag", "snapshot"]) {
      const c = capture(tag, "several-nodes", sub);
      expect(c.exit).not.toBe("0");
      expect(c.stderr.split("\n")[0]).toContain(checkSingleNode(f.release, f.nodes, `etcd ${sub}`) ?? "?");
    }
  });

  it("a refused role: each denial is classified permission-denied", () => {
    for (const sub of ["defrag", "snapshot", "forfeit-leadership"]) {
      const c = capture(tag, "role-refused", sub);
      expect(c.exit, sub).not.toBe("0");
      expect(classifyFailure(c.stderr), `${sub}: ${c.stderr}`).toBe("permission-denied");
    }
    // os:reader reads what status, check and alarms list read
    const status = capture(tag, "role-refused", "status");
    expect(status.exit).toBe("0");
    expect(parseStatus(status.stdout)).toHaveLength(3);
    for (const sub of ["members", "alarm-list", "processes", "mounts", "etcdspec"])
      expect(capture(tag, "role-refused", sub).exit, sub).toBe("0");
    // os:reader may not disarm: every node refuses
    const disarm = capture(tag, "role-refused", "alarm-disarm");
    const failures = parseNodeFailures(disarm.stderr);
    expect(failures.map((x) => x.kind)).toEqual([
      "permission-denied",
      "permission-denied",
      "permission-denied",
    ]);
  });

  it("etcd stopped on one node: its calls wait for it until the caller stops talosctl (here after 3 s)", () => {
    const f = facts(tag, "member-stopped");
    const [stopped] = f.stopped ?? [];
    expect(stopped).toBeDefined();
    const status = capture(tag, "member-stopped", "status");
    expect(status.stderr.split("\n")[0]).toBe(
      "Signal received, aborting, press Ctrl+C once again to abort immediately...",
    );
    const rows = parseStatus(status.stdout).map((r) => r.node);
    if (f.release === "v1.13") {
      // The server-side fan-out answers once every node has: the whole call is cancelled, no row at all.
      expect([rows, status.exit]).toEqual([[], "1"]);
      expect(status.stderr).toContain(
        "error getting status: rpc error: code = Canceled desc = context canceled",
      );
    } else {
      // One call per node: the answering nodes' rows, the cancelled node's error dropped, exit 0.
      expect([sorted(rows), status.exit]).toEqual([sorted(f.nodes.filter((n) => n !== stopped)), "0"]);
      expect(parseNodeFailures(status.stderr)).toEqual([]);
    }
    const defrag = capture(tag, "member-stopped", "defrag");
    expect(defrag.exit).toBe("1");
    expect(defrag.stderr).toContain("rpc error: code = Canceled desc = context canceled");
  });

  it("an interrupted snapshot: no report the parser would take for a finished one", () => {
    const c = capture(tag, "snapshot-interrupted", "snapshot");
    expect(c.exit).not.toBe("0");
    expect(() => parseSnapshotReport(c.stdout)).toThrow();
  });
});
