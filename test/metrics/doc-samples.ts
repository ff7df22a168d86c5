/**
 * The views behind the sample metrics in docs/SCHEDULING.md: the docs test renders them and compares the
 * doc's block byte for byte, so the sample is always what the renderer writes.
 */
import type { ClusterView, MemberView } from "../../src/cluster/types.js";
import type { RunMetricsInput } from "../../src/metrics/run-metrics.js";

function member(overrides: Partial<MemberView> & Pick<MemberView, "node" | "memberId">): MemberView {
  return {
    isLeader: false,
    isLearner: false,
    dbSize: 0,
    dbSizeInUse: 0,
    dbSizeFree: 0,
    inUseRatio: 0,
    quotaUsage: 0,
    raftIndex: 981_204,
    raftTerm: 7,
    raftAppliedIndex: 981_204,
    errors: [],
    otherErrors: [],
    defragRecommended: false,
    etcdVersion: "3.6.12",
    ...overrides,
  };
}

/** A healthy three-member cluster right after a defrag (docs/SCHEDULING.md, "A sample"). */
export const AFTER_DEFRAG_VIEW: ClusterView = {
  members: [
    member({
      node: "172.20.0.2",
      memberId: "a49c021e76e707db",
      dbSize: 6_300_000,
      dbSizeInUse: 4_500_000,
      dbSizeFree: 1_800_000,
      quotaUsage: 0.0029,
      rssBytes: 52_000_000,
      diskAvailableBytes: 7_600_000_000,
    }),
    member({
      node: "172.20.0.3",
      memberId: "ecebb05b59a776f1",
      isLeader: true,
      dbSize: 6_600_000,
      dbSizeInUse: 4_600_000,
      dbSizeFree: 2_000_000,
      quotaUsage: 0.0031,
      rssBytes: 58_000_000,
      diskAvailableBytes: 7_410_000_000,
    }),
    member({
      node: "172.20.0.4",
      memberId: "0b47fb33e59bf0e2",
      dbSize: 6_200_000,
      dbSizeInUse: 4_500_000,
      dbSizeFree: 1_700_000,
      quotaUsage: 0.0029,
      rssBytes: 51_000_000,
      diskAvailableBytes: 6_910_000_000,
    }),
  ],
  clusterMemberIds: ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"],
  leader: { node: "172.20.0.3", memberId: "ecebb05b59a776f1" },
  leaderTransferee: null,
  alarms: [],
  unreachable: [],
  quota: { bytes: 2_147_483_648, source: "default" },
  healthy: true,
  problems: [],
  advisories: [],
};

export const AFTER_DEFRAG_NOW = new Date(1_795_318_272_000);

export const AFTER_DEFRAG_RUN: RunMetricsInput = {
  command: "defrag",
  result: "ok",
  startedAt: new Date(1_795_318_200_000),
  durationMs: 71_840,
  membersDefragmented: 3,
  bytesReclaimed: 1_498_900_000,
};
