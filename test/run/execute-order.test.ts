import { describe, expect, it } from "vitest";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";

import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

describe("runDefrag: order and leadership", () => {
  it("defragments followers by reclaimable bytes, then moves leadership away and does the old leader last", async () => {
    // Given a healthy three-member cluster led by .3, with .4 the most fragmented
    const cluster = threeMembers();
    const { deps, events } = harness(cluster);
    // When the run goes through
    const report = await runDefrag(deps, options());
    // Then .4, .2, then .3 after forfeiting leadership on .3 only
    expect(report.result).toBe("ok");
    expect(exitCodeForResult(report.result)).toBe(0);
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.leader]);
    const forfeitAt = cluster.calls.findIndex((c) => c.method === "forfeit");
    const leaderDefragAt = cluster.calls.findIndex((c) => c.method === "defrag" && c.node === N.leader);
    expect(forfeitAt).toBeLessThan(leaderDefragAt);
    expect(report.steps.map((s) => [s.node, s.role, s.outcome, s.verified])).toEqual([
      [N.big, "follower", "done", true],
      [N.small, "follower", "done", true],
      [N.leader, "leader", "done", true],
    ]);
    expect(report.steps[2]?.leaderMovedTo).toBe(N.small);
    for (const step of report.steps) expect(step.after?.dbSize).toBeLessThan(step.before.dbSize);
    expect(report.steps[0]?.durationMs).toBe(3100);
    const verified = events.filter((e) => e.type === "verified");
    expect(verified.map((e) => e.type === "verified" && `${e.step.index}/${e.step.total}`)).toEqual([
      "1/3",
      "2/3",
      "3/3",
    ]);
    expect(events.some((e) => e.type === "leader-moved")).toBe(true);
    expect(events.at(-1)?.type).toBe("finished");
  });

  it("re-plans when leadership moves by itself mid-run: the new leader goes last", async () => {
    // Given leadership jumps to .2 on its own right after .4 is defragmented
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.leaderId = c.member(N.small).memberId;
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    // Then the old leader is done as a follower and the forfeit goes to the new leader
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.leader, N.small]);
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.small]);
    expect(report.steps.map((s) => [s.node, s.role])).toEqual([
      [N.big, "follower"],
      [N.leader, "follower"],
      [N.small, "leader"],
    ]);
  });

  it("--leader last never moves leadership", async () => {
    const cluster = threeMembers();
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMode: "last" }));
    expect(report.result).toBe("ok");
    expect(cluster.callsOf("forfeit")).toEqual([]);
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps[2]?.leaderMovedTo).toBeNull();
  });

  it("auto: a denied forfeit (PermissionDenied) falls back to defragmenting the leader as leader, with a warning", async () => {
    const cluster = threeMembers();
    cluster.script.forfeit = "denied";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps[2]?.leaderMovedTo).toBeNull();
    expect(report.warnings.join("\n")).toMatch(/denied.*os:admin.*as leader/);
  });

  it("forfeit: a denied forfeit is a failure and the leader is not defragmented", async () => {
    const cluster = threeMembers();
    cluster.script.forfeit = "denied";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMode: "forfeit" }));
    expect(report.result).toBe("failed");
    expect(exitCodeForResult(report.result)).toBe(1);
    expect(defragOrder(cluster)).toEqual([N.big, N.small]);
    expect(report.steps[2]).toMatchObject({
      node: N.leader,
      outcome: "failed",
      verified: false,
      after: null,
    });
    expect(report.error).toMatch(/os:admin/);
  });

  it("auto: leadership that does not move after forfeit is waited for, then the leader is defragmented as leader", async () => {
    const cluster = threeMembers();
    cluster.script.forfeit = "ignored";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 30_000 }));
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.warnings.join("\n")).toMatch(/did not move away from 172\.20\.0\.3.*as leader/);
    expect(cluster.clock).toBeGreaterThanOrEqual(30_000);
  });

  it("forfeit: leadership that does not move is a failure", async () => {
    const cluster = threeMembers();
    cluster.script.forfeit = "ignored";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMode: "forfeit", waitTimeoutMs: 30_000 }));
    expect(report.result).toBe("failed");
    expect(defragOrder(cluster)).toEqual([N.big, N.small]);
  });
});
