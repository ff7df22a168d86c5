/** Gauges describing the cluster as one read saw it: what dashboards and the alert rules look at. */

import type { ClusterView, MemberView } from "../cluster/types.js";
import { ALARM } from "../policy.js";
import { flag, formatGauges, type GaugeFamily, type Labels, secondsFromDate } from "./exposition.js";
import { CLUSTER_METRICS, MEMBER_METRICS } from "./names.js";

/** Always rendered, even at zero, so `alarms_active{alarm="NOSPACE"} > 0` never silently has no series. */
const WELL_KNOWN_ALARMS = [ALARM.corrupt, ALARM.nospace] as const;

export type MemberRole = "leader" | "follower" | "learner";

export function describeRole(member: MemberView): MemberRole {
  if (member.isLearner) return "learner";
  return member.isLeader ? "leader" : "follower";
}

function labelMember(member: MemberView): Labels {
  return { node: member.node, member_id: member.memberId, role: describeRole(member) };
}

function memberGauge(
  members: readonly MemberView[],
  name: string,
  help: string,
  read: (member: MemberView) => number,
): GaugeFamily {
  return { name, help, samples: members.map((m) => ({ labels: labelMember(m), value: read(m) })) };
}

/** Counts members per alarm; a member raising the same alarm twice (repeated rows) counts once. */
export function countAlarms(view: ClusterView): Map<string, number> {
  const membersByAlarm = new Map<string, Set<string>>();
  for (const name of WELL_KNOWN_ALARMS) membersByAlarm.set(name, new Set());
  for (const { alarm, memberId } of view.alarms) {
    const members = membersByAlarm.get(alarm) ?? new Set<string>();
    members.add(memberId);
    membersByAlarm.set(alarm, members);
  }
  return new Map([...membersByAlarm].map(([alarm, members]) => [alarm, members.size]));
}

function buildFamilies(view: ClusterView, now: Date): GaugeFamily[] {
  const members = view.members;
  const alarms = countAlarms(view);
  return [
    memberGauge(members, MEMBER_METRICS.dbSize, "Size of the etcd database file.", (m) => m.dbSize),
    memberGauge(
      members,
      MEMBER_METRICS.dbSizeInUse,
      "Bytes of the etcd database file holding live data.",
      (m) => m.dbSizeInUse,
    ),
    memberGauge(
      members,
      MEMBER_METRICS.dbSizeFree,
      "Bytes of the etcd database file that a defragmentation would give back.",
      (m) => m.dbSizeFree,
    ),
    memberGauge(
      members,
      MEMBER_METRICS.quotaUsage,
      "Database size divided by the etcd backend quota (NOSPACE is raised at 1).",
      (m) => m.quotaUsage,
    ),
    memberGauge(members, MEMBER_METRICS.leader, "1 if this member is the raft leader.", (m) =>
      flag(m.isLeader),
    ),
    memberGauge(members, MEMBER_METRICS.learner, "1 if this member is a raft learner.", (m) =>
      flag(m.isLearner),
    ),
    memberGauge(
      members,
      MEMBER_METRICS.defragRecommended,
      "1 if the defragmentation rule selects this member.",
      (m) => flag(m.defragRecommended),
    ),
    memberGauge(
      members.filter((m) => typeof m.rssBytes === "number"),
      MEMBER_METRICS.rssBytes,
      "Resident memory of the member's etcd process, as talosctl processes reports it.",
      (m) => m.rssBytes ?? 0,
    ),
    memberGauge(
      members.filter((m) => typeof m.diskAvailableBytes === "number"),
      MEMBER_METRICS.diskAvailableBytes,
      "Free bytes on the volume holding /var/lib/etcd, as talosctl mounts reports it.",
      (m) => m.diskAvailableBytes ?? 0,
    ),
    {
      name: CLUSTER_METRICS.members,
      help: "etcd members that reported a status.",
      samples: [{ labels: {}, value: members.length }],
    },
    {
      name: CLUSTER_METRICS.unreachableNodes,
      help: "Control plane nodes that did not answer.",
      samples: [{ labels: {}, value: view.unreachable.length }],
    },
    {
      name: CLUSTER_METRICS.healthy,
      help: "1 if the cluster passed the health assessment.",
      samples: [{ labels: {}, value: flag(view.healthy) }],
    },
    {
      name: CLUSTER_METRICS.alarmsActive,
      help: "Members with this etcd alarm raised.",
      samples: [...alarms].map(([alarm, count]) => ({ labels: { alarm }, value: count })),
    },
    {
      name: CLUSTER_METRICS.quota,
      help: "etcd backend quota used for the quota ratios, and where it came from.",
      samples: [{ labels: { source: view.quota.source }, value: view.quota.bytes }],
    },
    {
      name: CLUSTER_METRICS.lastCheck,
      help: "When the cluster was read (not when the file was scraped).",
      samples: [{ labels: {}, value: secondsFromDate(now) }],
    },
  ];
}

/** `now` is the moment of the read; tests pass a fixed date so the output is reproducible. */
export function renderClusterMetrics(view: ClusterView, now: Date = new Date()): string {
  return formatGauges(buildFamilies(view, now));
}
