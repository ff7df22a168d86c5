/**
 * One strategy, measured: the bench's template cluster restored (same fragmented data every run), an idle load
 * period for the baseline, then the strategy under the same load. The cluster is always stopped.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type LoadReport, readSizes, type SizeReport, startLoad } from "../sim/data.js";
import { type CallSummary, summarizeCalls } from "./calls.js";
import { type OwnTime, splitRunTime } from "./own-time.js";
import { type StallSummary, summarizeStall } from "./stall.js";
import { type DefragInterval, type LoadSummary, round, summarizeLoad } from "./stats.js";
import { callsWithin, runStrategy, type StrategyId, type StrategyRun } from "./strategies.js";
import { type ClusterTemplate, restoreTemplate } from "./template.js";

export interface MeasureOptions {
  idleMs: number;
  loadIntervalMs: number;
  /** Bound for the strategy and its load. */
  runTimeoutMs: number;
  /** Bound for the restored cluster to elect a leader and serve reads. */
  healthTimeoutMs: number;
  snapshotDir: string;
  autoArgs: readonly string[];
  /** Another simulated talosctl for every strategy (the relay). */
  talosctl?: { path: string; env: Record<string, string> };
  signal: AbortSignal;
  log: (line: string) => void;
}

/** A member as the run found it: which role, how big, how much in use. */
export interface MemberAtStart extends SizeReport {
  node: string;
  role: "leader" | "follower";
}

export interface StrategyResult {
  strategy: StrategyId;
  /** Which repetition (1-based): each restores the template afresh. */
  round: number;
  /** Elected after the restart; elections pick it, so it varies from run to run. */
  leaderAtStart: string;
  members: MemberAtStart[];
  before: SizeReport[];
  after: SizeReport[];
  /** Template copy, start, leader and health wait; then the whole run including the idle period. */
  restoreMs: number;
  totalMs: number;
  wallMs: number;
  /** Sum of the per-member defrag times. */
  rawDefragMs: number;
  defrags: DefragInterval[];
  intervalSource: StrategyRun["intervalSource"];
  idle: LoadSummary;
  run: LoadSummary;
  stall: StallSummary;
  calls: CallSummary;
  /**
   * The tool's runs: its wall time split into the defrag calls and its own time around them (issue 21 §3);
   * absent from result files written before.
   */
  ownTime?: OwnTime | null;
  /** The tool's step for the leader, as its JSON report gave it (leaderMovedTo, leaderDecision when present). */
  leaderStep: Record<string, unknown> | null;
  snapshot: { path: string; bytes: number; sha256Verified: boolean } | null;
}

export async function measureStrategy(
  id: StrategyId,
  repetition: number,
  template: ClusterTemplate,
  opts: MeasureOptions,
): Promise<StrategyResult> {
  const started = performance.now();
  const restored = await restoreTemplate(template, opts.healthTimeoutMs);
  const { cluster } = restored;
  try {
    const endpoints = cluster.nodes.map((n) => cluster.endpoints(n));
    const before = restored.sizes;
    opts.log(
      `${id} #${repetition}: restored in ${(restored.restoreMs / 1000).toFixed(1)} s, leader ${restored.leader}, ` +
        `db ${describeSizes(before)}; idle load for ${opts.idleMs / 1000} s, then the run`,
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
        autoArgs: opts.autoArgs,
        ...(opts.talosctl === undefined ? {} : { talosctl: opts.talosctl }),
      });
    } finally {
      report = await load.stop();
    }
    const after = await Promise.all(endpoints.map(readSizes));
    const fullLog = await cluster.callLog();
    const log = callsWithin(fullLog, run.startedAt, run.endedAt);
    const calls = summarizeCalls(log, cluster.nodes);
    const idle = summarizeLoad(report, [], idleWindow);
    const runWindow = { from: run.startedAt, to: run.endedAt };
    const snap = run.report?.snapshot ?? null;
    const leaderStep = run.report?.steps.find((s) => s.role === "leader") ?? null;
    return {
      strategy: id,
      round: repetition,
      leaderAtStart: restored.leader,
      members: cluster.nodes.map((node, i) => ({
        node,
        role: node === restored.leader ? "leader" : "follower",
        ...(before[i] ?? { dbSize: 0, dbSizeInUse: 0, revision: 0 }),
      })),
      before,
      after,
      restoreMs: restored.restoreMs,
      totalMs: Math.round(performance.now() - started),
      wallMs: round(run.wallMs),
      rawDefragMs: round(run.defrags.reduce((sum, d) => sum + (d.end - d.start), 0)),
      defrags: run.defrags,
      intervalSource: run.intervalSource,
      idle,
      run: summarizeLoad(report, run.defrags, runWindow),
      stall: summarizeStall({
        report,
        intervals: run.defrags,
        window: runWindow,
        idleP99Ms: idle.cluster.p99Ms,
        forfeitStarts: calls.leaderTransfers.map((t) => t.start),
      }),
      calls,
      ownTime: run.report === null ? null : splitRunTime(runWindow, fullLog),
      leaderStep: leaderStep === null ? null : { ...leaderStep },
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
