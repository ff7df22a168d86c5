/** Health assessment: every reason a cluster is not in a state to be touched, each named for a person. */
import { ALARM } from "../policy.js";
import { nextStepFor } from "../talos/error-kinds.js";
import type { MemberRow, NodeFailure, StatusRow } from "../talos/types.js";
import { describeLaggard, findLaggards } from "./lag.js";
import { agreedLeader, nodeFromMember } from "./leader.js";
import type { AlarmView, Problem } from "./types.js";

export interface HealthInput {
  rows: readonly StatusRow[];
  members: readonly MemberRow[];
  alarms: readonly AlarmView[];
  unreachable: readonly NodeFailure[];
}

const LEARNER_NOTE =
  "not yet a voting member; Talos promotes a joining control-plane member within minutes, and etcd cannot defragment a learner, so it is skipped";

export function assessHealth(input: HealthInput): Problem[] {
  const { rows, members, alarms, unreachable } = input;
  const problems: Problem[] = [];

  for (const failure of unreachable) {
    problems.push({
      kind: "unreachable",
      node: failure.node,
      message: `${failure.node} did not answer: ${failure.error}${nextStepFor(failure.kind)}`,
    });
  }

  const answered = new Set(rows.map((r) => r.memberId));
  const unreachableNodes = new Set(unreachable.map((f) => f.node));
  for (const member of members) {
    const node = nodeFromMember(member);
    if (answered.has(member.memberId)) continue;
    // A node that did not answer is named once, as unreachable; a learner there is still said to be one, so that
    // nobody counts it as a voter (the quorum an upgrade's reboots need).
    if (node !== undefined && unreachableNodes.has(node) && !member.isLearner) continue;
    const where = `${member.hostname || member.memberId} (${node ?? "no client URL"})`;
    // A learner left out of -n is not a gap in the view: it is never touched, whatever it reports.
    problems.push(
      member.isLearner
        ? {
            kind: "learner",
            memberId: member.memberId,
            ...(node === undefined ? {} : { node }),
            message: `member ${where} is a learner: ${LEARNER_NOTE}`,
          }
        : {
            kind: "missing-status",
            memberId: member.memberId,
            ...(node === undefined ? {} : { node }),
            message: `member ${where} is in the member list but was not asked or did not report status; include its node with -n`,
          },
    );
  }

  const leaderId = agreedLeader(rows);
  const voters = rows.filter((r) => !r.isLearner);
  // Learners answered but no voter did: the leader, the alarms and the member list are the voters' to tell, so
  // nothing about the cluster is known. (When nobody answered at all, each node's failure already says so.)
  if (rows.length > 0 && voters.length === 0)
    problems.push({
      kind: "no-voter",
      message:
        "no voting member answered (only learners did): the cluster's leader, alarms and members are unknown; include a voting member's node with -n",
    });
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
      message: `${row.node} is a learner: ${LEARNER_NOTE}`,
    });
  }

  for (const alarm of alarms) {
    const kind = alarm.alarm === ALARM.corrupt ? "alarm-corrupt" : "alarm-nospace";
    const node = rows.find((r) => r.memberId === alarm.memberId)?.node;
    const where = node === undefined ? `member ${alarm.memberId}` : `${node} (${alarm.memberId})`;
    const what =
      alarm.alarm === ALARM.corrupt
        ? "data corruption detected: do not defragment or disarm; investigate and restore from a snapshot"
        : alarm.alarm === ALARM.nospace
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
    if (row.otherErrors.length === 0) continue;
    problems.push({
      kind: "member-errors",
      node: row.node,
      memberId: row.memberId,
      message: `${row.node} reports: ${row.otherErrors.join(", ")}`,
    });
  }

  for (const laggard of findLaggards(rows, leaderId)) {
    problems.push({
      kind: "applied-lag",
      node: laggard.node,
      memberId: laggard.memberId,
      message: describeLaggard(laggard),
    });
  }
  return problems;
}
