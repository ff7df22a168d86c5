/**
 * What the simulator's call log says about a run: how many talosctl calls, how long a leadership move took, and
 * whether verification asked the cluster with ONE `etcd status` for all nodes each time (the target).
 */
import type { CallLogEntry } from "../sim/cluster.js";

export interface CallSummary {
  total: number;
  byCommand: Record<string, number>;
  /** Each `etcd forfeit-leadership` call, epoch ms (the move has completed when it returns). */
  leaderTransfers: { node: string; start: number; end: number }[];
  /** From the first defrag on: the reads that verification and re-planning made. */
  statusCallsDuringRun: number;
  statusCallsNamingEveryNode: number;
  /** Per defrag: from its end to the end of the last status poll before the next action (verification). */
  verifyMs: number[];
  /** members / alarm list / etcdspec between the first and the last defrag: a poll should not need them. */
  otherReadsBetweenDefrags: number;
}

const OTHER_READS = new Set(["members", "alarm list", "etcdspec"]);

export function summarizeCalls(log: readonly CallLogEntry[], nodes: readonly string[]): CallSummary {
  const byCommand: Record<string, number> = {};
  for (const entry of log) byCommand[entry.command] = (byCommand[entry.command] ?? 0) + 1;
  const defrags = log.filter((e) => e.command === "defrag");
  const firstDefrag = Math.min(...defrags.map((e) => e.start));
  const lastDefragEnd = Math.max(...defrags.map((e) => e.end));
  const statusDuringRun = log.filter((e) => e.command === "status" && e.start >= firstDefrag);
  const everyNode = (e: CallLogEntry) => nodes.every((n) => e.nodes.includes(n));
  return {
    total: log.length,
    byCommand,
    leaderTransfers: log
      .filter((e) => e.command === "forfeit-leadership")
      .map((e) => ({ node: e.nodes.join(","), start: e.start, end: e.end })),
    verifyMs: defrags.map((d) => measureVerification(log, d)),
    statusCallsDuringRun: statusDuringRun.length,
    statusCallsNamingEveryNode: statusDuringRun.filter(everyNode).length,
    otherReadsBetweenDefrags: log.filter(
      (e) => OTHER_READS.has(e.command) && e.start >= firstDefrag && e.start <= lastDefragEnd,
    ).length,
  };
}

/** The polls that follow a defrag until something else is done (a leadership move, the next defrag, the end). */
function measureVerification(log: readonly CallLogEntry[], defrag: CallLogEntry): number {
  const later = log.filter((e) => e.start >= defrag.end).sort((a, b) => a.start - b.start);
  let lastPollEnd = defrag.end;
  for (const entry of later) {
    if (entry.command !== "status") break;
    lastPollEnd = Math.max(lastPollEnd, entry.end);
  }
  return lastPollEnd - defrag.end;
}
