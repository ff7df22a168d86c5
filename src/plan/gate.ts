/**
 * The pre-flight gate: may this cluster be touched at all? Built on the problems the view already names,
 * with the raw fields checked too, so a hand-built or partial view cannot slip through.
 */
import { describeLaggard, findLaggards } from "../cluster/lag.js";
import type { ClusterView, ProblemKind } from "../cluster/types.js";
import { isSingleMemberCluster, votersOf } from "../cluster/voters.js";
import { ALARM, MAX_APPLIED_LAG } from "../policy.js";
import type { GateOptions, GateResult } from "./types.js";

export function checkGate(view: ClusterView, opts: GateOptions = {}): GateResult {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const messagesOf = (...kinds: ProblemKind[]) =>
    view.problems.filter((p) => kinds.includes(p.kind)).map((p) => p.message);

  const unreachable = messagesOf("unreachable");
  if (unreachable.length > 0) reasons.push(...unreachable);
  else reasons.push(...view.unreachable.map((f) => `${f.node} did not answer: ${f.error}`));
  reasons.push(...messagesOf("missing-status"));

  const voters = votersOf(view);
  if (voters.length === 0) {
    reasons.push("no voting etcd member answered");
  } else if (view.leader === null) {
    const leaderProblems = messagesOf("no-leader", "leader-disagreement");
    reasons.push(
      ...(leaderProblems.length > 0 ? leaderProblems : ["the members do not agree on one leader"]),
    );
  }

  const corrupt = messagesOf("alarm-corrupt");
  if (corrupt.length > 0) reasons.push(...corrupt);
  else
    for (const alarm of view.alarms.filter((a) => a.alarm === ALARM.corrupt))
      reasons.push(`CORRUPT alarm on member ${alarm.memberId}: do not defragment; investigate first`);

  reasons.push(...messagesOf("member-errors"));
  // The lag policy of status and check (src/cluster/lag.ts), here with the caller's limit if it has one.
  const limit = opts.lagThreshold ?? MAX_APPLIED_LAG;
  reasons.push(
    ...findLaggards(view.members, view.leader?.memberId ?? null, limit).map(
      (l) => `${describeLaggard(l)} (more than ${limit})`,
    ),
  );

  const nospace = messagesOf("alarm-nospace");
  if (nospace.length > 0) warnings.push(...nospace);
  else if (view.alarms.some((a) => a.alarm === ALARM.nospace))
    warnings.push("NOSPACE alarm active: defragmentation frees the space; the alarm is disarmed afterwards");
  const learners = messagesOf("learner");
  if (learners.length > 0) warnings.push(...learners);
  else
    for (const learner of view.members.filter((m) => m.isLearner))
      warnings.push(`${learner.node} is a learner (not yet a voting member): skipped`);
  if (
    voters.length === 2 &&
    view.problems.every((p) => p.kind !== "missing-status" && p.kind !== "unreachable")
  )
    warnings.push(
      "two-member cluster: quorum needs both members, so there is no margin while one is blocked by its defrag; a second failure then stops the cluster",
    );
  if (isSingleMemberCluster(view))
    warnings.push(
      "single-member cluster: etcd (and the Kubernetes API) is unavailable while it is defragmented",
    );

  const notCaughtUp = opts.requireCaughtUp === undefined ? [] : findNotCaughtUp(view, opts.requireCaughtUp);
  return { ok: reasons.length === 0, reasons, warnings, notCaughtUp };
}

/**
 * The lag policy's own measure (voters only, against the leader's raft index), with the tighter catch-up margin.
 * The leader counts too: its applied index trails its commits under load. Learners are left out: they are never
 * defragmented, and a joining learner is expected to be far behind (the leader may well send it a snapshot).
 */
function findNotCaughtUp(view: ClusterView, margin: number): string[] {
  if (view.leader === null) return ["no agreed leader to be caught up with"];
  return findLaggards(view.members, view.leader.memberId, margin).map(
    (l) => `${describeLaggard(l)} (more than ${margin})`,
  );
}
