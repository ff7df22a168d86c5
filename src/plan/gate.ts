/**
 * The pre-flight gate: may this cluster be touched at all? Built on the problems the view already names,
 * with the raw fields checked too, so a hand-built or partial view cannot slip through.
 */
import type { ClusterView, ProblemKind } from "../cluster/types.js";
import { isSingleMemberCluster, votersOf } from "../cluster/voters.js";
import type { GateOptions, GateResult } from "./types.js";

export const DEFAULT_GATE_LAG_THRESHOLD = 1000;

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
    for (const alarm of view.alarms.filter((a) => a.alarm === "CORRUPT"))
      reasons.push(`CORRUPT alarm on member ${alarm.memberId}: do not defragment; investigate first`);

  reasons.push(...messagesOf("member-errors"));
  reasons.push(...findLaggards(view, opts.lagThreshold ?? DEFAULT_GATE_LAG_THRESHOLD));

  const nospace = messagesOf("alarm-nospace");
  if (nospace.length > 0) warnings.push(...nospace);
  else if (view.alarms.some((a) => a.alarm === "NOSPACE"))
    warnings.push("NOSPACE alarm active: defragmentation frees the space; the alarm is disarmed afterwards");
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
 * Voters more than `margin` entries behind the leader's raft index (the leader included: its own applied index
 * trails its commits under load). Learners are left out: they are never defragmented, and a joining learner
 * is expected to be far behind (the leader may well send it a snapshot).
 */
function findNotCaughtUp(view: ClusterView, margin: number): string[] {
  const leader = view.members.find((m) => m.memberId === view.leader?.memberId);
  if (leader === undefined) return ["no agreed leader to be caught up with"];
  return votersOf(view)
    .filter((m) => leader.raftIndex - m.raftAppliedIndex > margin)
    .map(
      (m) =>
        `${m.node} applied index ${m.raftAppliedIndex} is ${leader.raftIndex - m.raftAppliedIndex} entries behind the leader's raft index ${leader.raftIndex} (more than ${margin})`,
    );
}

/** Our own lag check, so the caller's threshold applies whatever threshold built the view. */
function findLaggards(view: ClusterView, threshold: number): string[] {
  const leader = view.members.find((m) => m.memberId === view.leader?.memberId);
  if (leader === undefined) return [];
  return view.members
    .filter((m) => leader.raftIndex - m.raftAppliedIndex > threshold)
    .map(
      (m) =>
        `${m.node} has applied index ${m.raftAppliedIndex}, ${leader.raftIndex - m.raftAppliedIndex} entries behind the leader's raft index ${leader.raftIndex} (more than ${threshold})`,
    );
}
