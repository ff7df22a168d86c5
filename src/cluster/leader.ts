/** Who leads, by member ID, and which node a member lives on. */
import type { MemberRow, StatusRow } from "../talos/types.js";

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
