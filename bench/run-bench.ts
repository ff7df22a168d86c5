/**
 * The whole benchmark: one fragmented cluster built and saved as a template, every chosen strategy on its own
 * restored copy, then cold start and snapshot checks.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem, type } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../sim/etcd-process.js";
import {
  type ColdStart,
  measureColdStart,
  measureSnapshotThroughput,
  type SnapshotThroughput,
  writeSnapshotLikeFile,
} from "./extras.js";
import { measureStrategy, type StrategyResult } from "./measure-strategy.js";
import type { BenchOptions } from "./options.js";
import { runProcess } from "./process.js";
import { startRelay } from "./relay.js";
import { type StrategySummary, summarizeStrategies } from "./strategy-summary.js";
import { evaluateTargets, type Verdict } from "./targets.js";
import { buildTemplate, type TemplateMember } from "./template.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
  etcd: string;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  options: Omit<BenchOptions, "outDir" | "ips" | "format">;
  /** The saved cluster every run restores: its members' sizes, and how long building it took. */
  template: { buildMs: number; members: Omit<TemplateMember, "dataDir">[] };
  strategies: StrategyResult[];
  /** Per strategy over its runs: medians and worsts of the stall numbers. */
  summary: StrategySummary[];
  coldStart: ColdStart;
  snapshotThroughput: SnapshotThroughput | null;
  targets: Verdict[];
}

export interface BenchContext {
  signal: AbortSignal;
  log: (line: string) => void;
  /** Scratch space (snapshots); the caller removes it. */
  workDir: string;
}

export async function runBench(options: BenchOptions, ctx: BenchContext): Promise<BenchResults> {
  const { signal, log, workDir: work } = ctx;
  const strategies: StrategyResult[] = [];
  log(`building the template: ${(options.sizeBytes / 1e6).toFixed(0)} MB per member, once`);
  const template = await buildTemplate({
    ips: options.ips,
    sizeBytes: options.sizeBytes,
    reclaimableRatio: options.reclaimableRatio,
    fragmentTimeoutMs: options.fragmentTimeoutMs,
    dir: join(work, "template"),
  });
  log(`template built in ${(template.buildMs / 1000).toFixed(1)} s`);
  const relay = options.talosctl === "relay" ? await startRelay(join(work, "talosctl.sock"), signal) : null;
  if (relay !== null) log("talosctl: the relay (a Python client of one simulator server)");
  if (options.realTag !== undefined)
    log(`talosctl: the real talosctl ${options.realTag}, the Talos API double`);
  try {
    // Rounds interleave the strategies, so a slow patch of the machine does not land on one strategy only.
    for (let round = 1; round <= options.repeat; round++)
      for (const id of options.strategies) {
        signal.throwIfAborted();
        const result = await measureStrategy(id, round, template, {
          idleMs: options.idleMs,
          loadIntervalMs: options.loadIntervalMs,
          runTimeoutMs: options.runTimeoutMs,
          healthTimeoutMs: options.healthTimeoutMs,
          snapshotDir: work,
          autoArgs: options.autoArgs,
          ...(relay === null ? {} : { talosctl: { path: relay.talosctlPath, env: relay.env } }),
          signal,
          log,
        });
        log(
          `${id} #${round}: run ${(result.wallMs / 1000).toFixed(2)} s (restore + idle + run ` +
            `${(result.totalMs / 1000).toFixed(1)} s), stalled ${result.stall.stalledClientMs} ms, ` +
            `worst ${result.stall.worst?.ms ?? 0} ms`,
        );
        strategies.push(result);
      }
  } finally {
    relay?.stop();
  }
  log(`cold start: ${options.coldStartRuns} runs of --help`);
  const coldStart = await measureColdStart(options.coldStartRuns, signal);
  const snapshotThroughput = await measureThroughput(strategies, options, work);
  const { outDir: _outDir, ips: _ips, format: _format, ...recorded } = options;
  return {
    date: new Date().toISOString(),
    machine: await describeMachine(),
    options: recorded,
    template: {
      buildMs: template.buildMs,
      members: template.members.map(({ dataDir: _dir, ...member }) => member),
    },
    strategies,
    summary: summarizeStrategies(strategies),
    coldStart,
    snapshotThroughput,
    targets: evaluateTargets(strategies),
  };
}

/** The tool's own snapshot when strategy c' ran; otherwise a generated file of the same size and format. */
async function measureThroughput(
  strategies: readonly StrategyResult[],
  options: BenchOptions,
  work: string,
): Promise<SnapshotThroughput | null> {
  if (options.snapshotRuns === 0) return null;
  const taken = strategies.find((s) => s.snapshot !== null)?.snapshot;
  if (taken !== undefined && taken !== null)
    return measureSnapshotThroughput(taken.path, "cluster snapshot", options.snapshotRuns);
  const path = await writeSnapshotLikeFile(work, options.sizeBytes);
  return measureSnapshotThroughput(path, "generated", options.snapshotRuns);
}

async function describeMachine(): Promise<Machine> {
  const etcd = findExecutable("etcd");
  let etcdVersion = "unknown";
  if (etcd !== null) {
    const result = await runProcess(etcd, ["--version"], { timeoutMs: 10_000 });
    etcdVersion = /etcd Version:\s*(\S+)/.exec(result.stdout)?.[1] ?? "unknown";
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
    etcd: etcdVersion,
  };
}

/**
 * <YYYY-MM-DD>-etcd<version>-<size>[-talosctl<tag>] (UTC date), so runs on each etcd line and size sit side by
 * side, and runs through the real talosctl are told from the simulator's by their name.
 */
export function resultsBaseName(results: Pick<BenchResults, "date" | "machine" | "options">): string {
  const real = results.options.realTag === undefined ? "" : `-talosctl${results.options.realTag}`;
  return `${results.date.slice(0, 10)}-etcd${results.machine.etcd}-${sizeLabel(results.options.sizeBytes)}${real}`;
}

/** 200000000 -> 200MB, 1e9 -> 1GB: the label a person passed to --size, as far as it can be told back. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1e9 && bytes % 1e8 === 0) return `${bytes / 1e9}GB`;
  return `${Math.round(bytes / 1e6)}MB`;
}

/** bench/results/<base>.json, or <base>-2.json, ... when a file of that name exists: never overwrites. */
export async function writeResults(results: BenchResults, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const base = resultsBaseName(results);
  for (let n = 1; n <= 100; n++) {
    const path = join(outDir, `${base}${n === 1 ? "" : `-${n}`}.json`);
    if (await exists(path)) continue;
    await writeFile(path, `${JSON.stringify(results, null, 2)}\n`, { flag: "wx" });
    return path;
  }
  throw new Error(`${outDir}: 100 result files named ${base} already`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
