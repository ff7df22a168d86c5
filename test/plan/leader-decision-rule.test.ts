/** The leader decision as a table: mode, threshold, the leader's size and this run's measured defrags. */
import { describe, expect, it } from "vitest";
import {
  type DefragSample,
  decideLeader,
  estimateFixedCost,
  formatMs,
  type LeaderDecisionInput,
  wantsMove,
} from "../../src/plan/leader-decision.js";
import type { LeaderDecision } from "../../src/plan/types.js";
import { ESTIMATED_DEFRAG_BYTES_PER_SECOND } from "../../src/policy.js";

const MB = 1_000_000;

const input = (over: Partial<LeaderDecisionInput> = {}): LeaderDecisionInput => ({
  mode: "auto",
  // A fixed threshold, so that these cases keep their meaning when the default changes.
  thresholdMs: 300,
  leaderInUseBytes: 100 * MB,
  measured: { samples: [], fixedCostMs: null },
  cannotMove: null,
  ...over,
});

const measured = (samples: DefragSample[], fixedCostMs: number | null = 200) => ({ samples, fixedCostMs });

describe("decideLeader", () => {
  it.each<[string, Partial<LeaderDecisionInput>, Partial<LeaderDecision>]>([
    [
      // 2 × 100 MB in 2 × (1200 - 200) ms net: 100 MB/s, so the leader's 100 MB stalls it 1 s.
      "measured slow enough: moves",
      { measured: measured([sample(100, 1200), sample(100, 1200)]) },
      {
        move: true,
        basis: "measured",
        predictedStallMs: 1000,
        bytesPerSecond: 100 * MB,
        followersMeasured: 2,
      },
    ],
    [
      // 200 MB in 200 ms net: 1 GB/s; the leader's 100 MB takes 100 ms, under 300 ms.
      "measured fast: in place",
      { measured: measured([sample(100, 300), sample(100, 300)]) },
      { move: false, basis: "measured", predictedStallMs: 100, bytesPerSecond: 1000 * MB, fixedCostMs: 200 },
    ],
    [
      "the fixed cost is subtracted; a call shorter than it counts as 0, never negative",
      { measured: measured([sample(100, 150), sample(100, 600)]) },
      { predictedStallMs: 200, bytesPerSecond: 500 * MB },
    ],
    [
      "followers' defrags no longer than a status call: no rate, no stall, in place",
      { measured: measured([sample(100, 180)]) },
      { move: false, basis: "measured", predictedStallMs: 0, bytesPerSecond: null, followersMeasured: 1 },
    ],
    [
      "no fixed cost measured: the whole call counts",
      { measured: measured([sample(100, 250)], null) },
      { predictedStallMs: 250, fixedCostMs: null, move: false },
    ],
    [
      "equal to the threshold: in place (move only above it)",
      { measured: measured([sample(100, 500)]) },
      { predictedStallMs: 300, move: false },
    ],
    [
      "no follower measured: a slow disk's rate, said so",
      { leaderInUseBytes: 50 * MB },
      {
        move: true,
        basis: "estimate",
        bytesPerSecond: ESTIMATED_DEFRAG_BYTES_PER_SECOND,
        predictedStallMs: (50 * MB * 1000) / ESTIMATED_DEFRAG_BYTES_PER_SECOND,
        followersMeasured: 0,
        fixedCostMs: null,
      },
    ],
    [
      "a tiny leader stays in place even on the estimate",
      { leaderInUseBytes: 2 * MB },
      { move: false, basis: "estimate", predictedStallMs: 200 },
    ],
    [
      "threshold 0 always moves",
      { thresholdMs: 0, measured: measured([sample(100, 180)]) },
      { move: true, thresholdMs: 0, predictedStallMs: 0 },
    ],
    [
      "a wanted move that cannot happen: in place, and why",
      { cannotMove: "the forfeit target is a learner" },
      { move: false, basis: "estimate" },
    ],
    [
      "forfeit moves whatever the numbers",
      { mode: "forfeit", leaderInUseBytes: 1 },
      { move: true, basis: "mode", predictedStallMs: null, thresholdMs: null, bytesPerSecond: null },
    ],
    [
      "forfeit on a single member: no move (the plan refuses the run)",
      { mode: "forfeit", cannotMove: "it is the only voting member" },
      { move: false, basis: "mode" },
    ],
    [
      "last never moves",
      { mode: "last", leaderInUseBytes: 10_000 * MB },
      { move: false, basis: "mode", followersMeasured: 0 },
    ],
  ])("%s", (_, over, expected) => {
    const decision = decideLeader(input(over));
    expect(decision).toMatchObject({ mode: over.mode ?? "auto", ...expected });
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it("says the numbers and the outcome in its reason", () => {
    const slow = decideLeader(input({ measured: measured([sample(100, 1200)]) }));
    expect(slow.reason).toBe(
      "predicted stall 1.0 s > 300 ms (100 MB at 100 MB/s, measured on 1 follower): moving leadership first",
    );
    const estimate = decideLeader(input({ leaderInUseBytes: 2 * MB }));
    expect(estimate.reason).toBe(
      "predicted stall 200 ms <= 300 ms (2.0 MB at a slow disk's 10 MB/s, estimated: no follower measured): in place, last",
    );
    // Followers too fast to time from a status call: said in words, never as a bare "predicted stall 0 ms".
    const fast = decideLeader(input({ measured: measured([sample(100, 180), sample(100, 150)]) }));
    expect(fast.reason).toBe(
      "predicted stall near 0 ms <= 300 ms (measured on 2 followers, whose defrags were too fast to time: no longer than a status call): in place, last",
    );
    const learner = decideLeader(input({ cannotMove: "the forfeit target is a learner" }));
    expect(learner.reason).toMatch(/> 300 ms .*: in place, last: the forfeit target is a learner$/);
    expect(decideLeader(input({ thresholdMs: 0 })).reason).toMatch(/^--leader-move-above 0 \(/);
    expect(decideLeader(input({ mode: "last" })).reason).toBe("--leader last: in place, last");
  });

  it("wantsMove tells a wanted move from one that happens", () => {
    expect(wantsMove(decideLeader(input({ cannotMove: "x" })))).toBe(true);
    expect(wantsMove(decideLeader(input({ leaderInUseBytes: 1 })))).toBe(false);
    expect(wantsMove(decideLeader(input({ mode: "forfeit", cannotMove: "x" })))).toBe(true);
    expect(wantsMove(decideLeader(input({ mode: "last" })))).toBe(false);
  });
});

describe("estimateFixedCost", () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[230], 230],
    [[230, 5000, 210], 230],
    [[200, 240, 260, 9000], 250],
  ])("median of %j is %s", (durations, expected) => {
    expect(estimateFixedCost(durations)).toBe(expected);
  });
});

describe("formatMs", () => {
  it.each<[number, string]>([
    [0, "0 ms"],
    [299.6, "300 ms"],
    [999, "999 ms"],
    [1000, "1.0 s"],
    [12_345, "12.3 s"],
  ])("%s ms is %s", (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

function sample(inUseMB: number, callMs: number): DefragSample {
  return { inUseBytes: inUseMB * MB, callMs };
}
