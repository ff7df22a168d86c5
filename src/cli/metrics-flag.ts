/** --metrics-file: Prometheus text for node-exporter's textfile collector, written whole or not at all. */
import { checkMetricsTarget } from "../metrics/write-file.js";
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
