/**
 * One strategy, measured: a fresh cluster built by the same recipe every time, an idle load period for the
 * baseline, then the strategy under the same load. The cluster is always stopped.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startCluster } from "../sim/cluster.js";
import { fragmentCluster, type LoadReport, readSizes, type SizeReport, startLoad } from "../sim/data.js";
import { type CallSummary, summarizeCalls } from "./calls.js";
import { type DefragInterval, type LoadSummary, round, summarizeLoad } from "./stats.js";
import { callsWithin, runStrategy, type StrategyId, type StrategyRun } from "./strategies.js";

export interface MeasureOptions {
  ips: string[];
  sizeBytes: number;
  /** Share of the file left free after the recipe's compaction. */
  reclaimableRatio: number;
  idleMs: number;
  loadIntervalMs: number;
  /** Bounds for the recipe, and for the strategy and its load. */
  fragmentTimeoutMs: number;
  runTimeoutMs: number;
  snapshotDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface StrategyResult {
  strategy: StrategyId;
  /** Which repetition (1-based): each has its own fresh cluster. */
  round: number;
  before: SizeReport[];
  after: SizeReport[];
  wallMs: number;
  /** Sum of the per-member defrag times. */
  rawDefragMs: number;
  defrags: DefragInterval[];
  intervalSource: StrategyRun["intervalSource"];
  idle: LoadSummary;
  run: LoadSummary;
  calls: CallSummary;
  snapshot: { path: string; bytes: number; sha256Verified: boolean } | null;
}

export async function measureStrategy(
  id: StrategyId,
  repetition: number,
  opts: MeasureOptions,
): Promise<StrategyResult> {
  const cluster = await startCluster({ ips: opts.ips, release: "v1.13" });
  try {
    const endpoints = cluster.nodes.map((n) => cluster.endpoints(n));
    const first = endpoints[0] ?? "";
    opts.log(`${id} #${repetition}: fragmenting to ${(opts.sizeBytes / 1e6).toFixed(0)} MB per member`);
    await fragmentCluster(first, {
      targetBytes: opts.sizeBytes,
      reclaimableRatio: opts.reclaimableRatio,
      timeoutMs: opts.fragmentTimeoutMs,
    });
    const before = await Promise.all(endpoints.map(readSizes));
    opts.log(
      `${id} #${repetition}: db ${describeSizes(before)}; idle load for ${opts.idleMs / 1000} s, then the run`,
    );
    const load = startLoad(endpoints, {
      intervalMs: opts.loadIntervalMs,
      durationMs: opts.idleMs + opts.runTimeoutMs,
      // Long enough to see a real stall instead of cutting it off at the default 5 s.
      requestTimeoutMs: 30_000,
    });
    let run: StrategyRun;
    let idleWindow: { from: number; to: number };
    let report: LoadReport;
    try {
      const idleFrom = Date.now();
      await sleep(opts.idleMs, undefined, { signal: opts.signal });
      idleWindow = { from: idleFrom, to: Date.now() };
      run = await runStrategy(id, {
        cluster,
        signal: opts.signal,
        snapshotDir: opts.snapshotDir,
        timeoutMs: opts.runTimeoutMs,
      });
    } finally {
      report = await load.stop();
    }
    const after = await Promise.all(endpoints.map(readSizes));
    const log = callsWithin(await cluster.callLog(), run.startedAt, run.endedAt);
    const snap = run.report?.snapshot ?? null;
    return {
      strategy: id,
      round: repetition,
      before,
      after,
      wallMs: round(run.wallMs),
      rawDefragMs: round(run.defrags.reduce((sum, d) => sum + (d.end - d.start), 0)),
      defrags: run.defrags,
      intervalSource: run.intervalSource,
      idle: summarizeLoad(report, [], idleWindow),
      run: summarizeLoad(report, run.defrags, { from: run.startedAt, to: run.endedAt }),
      calls: summarizeCalls(log, cluster.nodes),
      snapshot:
        snap === null ? null : { path: snap.path, bytes: snap.bytes, sha256Verified: snap.sha256Verified },
    };
  } finally {
    await cluster.stop();
  }
}

function describeSizes(sizes: readonly SizeReport[]): string {
  return sizes
    .map(
      (s) =>
        `${(s.dbSize / 1e6).toFixed(0)} MB (${((1 - s.dbSizeInUse / s.dbSize) * 100).toFixed(0)} % free)`,
    )
    .join(", ");
}
