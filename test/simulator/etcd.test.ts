/** The simulator over a real 3-member etcd cluster: mapping of every command to etcd. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster } from "../../sim/cluster.js";
import {
  checksumKeys,
  compactAll,
  deletePrefix,
  fillUntilNospace,
  fragmentCluster,
  readSizes,
  startLoad,
  verifyAcknowledged,
} from "../../sim/data.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";
import { findExecutable } from "../../sim/etcd-process.js";
import { assertSimBuilt, rowsOf, runSim } from "../../sim/exec-sim.js";
import { callGateway, encodeKey } from "../../sim/gateway.js";
import type { SimCluster } from "../../sim/types.js";
import { verifySnapshotFile } from "../../src/run/snapshot-file.js";

const gate = checkEtcdGate("test/simulator/etcd.test.ts (simulator over real etcd)");

/** PROTOCOL and STORAGE as Talos shows them for the etcd on PATH (CI runs this file on 3.4 and on 3.5). */
function expectedVersionColumns(): [string, string] {
  const out = execFileSync(findExecutable("etcd") ?? "etcd", ["--version"], { encoding: "utf8" });
  const version = /etcd Version:\s*(\d+)\.(\d+)\.(\d+)/.exec(out);
  if (version === null) throw new Error(`cannot read the etcd version from:\n${out}`);
  return [`${version[1]}.${version[2]}.${version[3]}`, `${version[1]}.${version[2]}.0`];
}

it.runIf(gate.missingButRequired)("etcd is installed (REQUIRE_ETCD=1)", () => {
  expect.fail("REQUIRE_ETCD=1 but etcd/etcdctl are not installed: apt-get install etcd-server etcd-client");
});

describe.runIf(gate.available)("simulator over real etcd", { timeout: 60_000 }, () => {
  let cluster: SimCluster;
  let all: string;

  beforeAll(async () => {
    cluster = await startCluster({ release: "v1.13", quotaBytes: 48 * 1024 * 1024 });
    assertSimBuilt(cluster);
    all = cluster.nodes.join(",");
    await fragmentCluster(cluster.endpoints(cluster.nodes[0] ?? ""), { targetBytes: 16_000_000 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it("status reports each member's real sizes, leader and etcd version in every release's columns", async () => {
    for (const release of ["v1.10", "v1.13", "v1.14"] as const) {
      await cluster.setRelease(release);
      const out = await runSim(cluster, ["-n", all, "etcd", "status"]);
      expect(out.exitCode).toBe(0);
      const rows = rowsOf(out.stdout);
      expect(rows.map((r) => r[0])).toEqual(cluster.nodes);
      expect(new Set(rows.map((r) => r[4])).size).toBe(1);
      expect(out.stdout.includes("PROTOCOL")).toBe(release !== "v1.10");
      if (release !== "v1.10") expect(rows[0]?.slice(9, 11)).toEqual(expectedVersionColumns());
    }
    await cluster.setRelease("v1.13");
    const sizes = await readSizes(cluster.endpoints(cluster.nodes[0] ?? ""));
    expect(sizes.dbSizeInUse / sizes.dbSize).toBeLessThan(0.6);
  });

  it("members: every node lists all three with https client URLs", async () => {
    const rows = rowsOf((await runSim(cluster, ["-n", all, "etcd", "members"])).stdout);
    expect(rows).toHaveLength(9);
    expect(
      rows
        .slice(0, 3)
        .map((r) => r[4])
        .sort(),
    ).toEqual(cluster.nodes.map((n) => `https://${n}:2379`));
    expect(
      rows
        .slice(0, 3)
        .map((r) => r[2])
        .sort(),
    ).toEqual(["talos-cp-1", "talos-cp-2", "talos-cp-3"]);
  });

  it("defrag shrinks a fragmented member and keeps every key", async () => {
    const node = cluster.nodes[1] ?? "";
    const endpoint = cluster.endpoints(node);
    const checksum = await checksumKeys(endpoint);
    const before = await readSizes(endpoint);
    const out = await runSim(cluster, ["-n", node, "etcd", "defrag"]);
    expect([out.exitCode, out.stdout, out.stderr]).toEqual([0, "", ""]);
    const after = await readSizes(endpoint);
    expect(after.dbSize).toBeLessThan(before.dbSize * 0.7);
    expect(await checksumKeys(endpoint)).toBe(checksum);
  });

  it("load helpers: writes and keepalives keep flowing through a defrag and every ack reads back", async () => {
    const load = startLoad(cluster.nodes.map(cluster.endpoints), { intervalMs: 25, durationMs: 1500 });
    await runSim(cluster, ["-n", cluster.nodes[0] ?? "", "etcd", "defrag"]);
    // A simulated call takes about 0.1 s: let the load run on a little, so the counts below do not hang on it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await load.stop();
    for (const endpoint of cluster.nodes.map(cluster.endpoints)) {
      expect(report.perEndpoint[endpoint]?.writes.length).toBeGreaterThan(5);
      expect(report.perEndpoint[endpoint]?.keepalives.length).toBeGreaterThan(5);
    }
    const check = await verifyAcknowledged(cluster.endpoints(cluster.nodes[2] ?? ""), report);
    expect(check.checked).toBe(report.acknowledged.length);
    expect([check.missing, check.mismatched]).toEqual([[], []]);
  });

  it("forfeit-leadership moves leadership to the first other member of the member list", async () => {
    const leader = (await cluster.leaderNode()) ?? "";
    const status = rowsOf((await runSim(cluster, ["-n", leader, "etcd", "status"])).stdout)[0] ?? [];
    const members = rowsOf((await runSim(cluster, ["-n", leader, "etcd", "members"])).stdout);
    const firstOther = members.find((m) => m[1] !== status[1]);
    const out = await runSim(cluster, ["-n", leader, "etcd", "forfeit-leadership"]);
    expect(out.exitCode).toBe(0);
    expect(await cluster.leaderNode()).toBe(firstOther?.[4]?.slice("https://".length, -":2379".length));
    const follower = cluster.nodes.find((n) => n !== firstOther?.[4]?.slice(8, -5)) ?? "";
    const current = await cluster.leaderNode();
    await runSim(cluster, ["-n", follower, "etcd", "forfeit-leadership"]);
    expect(await cluster.leaderNode()).toBe(current);
  });

  it("snapshot is a real etcd snapshot with its sha256 trailer", async () => {
    const path = join(cluster.dir, "backup.db");
    const out = await runSim(cluster, ["-n", cluster.nodes[0] ?? "", "etcd", "snapshot", path]);
    expect(out.exitCode).toBe(0);
    const check = await verifySnapshotFile(path);
    expect(check.sha256Verified, check.problem).toBe(true);
    expect(check.bytes % 512).toBe(32);
    const [, info] = out.stdout.split("\n");
    expect(info).toMatch(
      /^snapshot info: hash [0-9a-f]{8}, revision [1-9]\d*, total keys [1-9]\d*, total size \d+$/,
    );
  });

  it("a stopped member: its apid answers, its etcd calls wait for it as Talos's clientv3 does, until the caller gives up", async () => {
    const node = cluster.nodes[2] ?? "";
    await cluster.stopMember(node);
    try {
      // Up to v1.13 the fan-out answers once every node has: nothing is printed before talosctl is stopped.
      const status = await runSim(cluster, ["-n", all, "etcd", "status"], { timeoutMs: 1500 });
      expect(status.durationMs).toBeGreaterThanOrEqual(1500);
      expect([status.exitCode, status.stdout]).toEqual([1, ""]);
      const defrag = await runSim(cluster, ["-n", node, "etcd", "defrag"], { timeoutMs: 1000 });
      expect(defrag.durationMs).toBeGreaterThanOrEqual(1000);
      expect(defrag.exitCode).toBe(1);
      // The node itself answers what is not etcd's.
      expect((await runSim(cluster, ["-n", node, "processes"])).exitCode).toBe(0);
    } finally {
      await cluster.startMember(node);
    }
    expect((await runSim(cluster, ["-n", all, "etcd", "status"])).stderr).toBe("");
  });

  it("a call that waits for a stopped member answers once the member is back", async () => {
    const node = cluster.nodes[2] ?? "";
    await cluster.stopMember(node);
    const status = runSim(cluster, ["-n", node, "etcd", "status"], { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.startMember(node);
    const answered = await status;
    expect(answered.exitCode, answered.stderr).toBe(0);
    expect(rowsOf(answered.stdout)).toHaveLength(1);
  });

  it("NOSPACE: alarms listed and in ERRORS; compact + defrag + disarm lets writes in again", async () => {
    const endpoint = cluster.endpoints(cluster.nodes[0] ?? "");
    const fill = await fillUntilNospace(endpoint, { timeoutMs: 30_000 });
    expect(fill.nospace).toBe(true);
    const alarms = rowsOf((await runSim(cluster, ["-n", all, "etcd", "alarm", "list"])).stdout);
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    expect(alarms.every((a) => a[2] === "NOSPACE")).toBe(true);
    // etcd's own text, passed through: one space between the fields, two from etcd 3.7.1 (Go's protobuf text).
    expect((await runSim(cluster, ["-n", all, "etcd", "status"])).stdout).toMatch(
      /memberID:\d+ {1,2}alarm:NOSPACE\n/,
    );
    await deletePrefix(endpoint, "/registry/fill/");
    await compactAll(endpoint);
    for (const node of cluster.nodes)
      expect((await runSim(cluster, ["-n", node, "etcd", "defrag"])).exitCode).toBe(0);
    const disarm = await runSim(cluster, ["-n", all, "etcd", "alarm", "disarm"]);
    expect(rowsOf(disarm.stdout).length).toBeGreaterThanOrEqual(1);
    expect((await runSim(cluster, ["-n", all, "etcd", "alarm", "list"])).stdout).toBe("");
    await callGateway(endpoint, "kv/put", { key: encodeKey("/after"), value: encodeKey("ok") });
  });

  it("STORAGE is etcd's own storage version on 3.6+ (it lags PROTOCOL once a downgrade is enabled)", async () => {
    const endpoint = cluster.endpoints(cluster.nodes[0] ?? "");
    const [protocol, madeUp] = expectedVersionColumns();
    const storageOf = async (node: string): Promise<string | undefined> =>
      (await callGateway<{ storageVersion?: string }>(cluster.endpoints(node), "maintenance/status"))
        .storageVersion;
    if ((await storageOf(cluster.nodes[0] ?? "")) === undefined) {
      // etcd before 3.6 has no storage version: Talos makes one up, and so does the simulator.
      const rows = rowsOf((await runSim(cluster, ["-n", all, "etcd", "status"])).stdout);
      expect(rows.map((r) => r[10])).toEqual(cluster.nodes.map(() => madeUp));
      expect(Number(protocol.split(".")[1])).toBeLessThan(6);
      return;
    }
    // Enabling a downgrade to the previous minor moves every member's storage version down to it.
    const [major, minor] = protocol.split(".").map(Number);
    const target = `${major}.${(minor ?? 1) - 1}`;
    await callGateway(endpoint, "maintenance/downgrade", { action: "ENABLE", version: target });
    try {
      // Bounded: etcd's version monitor moves the storage version within a few of its ticks.
      const until = Date.now() + 30_000;
      while ((await Promise.all(cluster.nodes.map(storageOf))).some((v) => v !== `${target}.0`)) {
        if (Date.now() > until) expect.fail(`storage version never moved to ${target}.0`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const rows = rowsOf((await runSim(cluster, ["-n", all, "etcd", "status"])).stdout);
      expect(rows.map((r) => r.slice(9, 11))).toEqual(cluster.nodes.map(() => [protocol, `${target}.0`]));
    } finally {
      await callGateway(endpoint, "maintenance/downgrade", { action: "CANCEL" });
    }
  });
});
