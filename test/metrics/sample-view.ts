/** A small hand-written three-member cluster: one leader, one bloated follower, one learner, one NOSPACE alarm. */
import type { ClusterView, MemberView } from "../../src/cluster/types.js";
import type { RunMetricsInput } from "../../src/metrics/run-metrics.js";

function member(overrides: Partial<MemberView> & Pick<MemberView, "node" | "memberId">): MemberView {
  return {
    isLeader: false,
    isLearner: false,
    dbSize: 17_000_000,
    dbSizeInUse: 4_500_000,
    dbSizeFree: 12_500_000,
    inUseRatio: 0.2647,
    quotaUsage: 0.0079,
    raftIndex: 53391,
    raftTerm: 4,
    raftAppliedIndex: 53391,
    errors: [],
    otherErrors: [],
    defragRecommended: false,
    etcdVersion: "3.6.12",
    ...overrides,
  };
}

export const SAMPLE_VIEW: ClusterView = {
  members: [
    member({
      node: "172.20.0.3",
      memberId: "ecebb05b59a776f1",
      isLeader: true,
      dbSize: 21_000_000,
      rssBytes: 95_000_000,
      diskAvailableBytes: 7_410_000_000,
    }),
    member({
      node: "172.20.0.4",
      memberId: "0b47fb33e59bf0e2",
      dbSize: 1_500_000_000,
      dbSizeInUse: 47_000_000,
      dbSizeFree: 1_453_000_000,
      inUseRatio: 0.0325,
      quotaUsage: 0.6985,
      defragRecommended: true,
      rssBytes: 1_700_000_000,
      diskAvailableBytes: 30_000_000,
    }),
    // Memory and disk not read for this one (processes/mounts refused): no sample rather than a made-up 0.
    member({
      node: "172.20.0.2",
      memberId: "a49c021e76e707db",
      isLearner: true,
      rssBytes: null,
      diskAvailableBytes: null,
    }),
  ],
  clusterMemberIds: [],
  leader: { node: "172.20.0.3", memberId: "ecebb05b59a776f1" },
  leaderTransferee: null,
  alarms: [
    { memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" },
    { memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" },
  ],
  unreachable: [{ node: "172.20.0.5", kind: "unreachable", error: "rpc error: code = Unavailable" }],
  quota: { bytes: 2_147_483_648, source: "default" },
  healthy: false,
  problems: [],
  advisories: [],
};

export const SAMPLE_NOW = new Date("2026-11-22T03:00:00.000Z");

export const SAMPLE_RUN: RunMetricsInput = {
  command: "defrag",
  result: "ok",
  startedAt: SAMPLE_NOW,
  durationMs: 42_500,
  membersDefragmented: 3,
  bytesReclaimed: 1_470_000_000,
};
