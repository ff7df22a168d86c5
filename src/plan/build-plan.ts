/**
 * buildPlan: cluster view -> the ordered steps of a defrag run. Pure: the executor re-runs it before every
 * member because leadership can move under us, and `plan`/`--dry-run` print exactly what it returns.
 */

import { decideDefrag } from "../cluster/defrag-decision.js";
import { type CompiledRule, describeRule } from "../cluster/rule.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { isSingleMemberCluster, votersOf } from "../cluster/voters.js";
import { DEFAULT_LEADER_MOVE_ABOVE_MS, MIN_RECLAIM_BYTES } from "../policy.js";
import { decideLeader, type MeasuredDefrags, NO_MEASUREMENTS, wantsMove } from "./leader-decision.js";
import type { Plan, PlanOptions, PlanStep, StepRole } from "./types.js";

export interface BuildPlanOptions extends PlanOptions {
  /** Used only to explain the verdict already in the view; the verdict itself is `defragRecommended`. */
  rule?: CompiledRule;
  /** The followers this run has defragmented so far (none in `plan`): the rate `--leader auto` decides by. */
  measured?: MeasuredDefrags;
}

export function buildPlan(view: ClusterView, options: BuildPlanOptions): Plan {
  const leaderId = view.leader?.memberId ?? null;
  const voters = votersOf(view);
  const learnerTarget = learnerTransferee(view);
  const cannotMove =
    voters.length <= 1
      ? "it is the only voting member"
      : learnerTarget === null
        ? null
        : "the forfeit target is a learner";
  const others = view.members.filter((m) => m.memberId !== leaderId).sort(byReclaimableFirst);
  const leader = view.members.filter((m) => m.memberId === leaderId);
  const steps = [...others, ...leader].map((member) => planStep(view, member, leaderId, options));
  const leaderStep = steps.find((s) => s.role === "leader" && s.action === "defrag");
  const decision =
    leaderStep === undefined
      ? null
      : decideLeader({
          mode: options.leaderMode,
          thresholdMs: options.leaderMoveAboveMs ?? DEFAULT_LEADER_MOVE_ABOVE_MS,
          leaderInUseBytes: inUseOf(view, leaderStep.memberId),
          measured: options.measured ?? NO_MEASUREMENTS,
          cannotMove,
        });
  if (leaderStep !== undefined && decision !== null) {
    leaderStep.leaderDecision = decision;
    leaderStep.leaderMove = decision.move;
  }
  const warnings: string[] = [];
  const blockers: string[] = [];
  // Only when the numbers asked for a move: a leader that stays in place anyway loses nothing by it.
  const blocked = decision !== null && wantsMove(decision);
  if (leaderStep !== undefined && blocked && isSingleMemberCluster(view)) {
    // forfeit means "moving is required": with nowhere to move, the run is refused, never done in place.
    if (options.leaderMode === "forfeit")
      blockers.push(
        `leadership cannot move away from ${leaderStep.node}: it is the only voting member; --leader forfeit never defragments a leader in place (use --leader auto or last to defragment it in place, with etcd unavailable meanwhile)`,
      );
    else warnings.push(`${leaderStep.node} is the only voting member: it is defragmented as leader`);
  }
  if (leaderStep !== undefined && learnerTarget !== null && blocked) {
    const why = `leadership cannot move away from ${leaderStep.node}: ${learnerTarget}`;
    if (options.leaderMode === "forfeit")
      blockers.push(
        `${why}; --leader forfeit never defragments a leader in place (use --leader auto to defragment it in place, last, or wait until Talos promotes the learner)`,
      );
    else {
      warnings.push(`${why}: the leader is defragmented in place, last, and its clients wait for its defrag`);
      leaderStep.reason = `${leaderStep.reason}; leadership cannot move (the forfeit target is a learner): in place, last`;
    }
  }
  const anything = steps.some((s) => s.action === "defrag");
  return {
    result: anything ? "ok" : "nothing-to-do",
    force: options.force,
    leaderMode: options.leaderMode,
    steps,
    warnings,
    blockers,
  };
}

/** Why forfeit-leadership would fail, when Talos would hand leadership to a learner; null when it would not. */
function learnerTransferee(view: ClusterView): string | null {
  // Only the leader's own transferee matters: a stale prediction for another leader would block for nothing.
  const target = view.leaderTransferee;
  if (target === null || !target.isLearner) return null;
  const who = `${target.name || target.memberId}${target.node === null ? "" : ` (${target.node})`}`;
  return `Talos's forfeit-leadership hands it to the other member with the lowest ID, ${who}, a learner, which etcd refuses ("bad leader transferee")`;
}

function inUseOf(view: ClusterView, memberId: string): number {
  return view.members.find((m) => m.memberId === memberId)?.dbSizeInUse ?? 0;
}

/** One member's step; the leader's move is decided afterwards (decideLeader), false until then. */
function planStep(
  view: ClusterView,
  member: MemberView,
  leaderId: string | null,
  options: BuildPlanOptions,
): PlanStep {
  const role: StepRole = member.isLearner ? "learner" : member.memberId === leaderId ? "leader" : "follower";
  const base = {
    node: member.node,
    memberId: member.memberId,
    role,
    leaderMove: false,
    leaderDecision: null,
  };
  if (role === "learner")
    return {
      ...base,
      action: "skip",
      reason: "learner: not a voting member yet, and etcd cannot defragment a learner",
    };
  const explained = options.rule === undefined ? undefined : explainRule(options.rule, member, view);
  const decision = decideDefrag(member, view.quota.bytes, {
    minReclaimBytes: options.minReclaimBytes ?? MIN_RECLAIM_BYTES,
    force: options.force,
  });
  if (options.force) return { ...base, action: "defrag", reason: "--force" };
  if (!decision.defrag && decision.why !== "floor") {
    const reason = explained === undefined ? "below the rule" : `below the rule: ${explained}`;
    return { ...base, action: "skip", reason };
  }
  const reason = explained === undefined ? "rule: recommended" : `rule: ${explained}`;
  if (!decision.defrag) return { ...base, action: "skip", reason: `${reason}; skipped: ${decision.floor}` };
  return { ...base, action: "defrag", reason };
}

function explainRule(rule: CompiledRule, member: MemberView, view: ClusterView): string {
  return describeRule(rule, {
    dbSize: member.dbSize,
    dbSizeInUse: member.dbSizeInUse,
    dbSizeFree: member.dbSizeFree,
    dbQuota: view.quota.bytes,
    dbQuotaUsage: member.quotaUsage,
  });
}

/** Most reclaimable first: the biggest win comes early, and ties stay in a stable, readable order. */
function byReclaimableFirst(a: MemberView, b: MemberView): number {
  if (a.isLearner !== b.isLearner) return a.isLearner ? 1 : -1;
  return b.dbSizeFree - a.dbSizeFree || a.node.localeCompare(b.node);
}
