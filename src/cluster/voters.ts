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
