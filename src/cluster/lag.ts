/**
 * The lag policy (src/policy.ts MAX_APPLIED_LAG), applied the same way by status, check, the defrag gate and
 * verification: only voting members count, measured against the leader's raft index.
 */
import { MAX_APPLIED_LAG } from "../policy.js";

export interface LagSample {
  node: string;
  memberId: string;
  isLearner: boolean;
  raftIndex: number;
  raftAppliedIndex: number;
}

export interface Laggard {
  node: string;
  memberId: string;
  appliedIndex: number;
  leaderRaftIndex: number;
  lag: number;
}

/** Voting members more than `limit` entries behind the leader; none when the leader is unknown. */
export function findLaggards(
  members: readonly LagSample[],
  leaderId: string | null,
  limit: number = MAX_APPLIED_LAG,
): Laggard[] {
  const leader = members.find((m) => m.memberId === leaderId);
  if (leader === undefined) return [];
  return members
    .filter((m) => !m.isLearner && leader.raftIndex - m.raftAppliedIndex > limit)
    .map((m) => ({
      node: m.node,
      memberId: m.memberId,
      appliedIndex: m.raftAppliedIndex,
      leaderRaftIndex: leader.raftIndex,
      lag: leader.raftIndex - m.raftAppliedIndex,
    }));
}

export function describeLaggard(l: Laggard): string {
  return `${l.node} has applied index ${l.appliedIndex}, ${l.lag} entries behind the leader's raft index ${l.leaderRaftIndex}`;
}
