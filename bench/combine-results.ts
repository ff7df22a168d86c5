/**
 * `npm run bench:combine -- FILE.json...`: one table over several bench result files, per etcd line, size and
 * strategy, as BENCHMARKS.md's "Leadership move or in place" shows it. `auto` runs are told apart by the
 * threshold their leader step reports, so runs at different defaults never mix. Besides the median and worst
 * (the per-file summary), the mean: the expected cost, which is what a rare 6-7 s request timeout weighs on.
 */
import { readFile } from "node:fs/promises";
import { median } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import type { StallSummary } from "./stall.js";

interface RunRecord {
  strategy: string;
  stall: StallSummary;
  calls: { leaderTransfers: readonly unknown[] };
  leaderStep: {
    leaderDecision?: { thresholdMs: number | null; predictedStallMs: number | null } | null;
  } | null;
}

interface ResultFile {
  machine: { etcd: string };
  options: { sizeBytes: number; realTag?: string };
  strategies: RunRecord[];
}

export interface GroupRow {
  etcd: string;
  size: string;
  strategy: string;
  runs: number;
  stalledMedian: number;
  stalledMean: number;
  stalledWorst: number;
  worstRequestMedian: number;
  runsWithTimeout: number;
  moves: number;
  /** Runs that moved leadership and hit a request timeout. */
  movesWithTimeout: number;
  failedRequests: number;
  /** auto: the median predicted in-place stall of the leader, ms. */
  predictedMedian: number | null;
}

const sizeLabel = (bytes: number) => (bytes >= 1e9 ? `${bytes / 1e9} GB` : `${bytes / 1e6} MB`);

function strategyLabel(run: RunRecord): string {
  const threshold = run.leaderStep?.leaderDecision?.thresholdMs;
  if (run.strategy !== "auto" || threshold === undefined || threshold === null) return run.strategy;
  return `auto (${threshold >= 1000 ? `${threshold / 1000} s` : `${threshold} ms`})`;
}

const moved = (run: RunRecord) => run.calls.leaderTransfers.length > 0;

export function combineRuns(files: readonly ResultFile[]): GroupRow[] {
  const groups = new Map<string, { etcd: string; size: string; strategy: string; runs: RunRecord[] }>();
  for (const file of files)
    for (const run of file.strategies) {
      // Runs through the real talosctl are their own rows, never mixed with the simulator's.
      const etcd =
        file.options.realTag === undefined
          ? file.machine.etcd
          : `${file.machine.etcd}, talosctl ${file.options.realTag}`;
      const size = sizeLabel(file.options.sizeBytes);
      const strategy = strategyLabel(run);
      const key = `${etcd}|${size}|${strategy}`;
      const group = groups.get(key) ?? { etcd, size, strategy, runs: [] };
      group.runs.push(run);
      groups.set(key, group);
    }
  return [...groups.values()].map(({ etcd, size, strategy, runs }) => {
    const stalled = runs.map((r) => r.stall.stalledClientMs);
    const predicted = runs.flatMap((r) => r.leaderStep?.leaderDecision?.predictedStallMs ?? []);
    return {
      etcd,
      size,
      strategy,
      runs: runs.length,
      stalledMedian: Math.round(median(stalled)),
      stalledMean: Math.round(stalled.reduce((a, b) => a + b, 0) / runs.length),
      stalledWorst: Math.max(...stalled),
      worstRequestMedian: Math.round(median(runs.map((r) => r.stall.worst?.ms ?? 0))),
      runsWithTimeout: runs.filter((r) => r.stall.timeoutHits > 0).length,
      moves: runs.filter(moved).length,
      movesWithTimeout: runs.filter((r) => moved(r) && r.stall.timeoutHits > 0).length,
      failedRequests: runs.reduce((sum, r) => sum + r.stall.failed, 0),
      predictedMedian: predicted.length === 0 ? null : Math.round(median(predicted)),
    };
  });
}

/** Over every run that moved leadership: how many hit etcd's request timeout, per etcd line. */
export function moveTimeoutRates(
  rows: readonly GroupRow[],
): { etcd: string; moves: number; withTimeout: number }[] {
  const byLine = new Map<string, { moves: number; withTimeout: number }>();
  for (const row of rows) {
    const line = byLine.get(row.etcd) ?? { moves: 0, withTimeout: 0 };
    line.moves += row.moves;
    line.withTimeout += row.movesWithTimeout;
    byLine.set(row.etcd, line);
  }
  return [...byLine].map(([etcd, counts]) => ({ etcd, ...counts }));
}

export function renderMarkdown(rows: readonly GroupRow[]): string {
  const head = [
    "etcd",
    "size",
    "strategy",
    "runs",
    "stalled ms median",
    "mean",
    "worst",
    "worst request ms median",
    "runs with a timeout",
    "moves",
    "failed requests",
    "predicted stall ms median",
  ];
  const body = rows.map((r) => [
    r.etcd,
    r.size,
    r.strategy,
    r.runs,
    r.stalledMedian,
    r.stalledMean,
    r.stalledWorst,
    r.worstRequestMedian,
    `${r.runsWithTimeout}/${r.runs}`,
    `${r.moves}/${r.runs}`,
    r.failedRequests,
    r.predictedMedian ?? "-",
  ]);
  const rates = moveTimeoutRates(rows).map(
    (l) =>
      `- etcd ${l.etcd}: ${l.withTimeout} of ${l.moves} runs that moved leadership hit a request timeout`,
  );
  const aligns = head.map((_, i) => (i < 3 ? "left" : "right") as "left" | "right");
  return [...markdownTable(head, body, aligns), "", ...rates].join("\n");
}

async function main(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) {
    process.stderr.write("usage: npm run bench:combine -- RESULT.json...\n");
    process.exitCode = 2;
    return;
  }
  const files = await Promise.all(
    paths.map(async (p) => JSON.parse(await readFile(p, "utf8")) as ResultFile),
  );
  process.stdout.write(`${renderMarkdown(combineRuns(files))}\n`);
}

if (process.argv[1]?.endsWith("combine-results.js")) await main(process.argv.slice(2));
