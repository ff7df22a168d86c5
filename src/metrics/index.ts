/** Public surface of the metrics module: the CLI imports from here only. */
export { renderClusterMetrics } from "./cluster-metrics.js";
export {
  ALL_METRIC_NAMES,
  CLUSTER_METRICS,
  MEMBER_METRICS,
  METRICS_COMMANDS,
  type MetricsCommand,
  RUN_METRICS,
} from "./names.js";
export {
  parseLastSuccess,
  RUN_RESULTS,
  RUN_RESULTS_BY_COMMAND,
  type RunMetricsInput,
  readPreviousLastSuccess,
  renderRunMetrics,
  resolveLastSuccess,
} from "./run-metrics.js";
export { checkMetricsTarget, validateMetricsPath, writeMetricsFile } from "./write-file.js";
