/**
 * Whether leadership moves away before the leader's defrag. Pure: the plan decides from sizes alone (a slow-disk
 * rate from policy.ts), and the run decides again before the leader's defrag with the rate its own followers'
 * defrags showed: they hold the same data as the leader, on the same kind of machine.
 *
 * Under `auto` the cost of each choice is weighed: defragmenting in place stalls the leader (every write and
 * every request to it) for the whole defrag; a move usually costs ~0.1 s but sometimes drops a request in flight,
 * whose client waits out etcd's request timeout. So leadership moves only when the predicted stall is longer than
 * the threshold (--leader-move-above). `forfeit` always moves and `last` never does, whatever the numbers; a
 * forfeit that cannot move is refused by the plan (build-plan.ts), never turned into a defrag in place.
 */
import { ESTIMATED_DEFRAG_BYTES_PER_SECOND } from "../policy.js";
import { formatSize } from "../talos/size.js";
import type { LeaderDecision, LeaderMode } from "./types.js";

/** One follower defragmented in this run: its live bytes before the defrag and how long the defrag call took. */
export interface DefragSample {
  inUseBytes: number;
  callMs: number;
}

export interface MeasuredDefrags {
  samples: readonly DefragSample[];
  /**
   * The run's fixed cost of one talosctl call (process start, TLS handshake, apid's proxy hop), subtracted from
   * each defrag call so that only etcd's own work is left; null when the run has not measured it (taken as 0).
   */
  fixedCostMs: number | null;
}

export interface LeaderDecisionInput {
  mode: LeaderMode;
  thresholdMs: number;
  leaderInUseBytes: number;
  measured: MeasuredDefrags;
  /** Why leadership cannot move at all (the only voter, a learner transferee); null when it can. */
  cannotMove: string | null;
}

export const NO_MEASUREMENTS: MeasuredDefrags = { samples: [], fixedCostMs: null };

export function decideLeader(input: LeaderDecisionInput): LeaderDecision {
  const { mode, cannotMove } = input;
  if (mode !== "auto") {
    const wanted = mode === "forfeit";
    const base = {
      mode,
      predictedStallMs: null,
      thresholdMs: null,
      basis: "mode" as const,
      followersMeasured: 0,
      bytesPerSecond: null,
      fixedCostMs: null,
    };
    if (!wanted) return { ...base, move: false, reason: "--leader last: in place, last" };
    if (cannotMove !== null)
      return {
        ...base,
        move: false,
        reason: `--leader forfeit: leadership cannot move (${cannotMove}): refused`,
      };
    return { ...base, move: true, reason: "--leader forfeit: moving leadership first" };
  }
  const prediction = predictStall(input.leaderInUseBytes, input.measured);
  const wanted = exceedsThreshold(prediction.stallMs, input.thresholdMs);
  const move = wanted && cannotMove === null;
  const verdict =
    input.thresholdMs === 0
      ? "--leader-move-above 0"
      : `predicted stall ${prediction.tooFast ? "near " : ""}${formatMs(prediction.stallMs)} ${wanted ? ">" : "<="} ${formatMs(input.thresholdMs)}`;
  const then = move ? "moving leadership first" : wanted ? `in place, last: ${cannotMove}` : "in place, last";
  return {
    mode,
    move,
    predictedStallMs: prediction.stallMs,
    thresholdMs: input.thresholdMs,
    basis: prediction.basis,
    followersMeasured: input.measured.samples.length,
    bytesPerSecond: prediction.bytesPerSecond,
    fixedCostMs: prediction.basis === "measured" ? input.measured.fixedCostMs : null,
    reason: `${verdict} (${prediction.how}): ${then}`,
  };
}

/** Whether the mode or the numbers asked for a move, possible or not (decision.move says whether it happens). */
export function wantsMove(decision: LeaderDecision): boolean {
  if (decision.mode !== "auto") return decision.mode === "forfeit";
  return exceedsThreshold(decision.predictedStallMs ?? 0, decision.thresholdMs ?? 0);
}

/** The one rule of `auto`: a stall above the threshold asks for a move, and a threshold of 0 always does. */
function exceedsThreshold(stallMs: number, thresholdMs: number): boolean {
  return thresholdMs === 0 || stallMs > thresholdMs;
}

interface Prediction {
  stallMs: number;
  basis: "measured" | "estimate";
  /** null when the followers' defrags were too fast to tell from a status call. */
  bytesPerSecond: number | null;
  /** The numbers behind it, for a person. */
  how: string;
  /** The followers' defrags took no longer than a status call: the stall is "near 0", not a measured 0. */
  tooFast?: true;
}

function predictStall(leaderBytes: number, measured: MeasuredDefrags): Prediction {
  const size = formatSize(leaderBytes);
  const { samples } = measured;
  if (samples.length === 0) {
    const rate = ESTIMATED_DEFRAG_BYTES_PER_SECOND;
    return {
      stallMs: Math.round((leaderBytes / rate) * 1000),
      basis: "estimate",
      bytesPerSecond: rate,
      how: `${size} at a slow disk's ${formatSize(rate)}/s, estimated: no follower measured`,
    };
  }
  const fixed = measured.fixedCostMs ?? 0;
  const bytes = samples.reduce((sum, s) => sum + s.inUseBytes, 0);
  // A defrag call shorter than the fixed cost did no measurable work: it counts as 0, never as negative time.
  const netMs = samples.reduce((sum, s) => sum + Math.max(0, s.callMs - fixed), 0);
  const followers = `${samples.length} follower${samples.length === 1 ? "" : "s"}`;
  if (netMs === 0)
    return {
      stallMs: 0,
      basis: "measured",
      bytesPerSecond: null,
      how: `measured on ${followers}, whose defrags were too fast to time: no longer than a status call`,
      tooFast: true,
    };
  const rate = bytes / (netMs / 1000);
  return {
    stallMs: Math.round((leaderBytes / rate) * 1000),
    basis: "measured",
    bytesPerSecond: Math.round(rate),
    how: `${size} at ${formatSize(rate)}/s, measured on ${followers}`,
  };
}

/**
 * The median duration of the run's short calls (its `etcd status` reads): the same process start, TLS handshake
 * and apid proxy hop as a defrag call, without the work. The median, because one read can be slow for reasons of
 * its own (a GC pause, an extra etcdspec call). A status call asks every member at once, so it is an upper bound
 * of one node's hop: the net defrag time errs short, and the stall prediction errs towards in place only by a
 * few tens of ms. null when nothing was measured.
 */
export function estimateFixedCost(durationsMs: readonly number[]): number | null {
  if (durationsMs.length === 0) return null;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(median ?? 0);
}

/** `84 ms`, `2.7 s`: short enough for an 80-column progress line. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
