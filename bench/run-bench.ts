/** The whole benchmark: every chosen strategy on its own fresh cluster, then cold start and snapshot checks. */
import { mkdir, writeFile } from "node:fs/promises";
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
import { evaluateTargets, type Verdict } from "./targets.js";

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
  strategies: StrategyResult[];
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
  // Rounds interleave the strategies, so a slow patch of the machine does not land on one strategy only.
  for (let round = 1; round <= options.repeat; round++)
    for (const id of options.strategies) {
      signal.throwIfAborted();
      const result = await measureStrategy(id, round, {
        ips: options.ips,
        sizeBytes: options.sizeBytes,
        reclaimableRatio: options.reclaimableRatio,
        idleMs: options.idleMs,
        loadIntervalMs: options.loadIntervalMs,
        fragmentTimeoutMs: options.fragmentTimeoutMs,
        runTimeoutMs: options.runTimeoutMs,
        snapshotDir: work,
        signal,
        log,
      });
      log(
        `${id} #${round}: ${(result.wallMs / 1000).toFixed(2)} s, cluster-wide worst ${result.run.cluster.worstMs} ms`,
      );
      strategies.push(result);
    }
  log(`cold start: ${options.coldStartRuns} runs of --help`);
  const coldStart = await measureColdStart(options.coldStartRuns, signal);
  const snapshotThroughput = await measureThroughput(strategies, options, work);
  const { outDir: _outDir, ips: _ips, format: _format, ...recorded } = options;
  return {
    date: new Date().toISOString(),
    machine: await describeMachine(),
    options: recorded,
    strategies,
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

/** bench/results/<YYYY-MM-DD>.json (UTC date); returns the path. */
export async function writeResults(results: BenchResults, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, `${results.date.slice(0, 10)}.json`);
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
