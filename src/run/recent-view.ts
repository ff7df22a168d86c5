/**
 * Every view the run reads, remembered with the time it was read, so the next member's re-plan can use the view
 * that the previous member's verification (or the leadership move) has just read instead of asking again.
 *
 * Why that is safe: a verification poll is the same single `etcd status` call for every node that a re-plan would
 * make, and nothing is changed between the end of a verification and the next re-plan. A view no older than
 * REPLAN_VIEW_MAX_AGE_MS therefore says what a fresh read would say, up to that age. Anything older (a snapshot in
 * between, a confirmation prompt) is read anew. Only the re-plan and the first look of the NOSPACE step may take a
 * recent view; every verification poll and the look after a disarm always read afresh.
 *
 * Each read is also timed: a read in the run is one `etcd status` call, so its duration is what talosctl costs
 * per call without etcd doing any work, which `--leader auto` subtracts from the followers' defrag calls.
 */
import type { ClusterView } from "../cluster/types.js";
import type { RunDeps } from "./types.js";

export interface RecentViews {
  /** A fresh read, remembered. */
  read(): Promise<ClusterView>;
  /** The last view read, when it is no older than maxAgeMs; else undefined. */
  recent(maxAgeMs: number): ClusterView | undefined;
  /** How long each read so far took, in ms, in the order read. */
  durations(): readonly number[];
}

export function rememberViews(deps: Pick<RunDeps, "readView" | "now">): RecentViews {
  let last: { view: ClusterView; at: number } | undefined;
  const durations: number[] = [];
  return {
    async read() {
      const startedAt = deps.now();
      const view = await deps.readView();
      last = { view, at: deps.now() };
      durations.push(Math.max(0, last.at - startedAt));
      return view;
    },
    durations: () => durations,
    recent(maxAgeMs) {
      if (last === undefined || deps.now() - last.at > maxAgeMs) return undefined;
      return last.view;
    },
  };
}
