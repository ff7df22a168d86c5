/**
 * buildView: parsed talosctl rows -> the cluster view. Pure. Members are keyed by member ID (by value),
 * never by row order, because talosctl prints rows in the order nodes answered.
 */
import type { AlarmRow, MemberRow, MultiNodeResult, NodeFailure, StatusRow } from "../talos/types.js";
import { advisoriesFor } from "./advisories.js";
import { assessHealth } from "./health.js";
import { agreedLeader, nodeFromMember } from "./leader.js";
import type { CompiledRule } from "./rule.js";
import type { AlarmView, ClusterView, MemberView, Quota } from "./types.js";

/** A follower whose applied index is this many entries behind the leader's raft index is "far behind". */
export const DEFAULT_LAG_THRESHOLD = 1000;

export interface ViewInput {
  status: MultiNodeResult<StatusRow>;
  members: MultiNodeResult<MemberRow>;
  alarms: MultiNodeResult<AlarmRow>;
  quota: Quota;
  rule: CompiledRule;
  lagThreshold?: number;
  /**
   * The etcd version in the etcdspec image, read from one node: the version of every member whose status has
   * no PROTOCOL (talosctl before v1.11). Talos runs the same image on every control-plane node unless their
   * machine configs differ, so one node's image stands for all; PROTOCOL, where there is one, is per member.
   */
  imageVersion?: string | null;
}

export function buildView(input: ViewInput): ClusterView {
  const { quota, rule } = input;
  const rows = uniqueBy(input.status.rows, (r) => r.memberId);
  const leaderId = agreedLeader(rows);
  const members: MemberView[] = rows.map((row) =>
    toMemberView(row, leaderId, quota, rule, input.imageVersion ?? null),
  );
  const leaderRow = rows.find((r) => r.memberId === leaderId);
  const leaderMember = input.members.rows.find((m) => m.memberId === leaderId);
  const leaderNode = leaderRow?.node ?? (leaderMember ? nodeFromMember(leaderMember) : undefined);
  const leader =
    leaderId !== null && leaderNode !== undefined ? { node: leaderNode, memberId: leaderId } : null;
  const alarms = collectAlarms(input.alarms.rows);
  const unreachable = mergeUnreachable(
    input.status.unreachable,
    input.members.unreachable,
    input.alarms.unreachable,
  );
  const problems = assessHealth({
    rows,
    members: uniqueBy(input.members.rows, (m) => m.memberId),
    alarms,
    unreachable,
    lagThreshold: input.lagThreshold ?? DEFAULT_LAG_THRESHOLD,
  });
  return {
    members,
    leader,
    alarms,
    unreachable,
    quota,
    healthy: problems.length === 0,
    problems,
    advisories: advisoriesFor(members),
  };
}

function toMemberView(
  row: StatusRow,
  leaderId: string | null,
  quota: Quota,
  rule: CompiledRule,
  imageVersion: string | null,
): MemberView {
  const dbSizeFree = Math.max(0, row.dbSize - row.dbSizeInUse);
  const quotaUsage = quota.bytes > 0 ? row.dbSize / quota.bytes : 0;
  const defragRecommended = rule.evaluate({
    dbSize: row.dbSize,
    dbSizeInUse: row.dbSizeInUse,
    dbSizeFree,
    dbQuota: quota.bytes,
    dbQuotaUsage: quotaUsage,
  });
  return {
    node: row.node,
    memberId: row.memberId,
    isLeader: leaderId !== null && row.memberId === leaderId,
    isLearner: row.isLearner,
    dbSize: row.dbSize,
    dbSizeInUse: row.dbSizeInUse,
    dbSizeFree,
    inUseRatio: row.inUseRatio,
    quotaUsage,
    raftIndex: row.raftIndex,
    raftTerm: row.raftTerm,
    raftAppliedIndex: row.raftAppliedIndex,
    errors: row.errors,
    defragRecommended,
    etcdVersion: row.etcdVersion ?? imageVersion,
  };
}

function collectAlarms(rows: readonly AlarmRow[]): AlarmView[] {
  const real = rows.filter((r) => r.alarm !== "NONE").map((r) => ({ memberId: r.memberId, alarm: r.alarm }));
  return uniqueBy(real, (a) => `${a.memberId}/${a.alarm}`);
}

function mergeUnreachable(...lists: (readonly NodeFailure[])[]): NodeFailure[] {
  return uniqueBy(lists.flat(), (f) => f.node);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
