/**
 * `npm run bench:startup -- [--runs N] [--delay MS] [--compare PATH]... [--out DIR]`: how long the CLI takes to
 * start, next to a bare `node -e 0`. Every round runs each target once, in the same order, so a change of
 * machine load hits all of them alike (--compare, repeatable, adds another build's launcher); the table shows medians of the rounds. `status` runs against
 * bench/fixture-talosctl, which prints fixture files and logs when each call ran: the time during which at
 * least one talosctl call was running is subtracted, so "own ms" is the tool's own time. Nothing here asserts a
 * time: it measures and prints.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import { cliPath, repoRoot } from "./paths.js";
import { runProcess } from "./process.js";
import { round } from "./stats.js";

interface Target {
  name: string;
  file: string;
  args: string[];
  /** Extra environment; a target with TALOSCTL_FIXTURE_LOG gets its talosctl time subtracted. */
  env?: Record<string, string>;
  talosctl?: boolean;
}

export interface StartupRow {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median time during which at least one talosctl call was running (0 without talosctl). */
  talosctlMs: number;
  /** Median of (wall - talosctl time), per run. */
  ownMs: number;
  /** ownMs minus the bare node median. */
  overBareMs: number;
}

const NODES = "172.20.0.2,172.20.0.3,172.20.0.4";
const BARE = "node -e 0 (bare node)";

function targets(dir: string, snapshotPath: string, delayMs: number, compare: readonly string[]): Target[] {
  const fixture = join(repoRoot(), "bench", "fixture-talosctl");
  const status = (launcher: string, delay: number, label: string): Target => ({
    name: `status, talosctl ${delay} ms per call${label}`,
    file: process.execPath,
    args: [launcher, "--talosctl", fixture, "-n", NODES, "status"],
    env: { TALOSCTL_FIXTURE_DELAY: String(delay / 1000), TALOSCTL_FIXTURE_LOG: join(dir, "calls.log") },
    talosctl: true,
  });
  const cli = (launcher: string, label: string): Target[] => [
    { name: `--help${label}`, file: process.execPath, args: [launcher, "--help"] },
    { name: `--version${label}`, file: process.execPath, args: [launcher, "--version"] },
    status(launcher, 0, label),
    ...(delayMs > 0 ? [status(launcher, delayMs, label)] : []),
  ];
  return [
    { name: BARE, file: process.execPath, args: ["-e", "0"] },
    ...cli(cliPath(), ""),
    {
      name: "snapshot verify (4 KiB file)",
      file: process.execPath,
      args: [cliPath(), "snapshot", "verify", snapshotPath],
    },
    ...compare.flatMap((launcher) => cli(launcher, ` [${launcher}]`)),
  ];
}

/** A 4 KiB snapshot-shaped file: 8 pages of zeros and their SHA-256. */
async function writeTinySnapshot(dir: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const body = Buffer.alloc(8 * 512);
  const path = join(dir, "tiny.db");
  await writeFile(path, Buffer.concat([body, createHash("sha256").update(body).digest()]));
  return path;
}

/** Total time covered by at least one "start end" interval of the log, in ms. */
async function readTalosctlMs(log: string): Promise<number> {
  const text = await readFile(log, "utf8").catch(() => "");
  const spans = text
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.split(" ").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    total += Math.max(0, to - Math.max(from, end));
    end = Math.max(end, to);
  }
  return total * 1000;
}

export async function measureStartup(
  runs: number,
  delayMs: number,
  compare: readonly string[] = [],
): Promise<StartupRow[]> {
  const dir = await mkdtemp(join(tmpdir(), "ted-startup-"));
  try {
    const list = targets(dir, await writeTinySnapshot(dir), delayMs, compare);
    const walls = new Map<string, number[]>(list.map((t) => [t.name, []]));
    const owns = new Map<string, number[]>(list.map((t) => [t.name, []]));
    const calls = new Map<string, number[]>(list.map((t) => [t.name, []]));
    // One warm-up round first: the first start after a build reads every file from disk.
    for (let round = -1; round < runs; round++) {
      for (const target of list) {
        const log = join(dir, "calls.log");
        await rm(log, { force: true });
        const result = await runProcess(target.file, target.args, {
          timeoutMs: 60_000,
          env: { NO_COLOR: "1", ...target.env },
        });
        if (result.code !== 0)
          throw new Error(`${target.name} exited with ${String(result.code)}: ${result.stderr.slice(-500)}`);
        const talosctlMs = target.talosctl ? await readTalosctlMs(log) : 0;
        if (round < 0) continue;
        walls.get(target.name)?.push(result.durationMs);
        calls.get(target.name)?.push(talosctlMs);
        owns.get(target.name)?.push(result.durationMs - talosctlMs);
      }
    }
    const bare = median(walls.get(BARE) ?? []);
    return list.map((t) => {
      const values = walls.get(t.name) ?? [];
      const own = median(owns.get(t.name) ?? []);
      return {
        name: t.name,
        medianMs: round(median(values)),
        minMs: round(Math.min(...values)),
        maxMs: round(Math.max(...values)),
        talosctlMs: round(median(calls.get(t.name) ?? [])),
        ownMs: round(own),
        overBareMs: round(own - bare),
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function renderStartup(rows: readonly StartupRow[], runs: number): string {
  return markdownTable(
    [
      `talos-etcd-defrag … (${runs} interleaved runs)`,
      "wall ms (median)",
      "min–max",
      "talosctl ms",
      "own ms",
      "own − bare node",
    ],
    rows.map((r) => [
      r.name,
      r.medianMs,
      `${r.minMs}–${r.maxMs}`,
      r.talosctlMs,
      r.ownMs,
      r.name === BARE ? "" : r.overBareMs,
    ]),
    ["left", "right", "right", "right", "right", "right"],
  ).join("\n");
}

const USAGE =
  "usage: npm run bench:startup -- [--runs N (1-200, default 10)] [--delay MS (talosctl call time, default 100)]\n" +
  "       [--compare OTHER/bin/talos-etcd-defrag.js (repeatable)] [--out DIR]\n";

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "10" },
      delay: { type: "string", default: "100" },
      out: { type: "string" },
      compare: { type: "string", multiple: true },
      help: { type: "boolean" },
    },
  });
  const runs = Number(values.runs);
  const delayMs = Number(values.delay);
  if (
    values.help ||
    !Number.isInteger(runs) ||
    runs < 1 ||
    runs > 200 ||
    !(delayMs >= 0 && delayMs <= 5000)
  ) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const started = new Date();
  // Other work on the machine moves every number; the load average says how much there was.
  const loadBefore = loadavg()[0] ?? 0;
  const rows = await measureStartup(runs, delayMs, values.compare ?? []);
  const load = `load average ${loadBefore.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`;
  process.stdout.write(`${renderStartup(rows, runs)}\n\n${started.toISOString()}, ${load}\n`);
  if (values.out !== undefined) {
    await mkdir(values.out, { recursive: true });
    const path = join(values.out, `startup-${started.toISOString().slice(0, 10)}.json`);
    const record = {
      date: started.toISOString(),
      node: process.version,
      runs,
      delayMs,
      compare: values.compare,
      rows,
    };
    await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
    process.stderr.write(`results written to ${path}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
