/** The `status` table: one row per member, then one line on health and each problem found. */

import Table from "cli-table3";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { QUOTA_HEADROOM } from "../policy.js";
import { formatSize } from "../talos/size.js";
import { percent, ratioBar, type Style } from "./style.js";

export function renderStatus(view: ClusterView, style: Style): string {
  const table = new Table({
    head: [
      "NODE",
      "MEMBER",
      "ROLE",
      "DB SIZE",
      "IN USE",
      "FREE",
      "RSS",
      "IN USE %",
      "QUOTA",
      "APPLIED/INDEX",
      "ALARMS/ERRORS",
      "VERDICT",
    ],
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  const byNode = [...view.members].sort((a, b) => a.node.localeCompare(b.node, "en", { numeric: true }));
  for (const member of byNode) table.push(memberRow(member, view, style));
  for (const failure of view.unreachable) {
    table.push([
      failure.node,
      "-",
      style.bad("unreachable"),
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      style.bad(truncate(failure.error, 60)),
      "-",
    ]);
  }
  const quotaNote = `quota ${formatIec(view.quota.bytes)} (${view.quota.bytes} bytes, ${QUOTA_SOURCE[view.quota.source]})`;
  return `${table.toString()}\n${summaryLines(view, style).join("\n")}\n${style.dim(quotaNote)}\n`;
}

function memberRow(member: MemberView, view: ClusterView, style: Style): string[] {
  const role = member.isLearner ? "learner" : member.isLeader ? "leader" : "follower";
  const alarms = view.alarms.filter((a) => a.memberId === member.memberId).map((a) => a.alarm);
  const notes = [...new Set([...alarms, ...member.otherErrors])];
  const quotaText = percent(member.quotaUsage);
  return [
    member.node,
    member.memberId.slice(0, 8),
    member.isLeader ? style.bold(role) : role,
    formatSize(member.dbSize),
    formatSize(member.dbSizeInUse),
    formatSize(member.dbSizeFree),
    // etcd's resident memory: what the operator feels, often far above the live data.
    typeof member.rssBytes === "number" ? formatSize(member.rssBytes) : "-",
    `${ratioBar(member.inUseRatio)} ${percent(member.inUseRatio)}`,
    member.quotaUsage > QUOTA_HEADROOM ? style.bad(quotaText) : quotaText,
    `${member.raftAppliedIndex}/${member.raftIndex}`,
    notes.length === 0 ? "-" : style.bad(truncate(notes.join(", "), 60)),
    member.defragRecommended ? style.warn("defrag recommended") : style.ok("ok"),
  ];
}

export function summaryLines(view: ClusterView, style: Style): string[] {
  if (view.healthy)
    return [style.ok(`healthy: ${view.members.length} members, leader ${view.leader?.node ?? "?"}`)];
  return [
    style.bad(`NOT healthy: ${view.problems.length} problem(s)`),
    ...view.problems.map((p) => `  - ${p.message}`),
  ];
}

const QUOTA_SOURCE = {
  default: "etcd's default",
  flag: "--quota",
  cluster: "from the cluster's etcd config",
} as const;

/** Quotas are set in binary units (2 GiB default); decimal humanize would print the default as 2.1 GB. */
function formatIec(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
