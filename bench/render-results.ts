/** The results as terminal tables and as Markdown (BENCHMARKS.md), from the same rows. */
import { type Column, drawTable, renderTable as renderPlainTable } from "../src/render/table.js";
import { markdownTable } from "./markdown-table.js";
import { toolAloneOf } from "./own-time.js";
import type { BenchResults } from "./run-bench.js";
import { describeWorstRequest } from "./stall.js";
import type { Verdict } from "./targets.js";

/** One row per run; the worst request says what it was and when (relative to the move and the defrags). */
const RUN_HEAD = [
  "run",
  "leader",
  "wall s",
  "defrag s",
  "stalled ms",
  "worst ms",
  "worst request",
  ">1 s",
  "failed",
  "timeouts",
  "idle p99",
];

const SUMMARY_HEAD = [
  "strategy",
  "runs",
  "stalled ms median",
  "stalled ms worst",
  "worst ms median",
  "worst ms worst",
  "runs with a timeout",
  "moves",
  "failed",
];

export function buildRunRows(results: BenchResults): string[][] {
  return results.strategies.map((r) => [
    `${r.strategy} #${r.round}`,
    shortNode(r.leaderAtStart),
    seconds(r.wallMs),
    seconds(r.rawDefragMs),
    String(Math.round(r.stall.stalledClientMs)),
    String(Math.round(r.stall.worst?.ms ?? 0)),
    describeWorstRequest(r.stall.worst),
    String(r.stall.over1s),
    String(r.stall.failed + r.run.leaseExpiries),
    String(r.stall.timeoutHits),
    String(Math.round(r.stall.idleP99Ms)),
  ]);
}

/** The tool's runs: where the wall time went (issue 21 §3); gaps are between members, in order. */
export const OWN_HEAD = [
  "run",
  "total s",
  "defrag calls s",
  "own s",
  "before 1st s",
  "gaps s",
  "after last s",
  "tool alone s",
  "calls",
];

export function buildOwnTimeRows(results: BenchResults): string[][] {
  return results.strategies.flatMap((r) => {
    const t = r.ownTime;
    if (t === null || t === undefined) return [];
    return [
      [
        `${r.strategy} #${r.round}${r.calls.leaderTransfers.length > 0 ? "" : " (no move)"}`,
        seconds(t.totalMs),
        seconds(t.defragCallsMs),
        seconds(t.ownMs),
        seconds(t.beforeFirstMs),
        t.gapsMs.map(seconds).join(" / "),
        seconds(t.afterLastMs),
        optionalSeconds(toolAloneOf(t)),
        String(t.calls),
      ],
    ];
  });
}

export function buildSummaryRows(results: BenchResults): string[][] {
  return results.summary.map((s) => [
    s.strategy,
    String(s.runs),
    String(Math.round(s.stalledClientMs.median)),
    String(Math.round(s.stalledClientMs.worst)),
    String(Math.round(s.worstRequestMs.median)),
    String(Math.round(s.worstRequestMs.worst)),
    `${s.runsWithTimeoutHit}/${s.runs}`,
    `${s.runsWithMove}/${s.runs}`,
    String(s.failedRequests),
  ]);
}

function plainTable(head: readonly string[], rows: string[][]): string[] {
  // The product's own plain table, every column whole: a benchmark's figures are never cut.
  const columns: Column<string[]>[] = head.map((header, i) => ({
    header,
    align: i === 0 || header === "worst request" || header === "gaps s" ? "left" : "right",
    value: (row) => row[i] ?? "",
  }));
  return renderPlainTable(columns, rows, { width: undefined, wide: true }).lines;
}

export function renderTable(results: BenchResults): string {
  return [
    describeSetup(results),
    "",
    ...plainTable(RUN_HEAD, buildRunRows(results)),
    "",
    ...plainTable(SUMMARY_HEAD, buildSummaryRows(results)),
    "",
    ...plainTable(OWN_HEAD, buildOwnTimeRows(results)),
    "",
    ...renderExtras(results),
    "",
    ...renderVerdicts(results.targets),
  ].join("\n");
}

/** The etcd line and the template every run restored: what the numbers are about. */
function describeSetup(results: BenchResults): string {
  const members = results.template.members
    .map((m) => `${shortNode(m.node)} ${mb(m.sizes.dbSize)} MB (${mb(m.sizes.dbSizeInUse)} in use)`)
    .join(", ");
  const talosctl =
    results.options.talosctl === "relay"
      ? "; talosctl: the relay (sim/relay-server.ts)"
      : results.options.realTag !== undefined
        ? `; talosctl ${results.options.realTag} (real) and the Talos API double`
        : "";
  return `etcd ${results.machine.etcd}${talosctl}; template (built in ${seconds(results.template.buildMs)} s): ${members}`;
}

function renderExtras(results: BenchResults): string[] {
  return [
    `cold start (--help, median of ${results.coldStart.runs}): ${results.coldStart.medianMs} ms`,
    results.snapshotThroughput === null
      ? "snapshot verification: not measured"
      : `snapshot verification: ${results.snapshotThroughput.mbPerSecond} MB/s (${results.snapshotThroughput.source}, ${(results.snapshotThroughput.bytes / 1e6).toFixed(0)} MB)`,
  ];
}

export function renderVerdicts(verdicts: readonly Verdict[]): string[] {
  return drawTable(
    [],
    verdicts.map((v) => [v.met === null ? "n/a" : v.met ? "met" : "MISSED", `${v.target}: ${v.measured}`]),
    { gap: 2, widths: [6, 0], aligns: ["left", "left"] },
  );
}

export function renderMarkdown(results: BenchResults): string {
  const table = (head: readonly string[], rows: string[][]) =>
    markdownTable(
      head,
      rows,
      head.map((h, i) => (i === 0 || h === "worst request" || h === "gaps s" ? "left" : "right")),
    );
  return [
    `- ${describeSetup(results)}`,
    "",
    ...table(RUN_HEAD, buildRunRows(results)),
    "",
    ...table(SUMMARY_HEAD, buildSummaryRows(results)),
    "",
    ...table(OWN_HEAD, buildOwnTimeRows(results)),
    "",
    ...renderExtras(results).map((e) => `- ${e}`),
    "",
    ...results.targets.map(
      (v) =>
        `- **${v.met === null ? "not measured" : v.met ? "met" : "missed"}**: ${v.target}: ${v.measured}`,
    ),
  ].join("\n");
}

function optionalSeconds(ms: number | null): string {
  return ms === null ? "-" : seconds(ms);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

function shortNode(node: string): string {
  return node.slice(node.lastIndexOf("."));
}
