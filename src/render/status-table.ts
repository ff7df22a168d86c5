/**
 * The `status` table: one row per member (and per node that did not answer), then the health line, each problem
 * in full, and the quota. The default table holds what a person reads at a glance and fits 80 columns for five
 * members named like `cp1.lab.internal`; `-o wide` adds the member ID, raw raft indexes, exact sizes and the full
 * alarm and error texts.
 */
import { findLaggards } from "../cluster/lag.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { MAX_APPLIED_LAG, QUOTA_HEADROOM } from "../policy.js";
import { formatSize } from "../talos/size.js";
import type { NodeFailure } from "../talos/types.js";
import { advisoryLines } from "./advisories.js";
import { compareNatural } from "./natural-order.js";
import { percent, type Style } from "./style.js";
import { type Cell, type Column, renderTable, type TableLayout } from "./table.js";
import { wrapText } from "./text.js";

type Row = { member: MemberView; failure?: undefined } | { member?: undefined; failure: NodeFailure };

interface Lags {
  /** Leader's raft index - the member's applied index; undefined when no leader is known. */
  of(member: MemberView): number | undefined;
  /** Behind by the lag policy (voting members only: learners are exempt). */
  behind: ReadonlySet<string>;
}

/** Sizes and numbers of a node that did not answer. */
const NONE = "-";

/**
 * The columns, in order. MEM (etcd's RSS, `members[].rssBytes`) is in `-o wide` only: with a 16-character node
 * name the default table has no room left within 80 columns.
 */
function statusColumns(view: ClusterView, style: Style, lags: Lags): Column<Row>[] {
  const num = (header: string, value: (m: MemberView) => string, only?: "default" | "wide"): Column<Row> => ({
    header,
    align: "right",
    ...(only === undefined ? {} : { only }),
    value: (r) => (r.member ? value(r.member) : NONE),
  });
  return [
    { header: "NODE", value: (r) => r.member?.node ?? r.failure?.node ?? "" },
    { header: "MEMBER", only: "wide", value: (r) => r.member?.memberId ?? NONE },
    { header: "ROLE", value: (r) => roleCell(r.member, style) },
    { header: "LAG", only: "default", value: (r) => (r.member ? lagCell(r.member, lags, style) : NONE) },
    num("DB SIZE", (m) => formatSize(m.dbSize)),
    // etcd's resident memory: what the operator feels, often far above the live data.
    num("MEM", (m) => (typeof m.rssBytes === "number" ? formatSize(m.rssBytes) : NONE), "wide"),
    num("IN USE", (m) => percent(m.inUseRatio), "default"),
    num("IN USE", (m) => `${formatSize(m.dbSizeInUse)} (${percent(m.inUseRatio, 2)})`, "wide"),
    num("FREE", (m) => formatSize(m.dbSizeFree)),
    {
      header: "QUOTA",
      align: "right",
      value: (r) => (r.member ? quotaCell(r.member, style) : NONE),
    },
    num("RAFT TERM", (m) => String(m.raftTerm), "wide"),
    num("RAFT INDEX", (m) => String(m.raftIndex), "wide"),
    num("APPLIED", (m) => String(m.raftAppliedIndex), "wide"),
    num("LAG", (m) => String(lags.of(m) ?? "?"), "wide"),
    {
      header: "VERDICT",
      value: (r) =>
        r.member === undefined
          ? NONE
          : r.member.defragRecommended
            ? { text: "defrag", paint: style.warn }
            : { text: "ok", paint: style.ok },
    },
    {
      header: "PROBLEMS",
      only: "default",
      cut: true,
      hideEmpty: true,
      value: (r) => problemsCell(r, view, style),
    },
    { header: "ALARMS", only: "wide", value: (r) => alarmsOf(r, view).join(", ") || NONE },
    {
      header: "ERRORS",
      only: "wide",
      value: (r) =>
        r.failure ? `did not answer: ${r.failure.error}` : r.member.otherErrors.join(", ") || NONE,
    },
  ];
}

export function renderStatus(view: ClusterView, style: Style, layout: TableLayout): string {
  const byNode = [...view.members].sort((a, b) => compareNatural(a.node, b.node));
  const rows: Row[] = [
    ...byNode.map((member) => ({ member })),
    ...view.unreachable.map((failure) => ({ failure })),
  ];
  const table = renderTable(statusColumns(view, style, lagsOf(view)), rows, layout);
  // Every PROBLEMS cell the table shortened is said in full here: the problems list names each alarm, error and
  // node that did not answer. Then the etcd versions and their known defrag hazards, one advisory each.
  const quotaNote = `quota ${formatIec(view.quota.bytes)} (${view.quota.bytes} bytes, ${QUOTA_SOURCE[view.quota.source]})`;
  const lines = [
    ...table.lines,
    ...summaryLines(view, style, proseWidth(layout)),
    style.dim(quotaNote),
    ...advisoryLines(view, style, proseWidth(layout), layout.wide),
  ];
  return `${lines.join("\n")}\n`;
}

const proseWidth = (layout: TableLayout) => ("textWidth" in layout ? layout.textWidth : layout.width);

export function summaryLines(view: ClusterView, style: Style, width?: number): string[] {
  const notes = view.problems.filter((p) => p.kind === "learner");
  if (view.healthy) {
    const voters = view.members.filter((m) => !m.isLearner).length;
    const learners = notes.length === 0 ? "" : ` (+ ${notes.length} learner${notes.length === 1 ? "" : "s"})`;
    return [
      style.ok(`healthy: ${voters} members${learners}, leader ${view.leader?.node ?? "?"}`),
      ...notes.flatMap((p) => wrapText(`  - ${p.message}`, width, "    ")),
    ];
  }
  return [
    style.bad(`NOT healthy: ${view.problems.length} problem(s)`),
    ...view.problems.flatMap((p) => wrapText(`  - ${p.message}`, width, "    ")),
  ];
}

function roleCell(member: MemberView | undefined, style: Style): Cell {
  if (member === undefined) return "?";
  if (member.isLearner) return "learner";
  return member.isLeader ? { text: "leader", paint: style.bold } : "follower";
}

/** "in sync" within the lag policy; the entries behind otherwise, red for a voting member the policy flags. */
function lagCell(member: MemberView, lags: Lags, style: Style): Cell {
  const lag = lags.of(member);
  if (lag === undefined) return "?";
  if (lags.behind.has(member.memberId)) return { text: formatCount(lag), paint: style.bad };
  return lag > MAX_APPLIED_LAG ? formatCount(lag) : "in sync";
}

/** 45677 -> "45.7k": a glance needs the order of magnitude; -o wide and the problems list have the exact count. */
function formatCount(n: number): string {
  if (n < 10_000) return String(n);
  const [value, unit] = n < 1e6 ? [n / 1e3, "k"] : n < 1e9 ? [n / 1e6, "M"] : [n / 1e9, "G"];
  return `${value < 100 ? value.toFixed(1) : value.toFixed(0)}${unit}`;
}

function lagsOf(view: ClusterView): Lags {
  const leader = view.members.find((m) => m.memberId === view.leader?.memberId);
  const behind = new Set(findLaggards(view.members, view.leader?.memberId ?? null).map((l) => l.memberId));
  return {
    of: (member) =>
      leader === undefined ? undefined : Math.max(0, leader.raftIndex - member.raftAppliedIndex),
    behind,
  };
}

function quotaCell(member: MemberView, style: Style): Cell {
  const text = percent(member.quotaUsage);
  return member.quotaUsage > QUOTA_HEADROOM ? { text, paint: style.bad } : text;
}

function alarmsOf(row: Row, view: ClusterView): string[] {
  return row.member ? view.alarms.filter((a) => a.memberId === row.member.memberId).map((a) => a.alarm) : [];
}

/** Alarms, then the member's own errors, or that a node did not answer; the problems list below says each in full. */
function problemsCell(row: Row, view: ClusterView, style: Style): Cell {
  const notes = row.failure
    ? ["no answer"]
    : [...new Set([...alarmsOf(row, view), ...row.member.otherErrors])];
  return notes.length === 0 ? NONE : { text: notes.join(", "), paint: style.bad };
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
