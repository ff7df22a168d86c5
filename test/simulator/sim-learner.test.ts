/**
 * The simulator with a real learner: three voters and a fourth etcd joined with `member add --learner`.
 * What the learner node refuses comes from the learner's own etcd, in Talos's words and each release's
 * partial-failure shape.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster } from "../../sim/cluster.js";
import type { Release } from "../../sim/config.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";
import { assertSimBuilt, rowsOf, runSim } from "../../sim/exec-sim.js";
import type { SimCluster } from "../../sim/types.js";
import { verifySnapshotFile } from "../../src/run/snapshot-file.js";

const gate = checkEtcdGate("test/simulator/sim-learner.test.ts (simulator with a learner over real etcd)");
const IPS = ["127.0.0.71", "127.0.0.72", "127.0.0.73", "127.0.0.74"];
const LEARNER = "127.0.0.74";
const RELEASES: Release[] = ["v1.10", "v1.13", "v1.14"];

const MEMBERS_REFUSED = "rpc error: code = Unknown desc = etcdserver: rpc not supported for learner";
const ALARMS_REFUSED =
  "rpc error: code = Unknown desc = failed to list etcd alarms: etcdserver: rpc not supported for learner";
const DISARM_REFUSED =
  "rpc error: code = Unknown desc = failed to disarm etcd alarm: etcdserver: rpc not supported for learner";
const DEFRAG_REFUSED =
  "rpc error: code = Unknown desc = failed to defragment etcd: etcdserver: rpc not supported for learner";
const BAD_TRANSFEREE =
  "rpc error: code = Unknown desc = failed to forfeit leadership: etcdserver: bad leader transferee";

/** One node failed among several that answered: ≤v1.13 warns and exits 0, v1.14 names the node and exits 1. */
const partialFailure = (release: Release, node: string, error: string) =>
  release === "v1.14"
    ? { exitCode: 1, stderr: `error from node ${node}: ${error}\n` }
    : { exitCode: 0, stderr: `WARNING: 1 error occurred:\n\t* ${node}: ${error}\n\n` };

/** A single-node command failed: ≤v1.13 prints a one-item multierror, v1.14 the bare error. */
const singleFailure = (release: Release, node: string, error: string) =>
  release === "v1.14"
    ? { exitCode: 1, stderr: `${error}\n` }
    : { exitCode: 1, stderr: `1 error occurred:\n\t* ${node}: ${error}\n\n\n` };

/** forfeit-leadership takes several nodes: v1.14 reports a failed one as `error from node X:`. */
const forfeitFailure = (release: Release, node: string, error: string) =>
  release === "v1.14" ? partialFailure(release, node, error) : singleFailure(release, node, error);

it.runIf(gate.missingButRequired)("etcd is installed (REQUIRE_ETCD=1)", () => {
  expect.fail("REQUIRE_ETCD=1 but etcd/etcdctl are not installed: apt-get install etcd-server etcd-client");
});

describe.runIf(gate.available)("simulator with a learner over real etcd", { timeout: 60_000 }, () => {
  let cluster: SimCluster;
  let all: string;

  beforeAll(async () => {
    cluster = await startCluster({ ips: IPS, learner: true, release: "v1.13" });
    assertSimBuilt(cluster);
    all = cluster.nodes.join(",");
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("the harness joins the last IP as a learner with its own hostname", async () => {
    expect(cluster.learnerNode).toBe(LEARNER);
    expect(cluster.voterNodes).toEqual(IPS.slice(0, 3));
    const members = await cluster.memberList();
    expect(members.filter((m) => m.isLearner).map((m) => [m.node, m.name])).toEqual([
      [LEARNER, "talos-cp-4"],
    ]);
    // Default learnerIdRank 2: exactly one voter's ID sorts before the learner's.
    expect(members.findIndex((m) => m.isLearner)).toBe(1);
  });

  it.each(RELEASES)("%s: status answers on every node, LEARNER true only on the learner", async (release) => {
    await cluster.setRelease(release);
    const out = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe("");
    const rows = rowsOf(out.stdout);
    expect(rows.map((r) => r[0])).toEqual(IPS);
    expect(rows.map((r) => r[8])).toEqual(["false", "false", "false", "true"]);
    expect(new Set(rows.map((r) => r[4])).size).toBe(1);
  });

  it.each(RELEASES)(
    "%s: members from every node: the voters list the learner, the learner refuses",
    async (release) => {
      await cluster.setRelease(release);
      const out = await runSim(cluster, ["-n", all, "etcd", "members"]);
      expect({ exitCode: out.exitCode, stderr: out.stderr }).toEqual(
        partialFailure(release, LEARNER, MEMBERS_REFUSED),
      );
      const rows = rowsOf(out.stdout);
      expect(rows).toHaveLength(12);
      const learnerRows = rows.filter((r) => r[2] === "talos-cp-4");
      expect(learnerRows.map((r) => [r[0], r[4], r[5]])).toEqual(
        IPS.slice(0, 3).map((n) => [n, `https://${LEARNER}:2379`, "true"]),
      );
    },
  );

  it.each(
    RELEASES.flatMap((release) => [
      { release, command: "list", refusal: ALARMS_REFUSED },
      { release, command: "disarm", refusal: DISARM_REFUSED },
    ]),
  )("$release: alarm $command from every node: the learner refuses in Talos's words", async (c) => {
    await cluster.setRelease(c.release);
    const out = await runSim(cluster, ["-n", all, "etcd", "alarm", c.command]);
    expect({ exitCode: out.exitCode, stderr: out.stderr }).toEqual(
      partialFailure(c.release, LEARNER, c.refusal),
    );
    expect(out.stdout).toBe("");
  });

  it.each(RELEASES)("%s: defrag on the learner is refused, on a voter it works", async (release) => {
    await cluster.setRelease(release);
    const refused = await runSim(cluster, ["-n", LEARNER, "etcd", "defrag"]);
    expect({ exitCode: refused.exitCode, stderr: refused.stderr }).toEqual(
      singleFailure(release, LEARNER, DEFRAG_REFUSED),
    );
    const voter = await runSim(cluster, ["-n", IPS[0] ?? "", "etcd", "defrag"]);
    expect(voter.exitCode).toBe(0);
  });

  it("members with no -n from a context whose node is the learner: every node failed", async () => {
    await cluster.setRelease("v1.13");
    await cluster.setDefaultNodes([LEARNER]);
    try {
      const out = await runSim(cluster, ["etcd", "members"]);
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(
        `error getting members: 1 error occurred:\n\t* ${LEARNER}: ${MEMBERS_REFUSED}\n\n\n`,
      );
    } finally {
      await cluster.setDefaultNodes([IPS[0] ?? ""]);
    }
  });

  it.each(RELEASES)(
    "%s: forfeit on a leader whose first other member is the learner: etcd refuses",
    async (release) => {
      await cluster.setRelease(release);
      const leader = await cluster.arrangeForfeitTarget(true);
      const out = await runSim(cluster, ["-n", leader, "etcd", "forfeit-leadership"]);
      expect({ exitCode: out.exitCode, stderr: out.stderr }).toEqual(
        forfeitFailure(release, leader, BAD_TRANSFEREE),
      );
      expect(await cluster.leaderNode()).toBe(leader);
    },
  );

  it("forfeit on a leader whose first other member is a voter: that voter leads", async () => {
    await cluster.setRelease("v1.14");
    const leader = await cluster.arrangeForfeitTarget(false);
    const members = await cluster.memberList();
    // Ascending ID order: the first member other than the leader.
    const expected = members.find((m) => m.node !== leader);
    expect(expected?.isLearner).toBe(false);
    const out = await runSim(cluster, ["-n", leader, "etcd", "forfeit-leadership"]);
    expect(out).toMatchObject({ exitCode: 0, stderr: "" });
    expect(await cluster.leaderNode()).toBe(expected?.node);
  });

  it("forfeit on the learner node does nothing: it never leads", async () => {
    const before = await cluster.leaderNode();
    const out = await runSim(cluster, ["-n", LEARNER, "etcd", "forfeit-leadership"]);
    expect(out).toMatchObject({ exitCode: 0, stderr: "" });
    expect(await cluster.leaderNode()).toBe(before);
  });

  it("snapshot from the learner: etcd 3.5+ streams it, etcd 3.4 refuses and talosctl waits until killed", async () => {
    await cluster.setRelease("v1.13");
    const status = await runSim(cluster, ["-n", LEARNER, "etcd", "status"]);
    const version = rowsOf(status.stdout)[0]?.[9] ?? "";
    const path = join(cluster.dir, "learner-snapshot.db");
    const out = await runSim(cluster, ["-n", LEARNER, "etcd", "snapshot", path], { timeoutMs: 5000 });
    if (version.startsWith("3.4.")) {
      // Waited until the 5 s timeout's SIGTERM, which talosctl takes as a cancel: exit 1 (sim/cancel.ts).
      expect(out.durationMs).toBeGreaterThanOrEqual(5000);
      expect(out.exitCode).toBe(1);
    } else {
      expect(out.exitCode).toBe(0);
      expect(out.stdout).toMatch(/^etcd snapshot saved to /);
      const check = await verifySnapshotFile(path);
      expect(check.sha256Verified, check.problem).toBe(true);
    }
  });

  it("promoteLearner makes it a voter: status and members then say LEARNER false everywhere", async () => {
    await cluster.promoteLearner();
    const status = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(rowsOf(status.stdout).map((r) => r[8])).toEqual(["false", "false", "false", "false"]);
    const members = await runSim(cluster, ["-n", LEARNER, "etcd", "members"]);
    expect(members.exitCode).toBe(0);
    expect(rowsOf(members.stdout).map((r) => r[5])).toEqual(["false", "false", "false", "false"]);
    await expect(cluster.arrangeForfeitTarget(true)).rejects.toThrow(/no learner/);
  });
});
