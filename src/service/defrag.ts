/**
 * A defrag run as `defrag` and `plan` ask for it: opens the reader, wires progress, stop signals, confirmation and
 * the lock into the executor, then writes the metrics. Side outputs that fail once the result is known (metrics,
 * lock release) come back as warnings in the report: they never change the exit code.
 */
import { clusterMemberIds } from "../cluster/identity.js";
import { attachResources } from "../cluster/resources.js";
import type { ClusterView } from "../cluster/types.js";
import { describeError, type ExitCode } from "../errors.js";
import { createNodeResourceReader } from "../read/node-resources.js";
import { createProgress, type SaidWarnings } from "../render/progress.js";
import { createStyle } from "../render/style.js";
import { runDefrag } from "../run/execute.js";
import { exitCodeForResult } from "../run/exit-code.js";
import { acquireLock, type LockHandle } from "../run/lock.js";
import type { RunDeps, RunOptions, RunReport } from "../run/types.js";
import { openReader, type ReaderRequest, type ServiceContext } from "./context.js";
import { writeDefragMetrics } from "./metrics.js";
import { watchStopSignals } from "./stop-signals.js";

export interface DefragRequest extends ReaderRequest {
  options: Omit<RunOptions, "rule">;
  /** Confirmation was given up front (--yes); otherwise the terminal is asked once, after the plan. */
  yes: boolean;
  /** Checked before the call; written after a run that was not a dry run. */
  metricsPath?: string;
  /** The caller prints a report for people on the same screen as progress (see ProgressOptions.reportFollows). */
  reportFollows?: boolean;
}

export interface DefragOutcome {
  exitCode: ExitCode;
  /** Its warnings include lateWarnings. */
  report: RunReport;
  /** Warnings from after the run (metrics, lock release), for the caller to print on stderr too. */
  lateWarnings: string[];
  /** What progress said of the report's warnings (for the closing report: each warning said once). */
  said: SaidWarnings;
}

export async function defragCluster(ctx: ServiceContext, request: DefragRequest): Promise<DefragOutcome> {
  const startedAt = new Date();
  const reader = await openReader(ctx, request);
  // etcd's memory before/after each member and the free-disk check (optional data, see read/node-resources.ts).
  const resources = createNodeResourceReader(ctx.talosctl);
  let firstRead = true;
  // The first look asks status, members and alarms; every later one (re-plans, verification polls) is ONE status call.
  const readView = () => {
    if (!firstRead) return reader.poll();
    firstRead = false;
    // A run that defragments reads etcd's memory and free disk before its first member: asked beside the first
    // look, they cost no round trip of their own (issue 21). A dry run reads only the disk, once it has a plan.
    if (request.options.dryRun !== true) resources.prefetch(reader.nodes);
    // One status call carries the alarms too (every member lists them): the run's first look saves `alarm list`.
    return reader.read({ alarms: "status" });
  };
  const progress = createProgress({
    write: ctx.io.stderr,
    live: ctx.io.stderrIsTTY,
    width: ctx.io.stderrWidth,
    style: createStyle(ctx.io.stderrIsTTY && !ctx.io.env.NO_COLOR),
    reportFollows: request.reportFollows === true,
  });
  const stop = watchStopSignals(ctx.io, () => progress.running());
  const lateWarnings: string[] = [];
  try {
    const report = await runDefrag(
      {
        talosctl: ctx.talosctl,
        readView,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        emit: progress.onEvent,
        signal: stop.signal,
        resources,
        confirm: async (plan) => {
          if (request.yes) return true;
          const count = plan.steps.filter((s) => s.action === "defrag").length;
          return ctx.io.confirm(
            `Defragment ${count} member(s) one at a time (snapshot first${request.options.snapshot === null ? ": NO, --no-snapshot" : ""})?`,
          );
        },
        acquireLock: (view) => lockCluster(view, lateWarnings),
      },
      { ...request.options, rule: reader.rule },
    );
    // A dry run changes nothing, so it records no run in the metrics.
    if (request.metricsPath !== undefined && request.options.dryRun !== true)
      lateWarnings.push(
        ...(await writeDefragMetrics(request.metricsPath, report, startedAt, async () =>
          attachResources(await reader.poll(), resources.known()),
        )),
      );
    report.warnings.push(...lateWarnings);
    return { exitCode: exitCodeForResult(report.result), report, lateWarnings, said: progress.said() };
  } finally {
    progress.close();
    stop.unsubscribe();
  }
}

/**
 * One run per cluster per machine, the cluster named by its members' IDs (never by the context, talosconfig or
 * node spelling used to reach it); the lock is released after the report is closed.
 */
async function lockCluster(
  view: ClusterView,
  lateWarnings: string[],
): ReturnType<NonNullable<RunDeps["acquireLock"]>> {
  const lock = await acquireLock({ memberIds: clusterMemberIds(view) });
  return { warnings: lock.warnings, release: () => releaseQuietly(lock, lateWarnings) };
}

/** A release that fails leaves a stale lock (the next run replaces it), never a failed run. */
async function releaseQuietly(lock: LockHandle, warnings: string[]): Promise<void> {
  try {
    await lock.release();
  } catch (error) {
    warnings.push(
      `could not remove the run lock ${lock.path} (${describeError(error)}): the next run will find it stale and replace it`,
    );
  }
}
