/**
 * Gauges describing the cluster as one read saw it: what dashboards and the alert rules look at.
 *
 * Every series carries `command`, the command that read the cluster and wrote the file. The README puts one file
 * per command in node-exporter's textfile folder (an hourly `check`, a weekly `defrag`), and node-exporter serves
 * them all as one scrape: two files holding the same series (same name, same labels) make it drop one, silently
 * (node_textfile_scrape_error stays 0). We label rather than give each series a single writer because every
 * command that writes a file reads the cluster, and a set-up that runs only `defrag` (the systemd example) must
 * still see member sizes and alarms; with the label, each file is complete on its own, nothing collides whatever
 * commands share the folder, and `last_check_timestamp_seconds{command}` says which reading is the freshest
 * (the example alerts use it). docs/SCHEDULING.md explains the same for users.
 *
 * Per-member series are labelled by what does not change while a member lives: its node and member ID. The role
 * is not a label (it was, until leadership moves made every move end one series and start another, resetting
 * the alerts over them): it is the value of member_leader and member_learner, 1 or 0.
 */

import type { ClusterView, MemberView } from "../cluster/types.js";
import { ALARM } from "../policy.js";
import { flag, formatGauges, type GaugeFamily, type Labels, secondsFromDate } from "./exposition.js";
import { CLUSTER_METRICS, MEMBER_METRICS, type MetricsCommand } from "./names.js";

/** Always rendered, even at zero, so `alarms_active{alarm="NOSPACE"} > 0` never silently has no series. */
const WELL_KNOWN_ALARMS = [ALARM.corrupt, ALARM.nospace] as const;

function memberGauge(
  members: readonly MemberView[],
  command: MetricsCommand,
  name: string,
  help: string,
  read: (member: MemberView) => number,
): GaugeFamily {
  const labels = (m: MemberView): Labels => ({ node: m.node, member_id: m.memberId, command });
  return { name, help, samples: members.map((m) => ({ labels: labels(m), value: read(m) })) };
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

function buildFamilies(view: ClusterView, command: MetricsCommand, now: Date): GaugeFamily[] {
  const members = view.members;
  const alarms = countAlarms(view);
  const one = (labels: Labels, value: number) => [{ labels: { ...labels, command }, value }];
  return [
    memberGauge(members, command, MEMBER_METRICS.dbSize, "Size of the etcd database file.", (m) => m.dbSize),
    memberGauge(
      members,
      command,
      MEMBER_METRICS.dbSizeInUse,
      "Bytes of the etcd database file holding live data.",
      (m) => m.dbSizeInUse,
    ),
    memberGauge(
      members,
      command,
      MEMBER_METRICS.dbSizeFree,
      "Bytes of the etcd database file that a defragmentation would give back.",
      (m) => m.dbSizeFree,
    ),
    memberGauge(
      members,
      command,
      MEMBER_METRICS.quotaUsage,
      "Database size divided by the etcd backend quota (NOSPACE is raised at 1).",
      (m) => m.quotaUsage,
    ),
    memberGauge(members, command, MEMBER_METRICS.leader, "1 if this member is the raft leader.", (m) =>
      flag(m.isLeader),
    ),
    memberGauge(members, command, MEMBER_METRICS.learner, "1 if this member is a raft learner.", (m) =>
      flag(m.isLearner),
    ),
    memberGauge(
      members,
      command,
      MEMBER_METRICS.defragRecommended,
      "1 if the defragmentation rule selects this member.",
      (m) => flag(m.defragRecommended),
    ),
    memberGauge(
      members.filter((m) => typeof m.rssBytes === "number"),
      command,
      MEMBER_METRICS.rssBytes,
      "Resident memory of the member's etcd process, as talosctl processes reports it.",
      (m) => m.rssBytes ?? 0,
    ),
    memberGauge(
      members.filter((m) => typeof m.diskAvailableBytes === "number"),
      command,
      MEMBER_METRICS.diskAvailableBytes,
      "Free bytes on the volume holding /var/lib/etcd, as talosctl mounts reports it.",
      (m) => m.diskAvailableBytes ?? 0,
    ),
    {
      name: CLUSTER_METRICS.members,
      help: "etcd members that reported a status.",
      samples: one({}, members.length),
    },
    {
      name: CLUSTER_METRICS.unreachableNodes,
      help: "Control plane nodes that did not answer.",
      samples: one({}, view.unreachable.length),
    },
    {
      name: CLUSTER_METRICS.healthy,
      help: "1 if the cluster passed the health assessment.",
      samples: one({}, flag(view.healthy)),
    },
    {
      name: CLUSTER_METRICS.alarmsActive,
      help: "Members with this etcd alarm raised.",
      samples: [...alarms].map(([alarm, count]) => ({ labels: { alarm, command }, value: count })),
    },
    {
      name: CLUSTER_METRICS.quota,
      help: "etcd backend quota used for the quota ratios, and where it came from.",
      samples: one({ source: view.quota.source }, view.quota.bytes),
    },
    {
      name: CLUSTER_METRICS.lastCheck,
      help: "When the cluster was read (not when the file was scraped).",
      samples: one({}, secondsFromDate(now)),
    },
  ];
}

/**
 * `command` is the command writing the file (see the top of this file); `now` is the moment of the read, and
 * tests pass a fixed date so the output is reproducible.
 */
export function renderClusterMetrics(
  view: ClusterView,
  command: MetricsCommand,
  now: Date = new Date(),
): string {
  return formatGauges(buildFamilies(view, command, now));
}
