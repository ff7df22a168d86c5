/** The results as a terminal table and as Markdown (BENCHMARKS.md), from the same rows. */
import { type Column, renderTable as renderPlainTable } from "../src/render/table.js";
import type { BenchResults } from "./run-bench.js";
import { STRATEGIES } from "./strategies.js";
import type { Verdict } from "./targets.js";

const HEAD = [
  "strategy",
  "wall s",
  "raw defrag s",
  "cluster worst ms",
  "cluster p99 ms",
  "local worst ms",
  "idle p99 ms",
  "failed",
  "talosctl calls",
];

export function buildRows(results: BenchResults): string[][] {
  const repeated = results.options.repeat > 1;
  return results.strategies.map((r) => [
    `${STRATEGIES.find((s) => s.id === r.strategy)?.label ?? r.strategy}${repeated ? ` (#${r.round})` : ""}`,
    seconds(r.wallMs),
    seconds(r.rawDefragMs),
    String(Math.round(r.run.cluster.worstMs)),
    String(Math.round(r.run.cluster.p99Ms)),
    String(Math.round(r.run.local.worstMs)),
    String(Math.round(r.idle.cluster.p99Ms)),
    String(r.run.failedRequests + r.run.leaseExpiries),
    r.strategy === "etcdctl" ? "-" : String(r.calls.total),
  ]);
}

export function renderTable(results: BenchResults): string {
  // The product's own plain table, every column whole: a benchmark's figures are never cut.
  const columns: Column<string[]>[] = HEAD.map((header, i) => ({
    header,
    align: i === 0 ? "left" : "right",
    value: (row) => row[i] ?? "",
  }));
  const table = renderPlainTable(columns, buildRows(results), { width: undefined, wide: true });
  return [...table.lines, ...renderExtras(results), "", ...renderVerdicts(results.targets)].join("\n");
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
  return verdicts.map(
    (v) => `${v.met === null ? "n/a   " : v.met ? "met   " : "MISSED"}  ${v.target}: ${v.measured}`,
  );
}

export function renderMarkdown(results: BenchResults): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(HEAD),
    line(HEAD.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...buildRows(results).map(line),
    "",
    ...renderExtras(results).map((e) => `- ${e}`),
    "",
    ...results.targets.map(
      (v) =>
        `- **${v.met === null ? "not measured" : v.met ? "met" : "missed"}**: ${v.target}: ${v.measured}`,
    ),
  ].join("\n");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}
