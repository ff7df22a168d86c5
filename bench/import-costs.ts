/**
 * `npm run bench:imports -- [--from DIR] [--runs N] [SPECIFIER...]`: what each import costs a cold start. Each
 * run is a fresh `node` that times `await import(x)` for every specifier in turn (so a module's cost excludes
 * what earlier ones already loaded); the table shows the minimum and the median over the runs. The first
 * line, node:fs, is the price of the first dynamic import itself. --from resolves bare names from another
 * checkout (say, main before a dependency was dropped); name SPECIFIERs to time others (classic `zod`).
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { median } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import { repoRoot } from "./paths.js";
import { round } from "./stats.js";

/**
 * The libraries as node_modules would load them (the bundle in dist/ carries its own copies), then the bundle's
 * entry, which is what the launcher imports. Relative specifiers resolve from --from.
 */
const DEFAULT_SPECIFIERS = ["commander", "yaml", "signal-exit", "zod/mini", "./dist/cli/main.js"];

/** A specifier that does not resolve from `from` is timed as NaN, not an error: lists differ between checkouts. */
function timeOnce(from: string, specifiers: readonly string[]): number[] {
  const script = [
    "const times = [];",
    `for (const s of ${JSON.stringify(["node:fs", ...specifiers])}) {`,
    "  const t = performance.now();",
    "  try { await import(s); times.push(performance.now() - t); } catch { times.push(null); }",
    "}",
    "process.stdout.write(JSON.stringify(times));",
  ].join("\n");
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: from,
    encoding: "utf8",
  });
  return (JSON.parse(out) as (number | null)[]).map((t) => t ?? Number.NaN);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { from: { type: "string" }, runs: { type: "string", default: "21" } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 200) {
    process.stderr.write(
      "usage: npm run bench:imports -- [--from DIR] [--runs N (default 21)] [SPECIFIER...]\n",
    );
    return 2;
  }
  const from = values.from ?? repoRoot();
  const specifiers = positionals.length > 0 ? positionals : DEFAULT_SPECIFIERS;
  const all = Array.from({ length: runs }, () => timeOnce(from, specifiers));
  const lines = markdownTable(
    [`import (from ${from}, ${runs} fresh node processes)`, "min ms", "median ms"],
    ["node:fs (first dynamic import)", ...specifiers].map((name, i) => {
      const times = all.map((run) => run[i] ?? Number.NaN);
      if (times.some(Number.isNaN)) return [name, "not found", ""];
      return [name, round(Math.min(...times)), round(median(times))];
    }),
    ["left", "right", "right"],
  );
  process.stdout.write(`${lines.join("\n")}\n\nload average ${(loadavg()[0] ?? 0).toFixed(2)} at the end\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
