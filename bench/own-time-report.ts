/**
 * `npm run bench:own-time -- FILE.json...`: the run's own time (issue 21 §3) of the tool's runs in bench result
 * files, as BENCHMARKS.md "The run's own time" shows it: one Markdown table per simulated talosctl (node,
 * relay), a row per run, ordered by etcd line, size and the file's folder (which names the variant, such as
 * before/ and after/), then the median and worst own time of each group. Files recorded before the "tool alone"
 * column get it from their timelines.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { median } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import { toolAloneOf } from "./own-time.js";
import { buildOwnTimeRows, OWN_HEAD } from "./render-results.js";
import { type BenchResults, sizeLabel } from "./run-bench.js";

const HEAD = ["etcd", "size", "variant", ...OWN_HEAD];
const ALIGN = HEAD.map((h) => (["etcd", "size", "variant", "run", "gaps s"].includes(h) ? "left" : "right"));
const SUMMARY_HEAD = [
  "etcd",
  "size",
  "variant",
  "runs",
  "own s median",
  "own s worst",
  "tool alone s median",
];

interface Loaded {
  variant: string;
  results: BenchResults;
  /** Its place on the command line: the variants of one etcd line and size keep that order. */
  order: number;
}

export function ownTimeReport(files: readonly Loaded[]): string[] {
  const kinds = [...new Set(files.map((f) => talosctlOf(f.results)))];
  return kinds.flatMap((kind) => {
    const chosen = files
      .filter((f) => talosctlOf(f.results) === kind)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)) || a.order - b.order);
    const rows = chosen.flatMap((f) => buildOwnTimeRows(f.results).map((row) => [...labelsOf(f), ...row]));
    const summary = chosen.map((f) => {
      const runs = f.results.strategies.flatMap((r) => (r.ownTime == null ? [] : [r.ownTime]));
      const own = runs.map((t) => t.ownMs);
      const alone = runs.flatMap((t) => toolAloneOf(t) ?? []);
      const s = (ms: number) => (ms / 1000).toFixed(2);
      return [
        ...labelsOf(f),
        String(runs.length),
        s(median(own)),
        s(Math.max(...own)),
        alone.length === 0 ? "-" : s(median(alone)),
      ];
    });
    return [
      `talosctl: ${kind}`,
      "",
      ...markdownTable(HEAD, rows, ALIGN),
      "",
      ...markdownTable(
        SUMMARY_HEAD,
        summary,
        SUMMARY_HEAD.map((_, i) => (i < 3 ? "left" : "right")),
      ),
      "",
    ];
  });
}

const talosctlOf = (results: BenchResults) =>
  results.options.realTag !== undefined
    ? `the real talosctl ${results.options.realTag}`
    : results.options.talosctl === "relay"
      ? "relay"
      : "node";
const sizeOf = (results: BenchResults) => sizeLabel(results.options.sizeBytes);
const labelsOf = (f: Loaded) => [f.results.machine.etcd, sizeOf(f.results), f.variant];
const keyOf = (f: Loaded) =>
  `${f.results.machine.etcd} ${String(f.results.options.sizeBytes).padStart(12, "0")}`;

async function main(files: readonly string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write("usage: npm run bench:own-time -- RESULT.json...\n");
    return 2;
  }
  const loaded = await Promise.all(
    files.map(async (file, order) => ({
      variant: basename(dirname(file)),
      order,
      results: JSON.parse(await readFile(file, "utf8")) as BenchResults,
    })),
  );
  process.stdout.write(`${ownTimeReport(loaded).join("\n")}\n`);
  return 0;
}

if (process.argv[1]?.endsWith("own-time-report.js")) process.exitCode = await main(process.argv.slice(2));
