/** Hand-built cluster views for the pure planner and gate tests: no parser or view builder in the way. */
import type { ClusterView, MemberView, Problem } from "../../src/cluster/types.js";

export const MiB = 1024 * 1024;
export const QUOTA = 2 * 1024 * MiB;

export function member(node: string, over: Partial<MemberView> = {}): MemberView {
  const dbSize = over.dbSize ?? 500 * MiB;
  const dbSizeInUse = over.dbSizeInUse ?? 40 * MiB;
  return {
    node,
    memberId: `00000000000000${node.split(".").at(-1)?.padStart(2, "0") ?? "00"}`,
    isLeader: false,
    isLearner: false,
    dbSize,
    dbSizeInUse,
    dbSizeFree: dbSize - dbSizeInUse,
    inUseRatio: dbSizeInUse / dbSize,
    quotaUsage: dbSize / QUOTA,
    raftIndex: 5000,
    raftTerm: 3,
    raftAppliedIndex: 5000,
    errors: [],
    otherErrors: over.errors ?? [],
    defragRecommended: true,
    etcdVersion: "3.6.12",
    ...over,
  };
}

/** The member flagged isLeader becomes the agreed leader. */
export function view(members: MemberView[], over: Partial<ClusterView> = {}): ClusterView {
  const leader = members.find((m) => m.isLeader);
  const problems: Problem[] = over.problems ?? [];
  return {
    members,
    clusterMemberIds: members.map((m) => m.memberId).sort(),
    leader: leader === undefined ? null : { node: leader.node, memberId: leader.memberId },
    leaderTransferee: null,
    alarms: [],
    unreachable: [],
    quota: { bytes: QUOTA, source: "default" },
    healthy: problems.length === 0,
    problems,
    advisories: [],
    ...over,
  };
}
