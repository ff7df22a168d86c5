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
 * The run's first look serves the first member's re-plan the same way (issue 21: with --yes and no snapshot it is
 * milliseconds old). It was read before the run lock was taken, so another run of this tool on this machine may
 * have ended in between; within a second that is the same exposure every re-plan already has to a run from
 * another machine, which a lock on this machine never excludes, and the gate's checks and each member's
 * verification hold whatever the view's age. The first look is not timed: it is a full read (status beside
 * the etcdspec and the node reads, then members), not the single status call `--leader auto` needs the cost of.
 *
 * Each read is also timed: a read in the run is one `etcd status` call, so its duration is what talosctl costs
 * per call without etcd doing any work, which `--leader auto` subtracts from the followers' defrag calls.
 */
import type { ClusterView } from "../cluster/types.js";
import type { RunDeps } from "./types.js";

export interface RecentViews {
  /** A fresh read, remembered. */
  read(): Promise<ClusterView>;
  /** A view read just now by other means (the run's first, full look), remembered but not timed. */
  keep(view: ClusterView): void;
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
    keep(view) {
      last = { view, at: deps.now() };
    },
    durations: () => durations,
    recent(maxAgeMs) {
      if (last === undefined || deps.now() - last.at > maxAgeMs) return undefined;
      return last.view;
    },
  };
}
