/**
 * Cluster shapes and leadership changes, against the executor with a fake clock: one member, two members, a
 * learner, the leader lost mid-run, leadership moved by someone else. Nothing really waits.
 */
import { describe, expect, it } from "vitest";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";
import { FakeCluster, type FakeMember } from "../run/fake-cluster.js";
import { defragOrder, harness, N, options, threeMembers } from "../run/run-harness.js";

const MiB = 1024 * 1024;

function member(node: string, memberId: string, dbSize: number, learner = false): FakeMember {
  return { node, memberId, dbSize, dbSizeInUse: 40 * MiB, appliedIndex: 0, learner, up: true, errors: [] };
}

describe("cluster shapes", () => {
  it("a single-member cluster: defragmented in place as leader, no forfeit, with the unavailability warning", async () => {
    const cluster = new FakeCluster([member(N.leader, "ecebb05b59a776f1", 900 * MiB)], N.leader);
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.leader]);
    expect(cluster.callsOf("forfeit")).toEqual([]);
    expect(report.steps).toMatchObject([
      { node: N.leader, role: "leader", outcome: "done", leaderMovedTo: null },
    ]);
    expect(report.warnings.join("\n")).toMatch(/single-member cluster: etcd .* is unavailable/);
  });

  it("a two-member cluster: the follower first, then leadership moves to it and the old leader goes last", async () => {
    const cluster = new FakeCluster(
      [member(N.leader, "ecebb05b59a776f1", 900 * MiB), member(N.small, "a49c021e76e707db", 700 * MiB)],
      N.leader,
    );
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.small, N.leader]);
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.leader]);
    expect(report.steps.map((s) => [s.node, s.role, s.outcome])).toEqual([
      [N.small, "follower", "done"],
      [N.leader, "leader", "done"],
    ]);
    expect(report.steps[1]?.leaderMovedTo).toBe(N.small);
    expect(report.warnings.join("\n")).not.toMatch(/single-member/);
  });

  it("a learner is never defragmented, not even with --force, and never asked to lead", async () => {
    const cluster = threeMembers();
    cluster.fleet.push(member("172.20.0.5", "1f2e3d4c5b6a7988", 2000 * MiB, true));
    for (const m of cluster.fleet) m.appliedIndex = cluster.raftIndex;
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ force: true }));
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps.find((s) => s.node === "172.20.0.5")).toMatchObject({
      role: "learner",
      action: "skip",
      outcome: "skipped",
    });
    expect(report.warnings.join("\n")).toMatch(/172\.20\.0\.5 is a learner/);
  });
});

describe("leadership changes mid-run", () => {
  it("the leader is lost while a follower is verified: waits, fails at --wait-timeout (exit 1), touches nothing more", async () => {
    // Given the leader's node dies right after .4's defrag, and the others elect .2 a little later
    const cluster = threeMembers();
    let polls = 0;
    cluster.script.afterDefrag = (node, c) => {
      if (node !== N.big) return;
      c.member(N.leader).up = false;
      c.leaderId = null;
      c.script.beforeStatus = (_, cc) => {
        polls++;
        if (polls === 3) cc.leaderId = cc.member(N.small).memberId;
      };
    };
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 30_000 }));
    // Then the run fails on .4's verification and no other member is defragmented or asked to forfeit
    expect(report.result).toBe("failed");
    expect(exitCodeForResult(report.result)).toBe(1);
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(cluster.callsOf("forfeit")).toEqual([]);
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(report.error).toMatch(/172\.20\.0\.4 was not verified .*172\.20\.0\.3 does not answer/);
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      [N.big, "failed"],
      [N.small, "not-touched"],
      [N.leader, "not-touched"],
    ]);
    const waits = events
      .filter((e) => e.type === "verify-waiting")
      .map((e) => e.type === "verify-waiting" && e.unmet.join());
    expect(waits[0]).toMatch(/do not agree on one leader/);
    expect(cluster.clock).toBeGreaterThanOrEqual(30_000);
  });

  it("leadership moved by someone else onto a member already done: no forfeit is needed any more", async () => {
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.leaderId = c.member(N.big).memberId;
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    // The old leader is now a follower: ordered by reclaimable bytes like any other (860 MiB before 655 MiB).
    expect(defragOrder(cluster)).toEqual([N.big, N.leader, N.small]);
    expect(cluster.callsOf("forfeit")).toEqual([]);
    expect(report.steps.map((s) => [s.node, s.role, s.outcome])).toEqual([
      [N.big, "follower", "done"],
      [N.leader, "follower", "done"],
      [N.small, "follower", "done"],
    ]);
  });

  it("leadership lands elsewhere than forfeit's pick: the run follows the cluster, not its own guess", async () => {
    // Given someone else moves leadership to .4 (already done) while we forfeit on .3
    const cluster = threeMembers();
    const forfeit = cluster.forfeitLeadership.bind(cluster);
    cluster.forfeitLeadership = async (node) => {
      await forfeit(node);
      cluster.leaderId = cluster.member(N.big).memberId;
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMode: "forfeit" }));
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps[2]).toMatchObject({ node: N.leader, leaderMovedTo: N.big, outcome: "done" });
  });
});
