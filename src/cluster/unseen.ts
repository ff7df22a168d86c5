/**
 * What a view does not show. A member whose status was never read (a node that did not answer, a member in the
 * member list that was not asked or did not report) has an unknown size, role and alarm state: whatever would
 * need that member to be fine (disarming NOSPACE, "no alarms") must not be said or done on such a view.
 */
import type { ClusterView } from "./types.js";

/** One phrase per member or node whose state is unknown, naming it; empty when the view shows every member. */
export function unseenMembers(view: ClusterView): string[] {
  const seen = new Set(view.members.map((m) => m.memberId));
  const unseen: string[] = [];
  const named = new Set<string>();
  const add = (key: string, phrase: string) => {
    if (named.has(key)) return;
    named.add(key);
    unseen.push(phrase);
  };
  for (const f of view.unreachable) add(f.node, `${f.node} (did not answer)`);
  for (const p of view.problems) {
    if (p.kind === "unreachable" && p.node !== undefined) add(p.node, `${p.node} (did not answer)`);
    // A learner left out of -n is in the member list without a status row: its size is unknown too.
    const noRow = p.memberId !== undefined && !seen.has(p.memberId);
    if (p.kind === "missing-status" || (p.kind === "learner" && noRow))
      add(p.node ?? p.memberId ?? "?", `${p.node ?? `member ${p.memberId}`} (no status read)`);
  }
  if (view.problems.some((p) => p.kind === "no-voter"))
    add("no-voter", "the voting members (only learners answered)");
  if (view.members.length === 0 && unseen.length === 0)
    unseen.push("every member (no member reported status)");
  return unseen;
}

/**
 * Whether any voting member answered, so that the cluster-wide alarm list is known: every voter keeps the
 * whole alarm store, so one answer is the cluster's. False when no node answered (or only learners did).
 */
export function alarmsKnown(view: ClusterView): boolean {
  const silent = new Set(view.unreachable.map((f) => f.node));
  return view.members.some((m) => !m.isLearner && !silent.has(m.node));
}
