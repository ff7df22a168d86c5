/**
 * Is the member we just defragmented back and in step with the cluster? Compared with the view taken just
 * before its defrag: same member ID on its node, every member answering, one agreed leader, no new errors
 * or alarms, and its applied index caught up with the leader's raft index as first seen after the defrag.
 */

import { describeLaggard, findLaggards } from "../cluster/lag.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { ALARM } from "../policy.js";
import type { PollVerdict } from "./poll.js";
import type { MemberRef } from "./types.js";

export interface VerifyTracker {
  judge(view: ClusterView): PollVerdict<MemberView>;
}

export function trackVerification(target: MemberRef, baseline: ClusterView): VerifyTracker {
  let targetIndex: number | null = null;
  const baselineErrors = new Map(baseline.members.map((m) => [m.memberId, new Set(m.errors)]));
  const baselineAlarms = new Set(baseline.alarms.map((a) => `${a.memberId}/${a.alarm}`));
  return {
    judge(view) {
      if (targetIndex === null) targetIndex = leaderRaftIndex(view);
      const newAlarms = view.alarms.filter((a) => !baselineAlarms.has(`${a.memberId}/${a.alarm}`));
      const corrupt = newAlarms.find((a) => a.alarm === ALARM.corrupt);
      if (corrupt !== undefined) return { fatal: `a CORRUPT alarm appeared on member ${corrupt.memberId}` };
      // etcd never lifts an alarm by itself, so waiting for it would only wait out --wait-timeout: stop now.
      const nospace = newAlarms.find((a) => a.alarm === ALARM.nospace);
      if (nospace !== undefined)
        return {
          fatal:
            `a NOSPACE alarm was raised during the run on member ${nospace.memberId}: the cluster reached its ` +
            "quota and refuses writes; check the members' sizes (status) before anything else",
        };
      const onNode = view.members.find((m) => m.node === target.node);
      if (onNode !== undefined && onNode.memberId !== target.memberId)
        return { fatal: `${target.node} now answers as member ${onNode.memberId}, not ${target.memberId}` };

      const unmet: string[] = [];
      if (onNode === undefined) unmet.push(`${target.node} does not answer`);
      for (const failure of view.unreachable)
        if (failure.node !== target.node) unmet.push(`${failure.node} does not answer`);
      for (const before of baseline.members)
        if (before.node !== target.node && !view.members.some((m) => m.memberId === before.memberId))
          unmet.push(`member ${before.memberId} (${before.node}) is missing`);
      if (view.leader === null) unmet.push("the members do not agree on one leader");
      // The lag policy of the gate, for every other voter: the defrag must not have left the cluster behind.
      for (const laggard of findLaggards(view.members, view.leader?.memberId ?? null))
        if (laggard.node !== target.node) unmet.push(describeLaggard(laggard));
      for (const member of view.members) {
        const known = baselineErrors.get(member.memberId) ?? new Set<string>();
        const fresh = member.errors.filter((e) => !known.has(e));
        if (fresh.length > 0) unmet.push(`${member.node} reports new errors: ${fresh.join(", ")}`);
      }
      for (const alarm of newAlarms) unmet.push(`new ${alarm.alarm} alarm on member ${alarm.memberId}`);
      if (onNode !== undefined) {
        if (targetIndex === null) unmet.push("the leader's raft index is not known yet");
        else if (onNode.raftAppliedIndex < targetIndex)
          unmet.push(
            `${target.node} applied index ${onNode.raftAppliedIndex} has not reached ${targetIndex}`,
          );
      }
      return unmet.length === 0 && onNode !== undefined ? { done: onNode } : { unmet };
    },
  };
}

function leaderRaftIndex(view: ClusterView): number | null {
  const leader = view.members.find((m) => m.memberId === view.leader?.memberId);
  return leader === undefined ? null : leader.raftIndex;
}
