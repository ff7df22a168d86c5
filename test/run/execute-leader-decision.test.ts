/**
 * `--leader auto` in a run: the leader's move is decided before its defrag from the followers this run has just
 * defragmented (their in-use bytes over their defrag time, less talosctl's per-call cost, which the fake clock
 * charges to every status call). Fast followers keep the leader in place; slow ones, or a threshold of 0, move it.
 */
import { describe, expect, it } from "vitest";
import { formatMs } from "../../src/plan/leader-decision.js";
import { DEFAULT_LEADER_MOVE_ABOVE_MS } from "../../src/policy.js";
import { runDefrag } from "../../src/run/execute.js";
import type { RunEvent } from "../../src/run/types.js";
import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

const MiB = 1024 * 1024;

/** A cluster whose defrag calls take `defragMs` and status calls `statusMs` on the fake clock. */
function timed(defragMs: number, statusMs = 200) {
  const cluster = threeMembers();
  cluster.script.defragMs = defragMs;
  cluster.script.statusMs = statusMs;
  return cluster;
}

const typesOf = (events: RunEvent[]) => events.map((e) => e.type);

describe("runDefrag: --leader auto decides from the run's own numbers", () => {
  it("fast followers: the leader is defragmented in place, last, and the step says why", async () => {
    // Given followers whose defrags take 250 ms against 200 ms for a status call (92 MiB in 100 ms net)
    const cluster = timed(250);
    const { deps, events } = harness(cluster);
    // When the run goes through under the default threshold
    const report = await runDefrag(deps, options());
    // Then nobody forfeits leadership, and the leader's 40 MiB is predicted to stall it ~44 ms
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(cluster.callsOf("forfeit")).toEqual([]);
    const leader = report.steps[2];
    expect(leader?.leaderMovedTo).toBeNull();
    expect(leader?.leaderDecision).toMatchObject({
      mode: "auto",
      move: false,
      basis: "measured",
      followersMeasured: 2,
      fixedCostMs: 200,
      thresholdMs: DEFAULT_LEADER_MOVE_ABOVE_MS,
      predictedStallMs: 43,
    });
    expect(leader?.leaderDecision?.reason).toMatch(
      new RegExp(
        `<= ${formatMs(DEFAULT_LEADER_MOVE_ABOVE_MS)} .*measured on 2 followers\\): in place, last$`,
      ),
    );
    expect(report.steps.slice(0, 2).map((s) => s.leaderDecision)).toEqual([null, null]);
    // And the decision is announced before the leader's defrag, with no leadership events
    const types = typesOf(events);
    expect(types).not.toContain("leader-forfeit");
    const decidedAt = types.indexOf("leader-decision");
    expect(decidedAt).toBeGreaterThan(types.indexOf("verified"));
    expect(types.lastIndexOf("defrag-started")).toBeGreaterThan(decidedAt);
  });

  it("slow followers: leadership moves before the leader's defrag", async () => {
    // Given followers whose defrags take 3.1 s (92 MiB in 5.8 s net: about 16 MB/s)
    const cluster = timed(3100);
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options());
    // Then leadership is forfeited on the leader and moves; the prediction (~2.6 s) is in the step
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.leader]);
    const leader = report.steps[2];
    expect(leader?.leaderMovedTo).toBe(N.small);
    expect(leader?.leaderDecision).toMatchObject({ move: true, basis: "measured", followersMeasured: 2 });
    expect(leader?.leaderDecision?.predictedStallMs).toBeGreaterThan(300);
    const types = typesOf(events);
    expect(types.indexOf("leader-decision")).toBeLessThan(types.indexOf("leader-forfeit"));
  });

  it("--leader-move-above 0 moves leadership even after fast followers", async () => {
    const cluster = timed(250);
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMoveAboveMs: 0 }));
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.leader]);
    expect(report.steps[2]?.leaderMovedTo).toBe(N.small);
    expect(report.steps[2]?.leaderDecision).toMatchObject({ move: true, thresholdMs: 0 });
  });

  it("a higher --leader-move-above keeps even a slow leader in place", async () => {
    const cluster = timed(3100);
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ leaderMoveAboveMs: 60_000 }));
    expect(cluster.callsOf("forfeit")).toEqual([]);
    expect(report.steps[2]?.leaderDecision).toMatchObject({ move: false, thresholdMs: 60_000 });
  });

  it("only the leader matches the rule: no rate measured, a slow-disk estimate, said so", async () => {
    // Given followers too small to need a defrag: nothing measures the rate before the leader
    const cluster = timed(250);
    for (const node of [N.small, N.big]) cluster.member(node).dbSize = 50 * MiB;
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    // Then the leader's 40 MiB at the estimate's 10 MB/s (~4.2 s) moves leadership
    expect(defragOrder(cluster)).toEqual([N.leader]);
    expect(report.steps.at(-1)?.leaderDecision).toMatchObject({
      move: true,
      basis: "estimate",
      followersMeasured: 0,
      fixedCostMs: null,
    });
    expect(report.steps.at(-1)?.leaderDecision?.reason).toMatch(/estimated: no follower measured/);
    expect(cluster.callsOf("forfeit").map((c) => c.node)).toEqual([N.leader]);
  });

  it("a follower whose defrag call failed is not a measurement", async () => {
    // Given .4's call fails although its database shrinks (the run goes on), and .2 is fast
    const cluster = timed(250);
    cluster.script.defrag[N.big] = "fail-shrinks";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.steps[2]?.leaderDecision).toMatchObject({ followersMeasured: 1, basis: "measured" });
  });

  it("a dry run shows the decision from sizes alone", async () => {
    const cluster = timed(250);
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ dryRun: true }));
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(report.steps.map((s) => s.leaderDecision?.basis ?? null)).toEqual([null, null, "estimate"]);
  });
});
