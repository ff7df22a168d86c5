/** Voting members of a view, and whether the view shows the whole cluster. */
import type { ClusterView, MemberView } from "./types.js";

export function votersOf(view: ClusterView): MemberView[] {
  return view.members.filter((m) => !m.isLearner);
}

/**
 * A single voter is a single-member cluster only when no member is missing from the view: with a partial -n
 * (or nodes down) the one voter that answered is not alone, and saying so would mislead.
 */
export function isSingleMemberCluster(view: ClusterView): boolean {
  const incomplete = view.problems.some((p) => p.kind === "missing-status" || p.kind === "unreachable");
  return votersOf(view).length === 1 && !incomplete;
}

/**
 * How many voting members the cluster has: etcd's member list (every member, whichever nodes were asked or
 * answered) and the members that reported status, less the learners. Not the voters that answered: a member that
 * is down or left out of -n still counts toward the quorum. With no member list (no voter answered), only the
 * members that reported status are known.
 */
export function votingMemberCount(
  view: Pick<ClusterView, "members" | "clusterMemberIds" | "problems">,
): number {
  const learners = new Set([
    ...view.members.filter((m) => m.isLearner).map((m) => m.memberId),
    ...view.problems.flatMap((p) => (p.kind === "learner" && p.memberId !== undefined ? [p.memberId] : [])),
  ]);
  const ids = new Set([...view.clusterMemberIds, ...view.members.map((m) => m.memberId)]);
  return [...ids].filter((id) => !learners.has(id)).length;
}
