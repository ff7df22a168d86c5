/**
 * buildView: parsed talosctl rows -> the cluster view. Pure. Members are keyed by member ID (by value),
 * never by row order, because talosctl prints rows in the order nodes answered.
 */
import { ALARM } from "../policy.js";
import type { AlarmRow, MemberRow, MultiNodeResult, NodeFailure, StatusRow } from "../talos/types.js";
import { advisoriesFor } from "./advisories.js";
import { assessHealth } from "./health.js";
import { agreedLeader, nodeFromMember, predictTransferee } from "./leader.js";
import type { CompiledRule } from "./rule.js";
import type { AlarmView, ClusterView, MemberView, Quota } from "./types.js";

export interface ViewInput {
  status: MultiNodeResult<StatusRow>;
  members: MultiNodeResult<MemberRow>;
  alarms: MultiNodeResult<AlarmRow>;
  quota: Quota;
  rule: CompiledRule;
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
  const memberRows = uniqueBy(input.members.rows, (m) => m.memberId);
  const leaderId = agreedLeader(rows);
  const members: MemberView[] = rows.map((row) =>
    toMemberView(row, leaderId, quota, rule, input.imageVersion ?? null),
  );
  const leaderRow = rows.find((r) => r.memberId === leaderId);
  const leaderMember = memberRows.find((m) => m.memberId === leaderId);
  const leaderNode = leaderRow?.node ?? (leaderMember ? nodeFromMember(leaderMember) : undefined);
  const leader =
    leaderId !== null && leaderNode !== undefined ? { node: leaderNode, memberId: leaderId } : null;
  const alarms = collectAlarms(input.alarms.rows);
  const unreachable = mergeUnreachable(input.status.failures, input.members.failures, input.alarms.failures);
  const problems = assessHealth({ rows, members: memberRows, alarms, unreachable });
  return {
    members,
    clusterMemberIds: memberRows.map((m) => m.memberId).sort(),
    leader,
    leaderTransferee: predictTransferee(memberRows, leader?.memberId ?? null),
    alarms,
    unreachable,
    quota,
    // A learner is a normal part of a control-plane join: reported, but not a reason to call the cluster unhealthy
    // (the metrics' cluster_healthy, and the alerts built on it, must not fire for every node that joins).
    healthy: problems.every((p) => p.kind === "learner"),
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
    otherErrors: row.otherErrors,
    defragRecommended,
    etcdVersion: row.etcdVersion ?? imageVersion,
  };
}

function collectAlarms(rows: readonly AlarmRow[]): AlarmView[] {
  const real = rows
    .filter((r) => r.alarm !== ALARM.none)
    .map((r) => ({ memberId: r.memberId, alarm: r.alarm }));
  return uniqueBy(real, (a) => `${a.memberId}/${a.alarm}`);
}

/**
 * A learner refusing an RPC it does not serve (members, alarm list) answered: it is shown as a learner, never
 * as a node that did not answer. Every other failure is a node we could not read.
 */
function mergeUnreachable(...lists: (readonly NodeFailure[])[]): NodeFailure[] {
  const failed = lists.flat().filter((f) => f.kind !== "learner-refused");
  return uniqueBy(failed, (f) => f.node);
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
