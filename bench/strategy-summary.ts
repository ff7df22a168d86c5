/**
 * Per strategy, over its runs: the distribution issue 14 asks for. Median and worst, not the mean: a move that
 * costs 0.1 s three times in four and 7 s once has a mean that describes no run at all.
 */
import { median } from "./extras.js";
import type { StallSummary } from "./stall.js";
import type { StrategyId } from "./strategies.js";

export interface StrategySummary {
  strategy: StrategyId;
  runs: number;
  stalledClientMs: { median: number; worst: number };
  worstRequestMs: { median: number; worst: number };
  /** Runs in which at least one request to a member not being defragmented hit etcd's request timeout. */
  runsWithTimeoutHit: number;
  /** Runs in which the tool moved leadership (a forfeit-leadership call was made). */
  runsWithMove: number;
  failedRequests: number;
}

/** What the summary needs of one run (a StrategyResult has it all). */
export interface RunStall {
  strategy: StrategyId;
  stall: StallSummary;
  calls: { leaderTransfers: readonly unknown[] };
}

/** In the order the strategies first appear (the order they were asked for). */
export function summarizeStrategies(runs: readonly RunStall[]): StrategySummary[] {
  const order = [...new Set(runs.map((r) => r.strategy))];
  return order.map((strategy) => {
    const mine = runs.filter((r) => r.strategy === strategy);
    const stalled = mine.map((r) => r.stall.stalledClientMs);
    const worst = mine.map((r) => r.stall.worst?.ms ?? 0);
    return {
      strategy,
      runs: mine.length,
      stalledClientMs: { median: median(stalled), worst: Math.max(...stalled) },
      worstRequestMs: { median: median(worst), worst: Math.max(...worst) },
      runsWithTimeoutHit: mine.filter((r) => r.stall.timeoutHits > 0).length,
      runsWithMove: mine.filter((r) => r.calls.leaderTransfers.length > 0).length,
      failedRequests: mine.reduce((sum, r) => sum + r.stall.failed, 0),
    };
  });
}
