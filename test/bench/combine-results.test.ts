/** bench:combine groups runs by etcd line, size and strategy (auto by its threshold) and counts moves that timed out. */
import { describe, expect, it } from "vitest";
import { combineRuns, moveTimeoutRates } from "../../bench/combine-results.js";

function run(
  strategy: string,
  stalledClientMs: number,
  opts: { moved?: boolean; timeout?: boolean; threshold?: number } = {},
) {
  return {
    strategy,
    stall: {
      idleP99Ms: 10,
      stalledClientMs,
      over1s: 0,
      failed: opts.timeout ? 1 : 0,
      timeoutHits: opts.timeout ? 1 : 0,
      localTimeoutHits: 0,
      worst: null,
    },
    calls: { leaderTransfers: opts.moved ? [{}] : [] },
    leaderStep:
      opts.threshold === undefined
        ? null
        : { leaderDecision: { thresholdMs: opts.threshold, predictedStallMs: 400 } },
  };
}

const file = (etcd: string, sizeBytes: number, strategies: ReturnType<typeof run>[]) => ({
  machine: { etcd },
  options: { sizeBytes },
  strategies,
});

describe("combineRuns", () => {
  const rows = combineRuns([
    file("3.4.23", 200e6, [
      run("last", 1000),
      run("forfeit", 300, { moved: true }),
      run("auto", 900, { threshold: 300, moved: true }),
    ]),
    file("3.4.23", 200e6, [
      run("last", 1400),
      run("forfeit", 7300, { moved: true, timeout: true }),
      run("auto", 1100, { threshold: 1000 }),
    ]),
    file("3.5.30", 1e9, [run("forfeit", 500, { moved: true })]),
  ]);

  it.each([
    [
      "3.4.23",
      "200 MB",
      "last",
      { runs: 2, stalledMedian: 1200, stalledMean: 1200, stalledWorst: 1400, moves: 0 },
    ],
    [
      "3.4.23",
      "200 MB",
      "forfeit",
      { runs: 2, stalledMean: 3800, runsWithTimeout: 1, movesWithTimeout: 1, failedRequests: 1 },
    ],
    ["3.4.23", "200 MB", "auto (300 ms)", { runs: 1, moves: 1, predictedMedian: 400 }],
    ["3.4.23", "200 MB", "auto (1 s)", { runs: 1, moves: 0 }],
    ["3.5.30", "1 GB", "forfeit", { runs: 1, moves: 1, movesWithTimeout: 0 }],
  ])("%s %s %s", (etcd, size, strategy, expected) => {
    const row = rows.find((r) => r.etcd === etcd && r.size === size && r.strategy === strategy);
    expect(row).toMatchObject(expected);
  });

  it("counts, per etcd line, the runs that moved leadership and hit a timeout", () => {
    expect(moveTimeoutRates(rows)).toEqual([
      { etcd: "3.4.23", moves: 3, withTimeout: 1 },
      { etcd: "3.5.30", moves: 1, withTimeout: 0 },
    ]);
  });
});
