/** --metrics-file: Prometheus text for node-exporter's textfile collector, written whole or not at all. */
import type { ClusterView } from "../cluster/types.js";
import {
  type RunMetricsInput,
  readPreviousLastSuccess,
  renderClusterMetrics,
  renderRunMetrics,
  validateMetricsPath,
  writeMetricsFile,
} from "../metrics/index.js";
import { validateArgValue } from "../talos/validate.js";

export interface MetricsFlags {
  metricsFile?: string;
}

/** Checked before any talosctl call, so a typo fails in a second and not after a long defrag. */
export function resolveMetricsPath(flags: MetricsFlags): string | undefined {
  if (flags.metricsFile === undefined) return undefined;
  const path = validateArgValue(flags.metricsFile, "--metrics-file");
  validateMetricsPath(path);
  return path;
}

export async function writeMetrics(
  path: string | undefined,
  view: ClusterView | undefined,
  run: Omit<RunMetricsInput, "lastSuccessAt">,
): Promise<void> {
  if (path === undefined) return;
  // The last successful defrag survives failed runs and status/check runs: read it back from the previous file.
  const lastSuccessAt = await readPreviousLastSuccess(path).catch(() => undefined);
  const text = `${view === undefined ? "" : renderClusterMetrics(view)}${renderRunMetrics({ ...run, ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }) })}`;
  await writeMetricsFile(path, text);
}
