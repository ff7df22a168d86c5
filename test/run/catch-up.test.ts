/**
 * etcd issue 20271: a member that is sent a raft snapshot while it defragments can corrupt its database. On an
 * affected (or unknown) etcd the run defragments a member only while every voting member is within the catch-up
 * margin of the leader, waiting for that with the verification backoff, bounded by --wait-timeout.
 */
import { describe, expect, it } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import { CATCH_UP_MARGIN } from "../../src/policy.js";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";
import type { FakeCluster } from "./fake-cluster.js";
import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

const BEHIND = 500; // far more than the catch-up margin, well under the gate's lag threshold (1000)

/** The harness, plus a check at every defrag call that the last view the run saw had every voter caught up. */
function watched(cluster: FakeCluster) {
  let last: ClusterView | undefined;
  const lagAtDefrag: number[] = [];
  const h = harness(cluster, {
    readView: async () => {
      last = await cluster.readView();
      return last;
    },
  });
  const defrag = cluster.defrag.bind(cluster);
  cluster.defrag = async (node, timeoutMs) => {
    const leader = last?.members.find((m) => m.isLeader);
    const voters = last?.members.filter((m) => !m.isLearner) ?? [];
    lagAtDefrag.push(Math.max(...voters.map((m) => (leader?.raftIndex ?? 0) - m.raftAppliedIndex)));
    return defrag(node, timeoutMs);
  };
  return { ...h, lagAtDefrag };
}

describe("runDefrag on an etcd affected by etcd issue 20271", () => {
  it("waits for a lagging member to catch up before each defrag, then defragments every member", async () => {
    // Given etcd 3.5.21 and a follower 500 entries behind for the next few status calls
    const cluster = threeMembers();
    cluster.etcdVersion = "3.5.21";
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: 4 } };
    const { deps, events, lagAtDefrag } = watched(cluster);
    // When the run goes
    const report = await runDefrag(deps, options());
    // Then it waited, and no defrag started while a voter was more than the margin behind
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    const waits = events.filter((e) => e.type === "catch-up-waiting");
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ step: { node: N.big } });
    expect(lagAtDefrag).toHaveLength(3);
    for (const lag of lagAtDefrag) expect(lag).toBeLessThanOrEqual(CATCH_UP_MARGIN);
    // And the report names the advisory and the rule it applied
    expect(report.advisories.map((a) => a.id)).toEqual(["etcd-io/etcd#20271"]);
    expect(report.warnings.join("\n")).toMatch(/etcd issue 20271 affects etcd 3\.5\.21 on every member/);
    expect(report.warnings.join("\n")).toMatch(/within 100 entries of the leader's raft index/);
  });

  it("waits the same way when the version is unknown", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = null;
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: 4 } };
    const { deps, events, lagAtDefrag } = watched(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(events.some((e) => e.type === "catch-up-waiting")).toBe(true);
    for (const lag of lagAtDefrag) expect(lag).toBeLessThanOrEqual(CATCH_UP_MARGIN);
    expect(report.advisories).toEqual([]);
    expect(report.warnings.join("\n")).toMatch(/etcd version of .* is unknown/);
  });

  it("refuses, touching nothing, when the members never catch up before the first defrag", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = "3.6.4";
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: Number.POSITIVE_INFINITY } };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 30_000 }));
    expect(report.result).toBe("refused");
    expect(exitCodeForResult(report.result)).toBe(3);
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(report.refusedReasons.join("\n")).toMatch(
      /172\.20\.0\.4 was not defragmented: every voting member must first be within 100 entries .* not reached within 30 s: 172\.20\.0\.2 has applied index \d+, 500 entries behind/,
    );
    expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
  });

  it("fails part-way (exit 1) when a member falls behind for good after the first defrag", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = "3.5.21";
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big)
        c.script.behind = { [N.leader]: { entries: BEHIND, polls: Number.POSITIVE_INFINITY } };
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 30_000 }));
    expect(report.result).toBe("failed");
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      [N.big, "done"],
      [N.small, "not-touched"],
      [N.leader, "not-touched"],
    ]);
    expect(report.error).toMatch(/172\.20\.0\.2 was not defragmented: .* 172\.20\.0\.3 has applied index/);
  });

  it("stops waiting when a stop is requested, and touches nothing more", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = "3.5.21";
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: Number.POSITIVE_INFINITY } };
    const { deps, events, controller } = harness(cluster, {});
    const emit = deps.emit;
    deps.emit = (event) => {
      emit(event);
      if (event.type === "catch-up-waiting") controller.abort();
    };
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("interrupted");
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(events.filter((e) => e.type === "catch-up-waiting")).toHaveLength(1);
  });
});

describe("runDefrag on an etcd without the hazard", () => {
  it("does not wait for catch-up: the gate's lag threshold is the only lag rule", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = "3.6.12";
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: 4 } };
    const { deps, events, lagAtDefrag } = watched(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(events.some((e) => e.type === "catch-up-waiting")).toBe(false);
    expect(lagAtDefrag[0]).toBe(BEHIND);
    expect(report.advisories).toEqual([]);
    expect(report.warnings.join("\n")).not.toMatch(/20271|catch|within 100/);
  });

  it("a dry run names the hazard and the waiting rule without waiting", async () => {
    const cluster = threeMembers();
    cluster.etcdVersion = "3.6.4";
    cluster.script.behind = { [N.small]: { entries: BEHIND, polls: Number.POSITIVE_INFINITY } };
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options({ dryRun: true }));
    expect(report.result).toBe("ok");
    expect(events.some((e) => e.type === "catch-up-waiting")).toBe(false);
    expect(report.advisories.map((a) => a.id)).toEqual(["etcd-io/etcd#20271"]);
    expect(report.warnings.join("\n")).toMatch(/within 100 entries/);
  });
});
