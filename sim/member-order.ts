/**
 * Member-ID order, shared by the simulated talosctl (whom Talos hands leadership to) and the harness
 * (arranging a learner so that it is, or is not, that member). Pure functions, no etcd.
 */
import { createHash } from "node:crypto";

export interface OrderedMember {
  /** uint64 as a decimal string, as etcd's gateway sends it. */
  id: string;
  isLearner: boolean;
}

export function compareMemberIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sortByMemberId<T extends { id: string }>(members: readonly T[]): T[] {
  return [...members].sort((a, b) => compareMemberIds(a.id, b.id));
}

/**
 * Where Talos's forfeit-leadership sends leadership: the first member other than the leader in
 * etcd's member list, which etcd keeps in ascending ID order. Learners are not skipped, and
 * nothing checks the target's health first.
 */
export function forfeitTargetOf<T extends OrderedMember>(
  members: readonly T[],
  leaderId: string,
): T | undefined {
  return sortByMemberId(members).find((m) => m.id !== leaderId);
}

/** The voters that, as leader, would hand leadership to a learner (true) or to a voter (false). */
export function leadersWhoseForfeitTargetsLearner<T extends OrderedMember>(
  members: readonly T[],
  learnerIsTarget: boolean,
): T[] {
  return sortByMemberId(members).filter(
    (m) => !m.isLearner && forfeitTargetOf(members, m.id)?.isLearner === learnerIsTarget,
  );
}

/** 1-based position of `id` among `ids` in ascending order. */
export function rankOfMemberId(ids: readonly string[], id: string): number {
  return ids.filter((other) => compareMemberIds(other, id) < 0).length + 1;
}

/**
 * The ID etcd (3.4 and 3.5 alike) gives a member: the first 8 bytes, big-endian, of
 * sha1(sorted peer URLs + cluster name + unix seconds). Initial members use the cluster token and
 * no time; `member add` uses an empty name and the second the request arrived in. So the ID of a
 * learner added during a chosen second is known in advance.
 */
export function computeMemberId(
  peerUrls: readonly string[],
  clusterName: string,
  unixSeconds?: number,
): string {
  const input =
    [...peerUrls].sort().join("") + clusterName + (unixSeconds === undefined ? "" : String(unixSeconds));
  return createHash("sha1").update(input).digest().readBigUInt64BE(0).toString();
}

/** The first whole second from `fromSeconds` (within `horizon`) in which an added member gets rank `rank`. */
export function findSecondForRank(
  peerUrl: string,
  otherIds: readonly string[],
  rank: number,
  fromSeconds: number,
  horizon = 600,
): number | null {
  for (let s = fromSeconds; s < fromSeconds + horizon; s++) {
    const id = computeMemberId([peerUrl], "", s);
    if (rankOfMemberId([...otherIds, id], id) === rank) return s;
  }
  return null;
}

/** Share of the 64-bit ID space in which an added member gets rank `rank` among `otherIds`. */
export function rankWindowShare(otherIds: readonly string[], rank: number): number {
  const sorted = [...otherIds].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const low = rank <= 1 ? 0n : (sorted[rank - 2] ?? 2n ** 64n);
  const high = sorted[rank - 1] ?? 2n ** 64n;
  return high > low ? Number(((high - low) * 1_000_000n) / 2n ** 64n) / 1_000_000 : 0;
}

/**
 * A cluster token under which the voters' IDs leave rank `rank` at least `minShare` of the ID space. Each
 * second of `member add` is a fresh draw, so the wait for a fitting second is geometric in that share: with a
 * random token the window can be tiny and the wait minutes long (seen: a learner cluster taking over 120 s).
 */
export function chooseTokenForRank(
  voterPeerUrls: readonly string[],
  rank: number,
  base: string,
  minShare = 0.2,
): string {
  for (let n = 0; n < 1000; n++) {
    const token = `${base}-${n}`;
    const ids = voterPeerUrls.map((url) => computeMemberId([url], token));
    if (rankWindowShare(ids, rank) >= minShare) return token;
  }
  return base;
}
