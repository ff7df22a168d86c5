/** The plan as data: what `defrag` would do and why. Pure and serialisable (`plan -o json`, `--dry-run`). */

/** auto: forfeit leadership, fall back to defragmenting it as leader when not allowed; forfeit: moving is required; last: never move. */
export type LeaderMode = "auto" | "forfeit" | "last";

export type StepRole = "follower" | "leader" | "learner";

export type StepAction = "defrag" | "skip";

export interface PlanStep {
  node: string;
  memberId: string;
  role: StepRole;
  action: StepAction;
  /** One phrase a person reads: why this member is (or is not) defragmented. */
  reason: string;
  /** True when leadership is to be handed over before this member is defragmented. */
  leaderMove: boolean;
  /** The leader's step only (null elsewhere): why leadership moves or stays, with the numbers that decided it. */
  leaderDecision: LeaderDecision | null;
}

/**
 * Whether leadership moves before the leader's defrag, and why (src/plan/leader-decision.ts). `basis`: measured
 * (the followers defragmented in this run gave the rate), estimate (no follower measured yet: a slow disk's rate
 * from policy.ts), mode (--leader forfeit or last decided, no numbers needed).
 */
export interface LeaderDecision {
  mode: LeaderMode;
  move: boolean;
  /** How long the leader's defrag in place is expected to stall it; null under forfeit/last. */
  predictedStallMs: number | null;
  /** --leader-move-above under auto; null under forfeit/last. */
  thresholdMs: number | null;
  basis: "measured" | "estimate" | "mode";
  /** Followers defragmented in this run whose defrag gave the rate. */
  followersMeasured: number;
  /** In-use bytes defragmented per second; null under forfeit/last, or when the defrags were too fast to time. */
  bytesPerSecond: number | null;
  /** The per-call cost of talosctl subtracted from each measured defrag call; null unless basis is measured. */
  fixedCostMs: number | null;
  /** One phrase for a person: the comparison and what follows from it. */
  reason: string;
}

export interface PlanOptions {
  force: boolean;
  leaderMode: LeaderMode;
  /** --leader-move-above: under auto, move leadership only when the leader's predicted stall is longer. */
  leaderMoveAboveMs?: number;
  /** --min-reclaim: a member the rule picks with fewer free bytes (`dbSizeFree`) is skipped; 0 turns it off. */
  minReclaimBytes?: number;
}

export interface Plan {
  result: "ok" | "nothing-to-do";
  force: boolean;
  leaderMode: LeaderMode;
  /** Followers (and learners) by reclaimable bytes, most first; the leader last. */
  steps: PlanStep[];
  warnings: string[];
  /** Why this plan must not run at all although the cluster is healthy (e.g. --leader forfeit and a learner transferee). */
  blockers: string[];
}

export interface GateOptions {
  /** A member whose applied index is more than this many entries behind the leader's raft index is refused. */
  lagThreshold?: number;
  /**
   * The catch-up margin for an etcd with a known defrag hazard (advisories.ts, catchUpMarginFor): every voting
   * member more than this many entries behind the leader's raft index is named in `notCaughtUp`.
   * Undefined: no such requirement.
   */
  requireCaughtUp?: number;
}

export interface GateResult {
  ok: boolean;
  /** Why the cluster must not be touched; empty when ok. */
  reasons: string[];
  /** Things to say but not to refuse for (NOSPACE, learners, single member). */
  warnings: string[];
  /**
   * Voting members not within `requireCaughtUp` of the leader. Not a refusal (`ok` ignores it): lag comes and
   * goes under load, so the run waits for it to clear before the next defrag instead.
   */
  notCaughtUp: string[];
}
