/**
 * `npm run bench:own-time -- FILE.json...`: the run's own time (issue 21 §3) of the tool's runs in bench result
 * files, one Markdown table per file, with the median and worst of each column: what BENCHMARKS.md "The run's
 * own time" shows. Files recorded before the "tool alone" column get it from their timelines.
 */
import { readFile } from "node:fs/promises";
import { median } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import { toolAloneOf } from "./own-time.js";
import { buildOwnTimeRows, OWN_HEAD } from "./render-results.js";
import type { BenchResults } from "./run-bench.js";

const ALIGN = OWN_HEAD.map((h, i) => (i === 0 || h === "gaps s" ? "left" : "right"));

export function ownTimeReport(name: string, results: BenchResults): string[] {
  const runs = results.strategies.flatMap((r) => (r.ownTime == null ? [] : [r.ownTime]));
  const talosctl = results.options.talosctl === "relay" ? "relay" : "node";
  const own = runs.map((t) => t.ownMs);
  const alone = runs.map((t) => toolAloneOf(t));
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return [
    `${name}: etcd ${results.machine.etcd}, ${(results.options.sizeBytes / 1e6).toFixed(0)} MB, talosctl ${talosctl}`,
    "",
    ...markdownTable(OWN_HEAD, buildOwnTimeRows(results), ALIGN),
    "",
    `own time: median ${s(median(own))} s, worst ${s(Math.max(...own))} s; tool alone: median ${s(median(alone))} s`,
  ];
}

async function main(files: readonly string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write("usage: npm run bench:own-time -- RESULT.json...\n");
    return 2;
  }
  for (const file of files) {
    const results = JSON.parse(await readFile(file, "utf8")) as BenchResults;
    process.stdout.write(`${ownTimeReport(file, results).join("\n")}\n\n`);
  }
  return 0;
}

if (process.argv[1]?.endsWith("own-time-report.js")) process.exitCode = await main(process.argv.slice(2));
