/**
 * The metrics file after a command did its work. A failure here is a side output lost, never a failed run: it comes
 * back as warnings for the caller to print and put in its JSON, and the exit code stays the run's.
 */
import type { ClusterView } from "../cluster/types.js";
import { describeError, UserError } from "../errors.js";
import type { RunMetricsInput } from "../metrics/index.js";
import { shrankAsExpected } from "../run/shrink.js";
import type { ReadView, RunReport } from "../run/types.js";

export async function writeMetrics(
  path: string | undefined,
  view: ClusterView | undefined,
  run: Omit<RunMetricsInput, "lastSuccessAt">,
): Promise<string[]> {
  if (path === undefined) return [];
  try {
    // Loaded only when a metrics file is asked for: most runs (and every --help) never pay for it.
    const { readPreviousLastSuccess, renderClusterMetrics, renderRunMetrics, writeMetricsFile } =
      await import("../metrics/index.js");
    // The last successful defrag survives failed runs: defrag (its only writer) reads it back from its own file.
    const lastSuccessAt =
      run.command === "defrag" ? await readPreviousLastSuccess(path).catch(() => undefined) : undefined;
    const cluster = view === undefined ? "" : renderClusterMetrics(view, run.command);
    const text = `${cluster}${renderRunMetrics({ ...run, ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }) })}`;
    await writeMetricsFile(path, text);
    return [];
  } catch (error) {
    const hint = error instanceof UserError && error.hint !== undefined ? ` (${error.hint})` : "";
    return [`metrics not written, the ${run.command} result stands: ${describeError(error)}${hint}`];
  }
}

/** What the defragmented members gave back: before minus after, never negative, for the members done. */
export function bytesReclaimed(report: RunReport): number {
  return report.steps
    .filter((s) => s.outcome === "done")
    .reduce((sum, s) => sum + Math.max(0, s.before.dbSize - (s.after?.dbSize ?? s.before.dbSize)), 0);
}

/** The run gauges, plus the per-member sizes after the run when the cluster can still be read. */
export async function writeDefragMetrics(
  path: string,
  report: RunReport,
  startedAt: Date,
  readView: ReadView,
): Promise<string[]> {
  const warnings: string[] = [];
  const view = await readView().catch((error: unknown) => {
    warnings.push(
      `metrics: could not read the cluster after the run (${describeError(error)}); writing the run gauges only`,
    );
    return undefined;
  });
  const written = await writeMetrics(path, view, {
    command: "defrag",
    result: report.result,
    startedAt,
    durationMs: report.durationMs,
    membersDefragmented: report.steps.filter((s) => s.outcome === "done").length,
    bytesReclaimed: bytesReclaimed(report),
    membersNotShrunk: membersNotShrunk(report),
    snapshotsUnverified: report.snapshot?.unverified.length ?? 0,
  });
  return [...warnings, ...written];
}

/** Members done whose file shrank by less than a tenth of what was free (src/run/shrink.ts): a run for nothing. */
export function membersNotShrunk(report: Pick<RunReport, "steps">): number {
  return report.steps.filter(
    (s) => s.outcome === "done" && s.after !== null && !shrankAsExpected(s.before, s.after),
  ).length;
}
