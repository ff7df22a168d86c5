/**
 * The ways of defragmenting a cluster that the bench compares. Each runs against a fresh simulated cluster and
 * says when each member was being defragmented, so latency samples can be classified afterwards.
 */

import type { CallLogEntry, SimCluster } from "../sim/cluster.js";
import { findExecutable } from "../sim/etcd-process.js";
import type { RunReport } from "../src/run/types.js";
import { cliPath } from "./paths.js";
import { assertSucceeded, runProcess } from "./process.js";
import type { DefragInterval } from "./stats.js";

export type StrategyId = "runbook" | "last" | "forfeit" | "auto" | "etcdctl" | "tool-snapshot";

/** Issue 14 compares these four; etcdctl and the snapshot run stay available on request. */
export const DEFAULT_STRATEGIES: readonly StrategyId[] = ["runbook", "last", "forfeit", "auto"];

export const STRATEGIES: readonly { id: StrategyId; label: string }[] = [
  { id: "runbook", label: "runbook: talosctl etcd defrag per follower, then leader" },
  { id: "last", label: "tool --leader last" },
  { id: "forfeit", label: "tool --leader forfeit" },
  { id: "auto", label: "tool --leader auto" },
  { id: "etcdctl", label: "etcdctl defrag --cluster" },
  { id: "tool-snapshot", label: "tool --leader auto, with snapshot" },
];

export interface StrategyContext {
  cluster: SimCluster;
  signal: AbortSignal;
  /** Where the tool may write its snapshot. */
  snapshotDir: string;
  /** Hard limit for one strategy's processes. */
  timeoutMs: number;
  /** Extra tool arguments for `auto` (say `--leader-move-above 300ms`), after `defrag`. */
  autoArgs: readonly string[];
  /** Another simulated talosctl than the cluster's (the relay, bench/relay.ts), and what it needs in its env. */
  talosctl?: { path: string; env: Record<string, string> };
}

/** The talosctl a strategy runs, and its environment. */
function talosctlOf(ctx: StrategyContext): { path: string; env: Record<string, string> } {
  return {
    path: ctx.talosctl?.path ?? ctx.cluster.talosctlPath,
    env: { ...ctx.cluster.env, ...ctx.talosctl?.env },
  };
}

export interface StrategyRun {
  startedAt: number;
  endedAt: number;
  wallMs: number;
  defrags: DefragInterval[];
  /** Where the per-member defrag times come from. */
  intervalSource: "simulator call log" | "etcdctl output line times";
  /** The tool's own report (the tool's strategies). */
  report: RunReport | null;
}

export async function runStrategy(id: StrategyId, ctx: StrategyContext): Promise<StrategyRun> {
  switch (id) {
    case "runbook":
      return runRunbook(ctx);
    case "etcdctl":
      return runEtcdctl(ctx);
    case "last":
    case "forfeit":
      return runTool(ctx, ["--leader", id, "--no-snapshot"]);
    case "auto":
      return runTool(ctx, ["--leader", "auto", "--no-snapshot", ...ctx.autoArgs]);
    case "tool-snapshot":
      return runTool(ctx, ["--leader", "auto", "--snapshot-dir", ctx.snapshotDir, ...ctx.autoArgs]);
  }
}

/** What an operator types: each follower, then the leader, one `talosctl etcd defrag` each, no leader move. */
async function runRunbook(ctx: StrategyContext): Promise<StrategyRun> {
  const { cluster } = ctx;
  const leader = await cluster.leaderNode();
  if (leader === null) throw new Error("runbook: the cluster has no leader");
  const order = [...cluster.nodes.filter((n) => n !== leader), leader];
  const startedAt = Date.now();
  const started = performance.now();
  const talosctl = talosctlOf(ctx);
  for (const node of order) {
    const result = await runProcess(talosctl.path, ["-n", node, "etcd", "defrag"], {
      env: talosctl.env,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    assertSucceeded(`talosctl -n ${node} etcd defrag`, result);
  }
  const wallMs = performance.now() - started;
  const endedAt = Date.now();
  return {
    startedAt,
    endedAt,
    wallMs,
    defrags: defragsFromCallLog(await cluster.callLog(), startedAt, endedAt),
    intervalSource: "simulator call log",
    report: null,
  };
}

const FINISHED = /Finished defragmenting etcd member\[(.+?)\]/;

/**
 * etcdctl 3.4 defragments the members one after another and prints a line as each finishes: a member's defrag
 * is timed from the previous line (or the start) to its own line. `--command-timeout` is raised because its
 * 5 s default cancels a large defrag; an operator has to do the same.
 */
async function runEtcdctl(ctx: StrategyContext): Promise<StrategyRun> {
  const etcdctl = findExecutable("etcdctl");
  if (etcdctl === null) throw new Error("etcdctl is not installed");
  const endpoints = ctx.cluster.nodes.map((n) => ctx.cluster.endpoints(n));
  const timeoutSeconds = Math.ceil(ctx.timeoutMs / 1000);
  const result = assertSucceeded(
    "etcdctl defrag --cluster",
    await runProcess(
      etcdctl,
      [`--endpoints=${endpoints.join(",")}`, `--command-timeout=${timeoutSeconds}s`, "defrag", "--cluster"],
      { env: { ETCDCTL_API: "3" }, timeoutMs: ctx.timeoutMs, signal: ctx.signal },
    ),
  );
  const defrags: DefragInterval[] = [];
  let previous = result.startedAt;
  for (const line of result.lines) {
    const match = FINISHED.exec(line.text);
    if (match === null) continue;
    defrags.push({ node: new URL(match[1] ?? "").hostname, start: previous, end: line.t, ok: true });
    previous = line.t;
  }
  if (defrags.length !== ctx.cluster.nodes.length)
    throw new Error(`etcdctl reported ${defrags.length} finished members:\n${result.stdout}${result.stderr}`);
  return {
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    wallMs: result.durationMs,
    defrags,
    intervalSource: "etcdctl output line times",
    report: null,
  };
}

/** The built CLI, as a user runs it, with JSON output so the bench can read its own report. */
async function runTool(ctx: StrategyContext, defragArgs: readonly string[]): Promise<StrategyRun> {
  const { cluster } = ctx;
  const talosctl = talosctlOf(ctx);
  const argv = [
    cliPath(),
    "--talosctl",
    talosctl.path,
    "-n",
    cluster.nodes.join(","),
    "-o",
    "json",
    "defrag",
    "--yes",
    "--force",
    ...defragArgs,
  ];
  const result = assertSucceeded(
    "talos-etcd-defrag defrag",
    await runProcess(process.execPath, argv, {
      env: { ...talosctl.env, NO_COLOR: "1" },
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    }),
  );
  const report = JSON.parse(result.stdout) as RunReport;
  if (report.result !== "ok")
    throw new Error(`talos-etcd-defrag reported ${report.result}: ${result.stderr}`);
  return {
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    wallMs: result.durationMs,
    defrags: defragsFromCallLog(await cluster.callLog(), result.startedAt, result.endedAt),
    intervalSource: "simulator call log",
    report,
  };
}

/** Calls made between from and to (the simulator logs each talosctl invocation with its start and end). */
export function callsWithin(log: readonly CallLogEntry[], from: number, to: number): CallLogEntry[] {
  return log.filter((e) => e.start >= from && e.start <= to);
}

export function defragsFromCallLog(log: readonly CallLogEntry[], from: number, to: number): DefragInterval[] {
  return callsWithin(log, from, to)
    .filter((e) => e.command === "defrag")
    .map((e) => ({ node: e.nodes.join(","), start: e.start, end: e.end, ok: e.exitCode === 0 }));
}
