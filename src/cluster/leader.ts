/** Who leads, by member ID, and which node a member lives on. */
import type { MemberRow, StatusRow } from "../talos/types.js";
import type { LeaderTransferee } from "./types.js";

/** The leader every answering voter names; null when none is known or they disagree. */
export function agreedLeader(rows: readonly StatusRow[]): string | null {
  const named = new Set(rows.filter((r) => !r.isLearner).map((r) => r.leaderId));
  if (named.size !== 1) return null;
  const [only] = named;
  return only ?? null;
}

/** On Talos the client URL's host is the node's address. */
export function nodeFromMember(member: MemberRow): string | undefined {
  const url = member.clientUrls[0];
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return undefined;
  }
}

/**
 * Talos's forfeit-leadership hands leadership to the first member other than the leader in ascending member-ID
 * order (learners included, no health check). IDs are 16 zero-padded hex digits, so string order is numeric order.
 */
export function predictTransferee(
  members: readonly MemberRow[],
  leaderId: string | null,
): LeaderTransferee | null {
  if (leaderId === null || !members.some((m) => m.memberId === leaderId)) return null;
  const [first] = members
    .filter((m) => m.memberId !== leaderId)
    .sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  if (first === undefined) return null;
  return {
    memberId: first.memberId,
    node: nodeFromMember(first) ?? null,
    name: first.hostname,
    isLearner: first.isLearner,
  };
}
