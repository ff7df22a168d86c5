/** --metrics-file: Prometheus text for node-exporter's textfile collector, written whole or not at all. */
import type { ClusterView } from "../cluster/types.js";
import { UserError } from "../errors.js";
import {
  checkMetricsTarget,
  type RunMetricsInput,
  readPreviousLastSuccess,
  renderClusterMetrics,
  renderRunMetrics,
  writeMetricsFile,
} from "../metrics/index.js";
import { validateArgValue } from "../talos/validate.js";

export interface MetricsFlags {
  metricsFile?: string;
}

/**
 * Checked before any talosctl call (name, directory, permission): a path that cannot be written is exit 2 with
 * nothing done, so it never surfaces only after a long defrag.
 */
export async function prepareMetricsPath(flags: MetricsFlags): Promise<string | undefined> {
  if (flags.metricsFile === undefined) return undefined;
  const path = validateArgValue(flags.metricsFile, "--metrics-file");
  await checkMetricsTarget(path);
  return path;
}

/**
 * Written after the command did its work, so a failure here is a side output lost, never a failed run: it comes
 * back as warnings for the caller to print and put in its JSON, and the exit code stays the run's.
 */
export async function writeMetrics(
  path: string | undefined,
  view: ClusterView | undefined,
  run: Omit<RunMetricsInput, "lastSuccessAt">,
): Promise<string[]> {
  if (path === undefined) return [];
  try {
    // The last successful defrag survives failed runs and status/check runs: read it back from the previous file.
    const lastSuccessAt = await readPreviousLastSuccess(path).catch(() => undefined);
    const text = `${view === undefined ? "" : renderClusterMetrics(view)}${renderRunMetrics({ ...run, ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }) })}`;
    await writeMetricsFile(path, text);
    return [];
  } catch (error) {
    const hint = error instanceof UserError && error.hint !== undefined ? ` (${error.hint})` : "";
    return [
      `metrics not written, the ${run.command} result stands: ${error instanceof Error ? error.message : String(error)}${hint}`,
    ];
  }
}
