/**
 * buildPlan: cluster view -> the ordered steps of a defrag run. Pure: the executor re-runs it before every
 * member because leadership can move under us, and `plan`/`--dry-run` print exactly what it returns.
 */
import { type CompiledRule, describeRule } from "../cluster/rule.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { isSingleMemberCluster, votersOf } from "../cluster/voters.js";
import type { Plan, PlanOptions, PlanStep, StepRole } from "./types.js";

export interface BuildPlanOptions extends PlanOptions {
  /** Used only to explain the verdict already in the view; the verdict itself is `defragRecommended`. */
  rule?: CompiledRule;
}

export function buildPlan(view: ClusterView, options: BuildPlanOptions): Plan {
  const leaderId = view.leader?.memberId ?? null;
  const voters = votersOf(view);
  const learnerTarget = learnerTransferee(view);
  const canMoveLeader = options.leaderMode !== "last" && voters.length > 1 && learnerTarget === null;
  const others = view.members.filter((m) => m.memberId !== leaderId).sort(byReclaimableFirst);
  const leader = view.members.filter((m) => m.memberId === leaderId);
  const steps = [...others, ...leader].map((member) =>
    planStep(view, member, leaderId, canMoveLeader, options),
  );
  const warnings: string[] = [];
  const blockers: string[] = [];
  const leaderStep = steps.find((s) => s.role === "leader" && s.action === "defrag");
  if (leaderStep !== undefined && options.leaderMode !== "last" && isSingleMemberCluster(view))
    warnings.push(`${leaderStep.node} is the only voting member: it is defragmented as leader`);
  if (leaderStep !== undefined && learnerTarget !== null && options.leaderMode !== "last") {
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

function planStep(
  view: ClusterView,
  member: MemberView,
  leaderId: string | null,
  canMoveLeader: boolean,
  options: BuildPlanOptions,
): PlanStep {
  const role: StepRole = member.isLearner ? "learner" : member.memberId === leaderId ? "leader" : "follower";
  const base = { node: member.node, memberId: member.memberId, role };
  if (role === "learner")
    return {
      ...base,
      action: "skip",
      reason: "learner: not a voting member yet, and etcd cannot defragment a learner",
      leaderMove: false,
    };
  const explained = options.rule === undefined ? undefined : explainRule(options.rule, member, view);
  if (options.force)
    return { ...base, action: "defrag", reason: "--force", leaderMove: role === "leader" && canMoveLeader };
  if (!member.defragRecommended) {
    const reason = explained === undefined ? "below the rule" : `below the rule: ${explained}`;
    return { ...base, action: "skip", reason, leaderMove: false };
  }
  const reason = explained === undefined ? "rule: recommended" : `rule: ${explained}`;
  return { ...base, action: "defrag", reason, leaderMove: role === "leader" && canMoveLeader };
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
