/** Health assessment: every reason a cluster is not in a state to be touched, each named for a person. */
import { isAlarmError } from "../talos/error-alarms.js";
import type { MemberRow, NodeFailure, StatusRow } from "../talos/types.js";
import { agreedLeader, nodeFromMember } from "./leader.js";
import type { AlarmView, Problem } from "./types.js";

export interface HealthInput {
  rows: readonly StatusRow[];
  members: readonly MemberRow[];
  alarms: readonly AlarmView[];
  unreachable: readonly NodeFailure[];
  lagThreshold: number;
}

export function assessHealth(input: HealthInput): Problem[] {
  const { rows, members, alarms, unreachable, lagThreshold } = input;
  const problems: Problem[] = [];

  for (const failure of unreachable) {
    problems.push({
      kind: "unreachable",
      node: failure.node,
      message: `${failure.node} did not answer: ${failure.error}${nextStepFor(failure.error)}`,
    });
  }

  const answered = new Set(rows.map((r) => r.memberId));
  const unreachableNodes = new Set(unreachable.map((f) => f.node));
  for (const member of members) {
    const node = nodeFromMember(member);
    if (answered.has(member.memberId) || (node !== undefined && unreachableNodes.has(node))) continue;
    problems.push({
      kind: "missing-status",
      memberId: member.memberId,
      ...(node === undefined ? {} : { node }),
      message: `member ${member.hostname || member.memberId} (${node ?? "no client URL"}) is in the member list but was not asked or did not report status; include its node with -n`,
    });
  }

  const leaderId = agreedLeader(rows);
  const voters = rows.filter((r) => !r.isLearner);
  if (voters.length > 0 && leaderId === null) {
    const named = new Set(voters.map((r) => r.leaderId));
    if (named.size > 1) {
      const list = voters.map((r) => `${r.node} -> ${r.leaderId ?? "none"}`).join(", ");
      problems.push({ kind: "leader-disagreement", message: `members disagree on the leader (${list})` });
    } else {
      problems.push({
        kind: "no-leader",
        message: "no member knows a leader: the cluster has lost quorum or is electing",
      });
    }
  }

  for (const row of rows.filter((r) => r.isLearner)) {
    problems.push({
      kind: "learner",
      node: row.node,
      memberId: row.memberId,
      message: `${row.node} is a learner (not yet a voting member); it will be skipped`,
    });
  }

  for (const alarm of alarms) {
    const kind = alarm.alarm === "CORRUPT" ? "alarm-corrupt" : "alarm-nospace";
    const node = rows.find((r) => r.memberId === alarm.memberId)?.node;
    const where = node === undefined ? `member ${alarm.memberId}` : `${node} (${alarm.memberId})`;
    const what =
      alarm.alarm === "CORRUPT"
        ? "data corruption detected: do not defragment or disarm; investigate and restore from a snapshot"
        : alarm.alarm === "NOSPACE"
          ? "the database reached its quota and etcd refuses writes; defragmentation frees the space"
          : "etcd raised this alarm";
    problems.push({
      kind,
      memberId: alarm.memberId,
      ...(node === undefined ? {} : { node }),
      message: `${alarm.alarm} alarm on ${where}: ${what}`,
    });
  }

  for (const row of rows) {
    const errors = row.errors.filter((e) => !isAlarmError(e));
    if (errors.length === 0) continue;
    problems.push({
      kind: "member-errors",
      node: row.node,
      memberId: row.memberId,
      message: `${row.node} reports: ${errors.join(", ")}`,
    });
  }

  const leaderRow = rows.find((r) => r.memberId === leaderId);
  if (leaderRow !== undefined) {
    // A learner is catching up by definition: it is reported as a learner, not as lagging.
    for (const row of rows.filter((r) => !r.isLearner)) {
      const lag = leaderRow.raftIndex - row.raftAppliedIndex;
      if (lag <= lagThreshold) continue;
      problems.push({
        kind: "applied-lag",
        node: row.node,
        memberId: row.memberId,
        message: `${row.node} has applied index ${row.raftAppliedIndex}, ${lag} entries behind the leader's raft index ${leaderRow.raftIndex}`,
      });
    }
  }
  return problems;
}

/** The two "did not answer" causes the operator fixes on their side, not the cluster's. */
function nextStepFor(error: string): string {
  if (/PermissionDenied|not authorized/.test(error))
    return " (the talosconfig's role may not read etcd: os:reader or higher is needed)";
  if (/only available on control plane/.test(error))
    return " (a worker node: give only control plane nodes with -n)";
  return "";
}
