/** Gauges describing the run that wrote the file, plus the last successful defrag carried across runs. */
import { readFile } from "node:fs/promises";
import { formatGauges, type GaugeFamily, secondsFromDate } from "./exposition.js";
import { type MetricsCommand, RUN_METRICS } from "./names.js";

export interface RunMetricsInput {
  command: MetricsCommand;
  /** docs/CONTRACT.md's result for defrag (ok, nothing-to-do, refused, failed, interrupted); any string is accepted. */
  result: string;
  startedAt: Date;
  durationMs: number;
  membersDefragmented: number;
  bytesReclaimed: number;
  /** Members defragmented whose file did not shrink as expected (src/run/shrink.ts); 0 when absent. */
  membersNotShrunk?: number;
  /** Snapshots of this cluster the run's retention found not verifying (neither counted nor deleted); 0 when absent. */
  snapshotsUnverified?: number;
  /**
   * The previous last success, usually from `readPreviousLastSuccess(path)`. Ignored when this run is itself
   * a successful defrag (then the run's end time is the new last success), and for status and check, which
   * never write the last success (one writer for that series: defrag).
   */
  lastSuccessAt?: Date;
}

/** defrag's results (docs/CONTRACT.md). Rendered at 0 when not current, so an alert on `result="failed"` has a series. */
export const RUN_RESULTS = ["ok", "nothing-to-do", "refused", "failed", "interrupted"] as const;

/**
 * Each command's own results, all rendered (1 for the current one, 0 for the others) so that no series comes and
 * goes with the verdict: check's are its verdicts (exit 0, 4, 3), status's whether anything answered. Before,
 * check and status wrote defrag's five, always 0, and their real result appeared only while it was current.
 */
export const RUN_RESULTS_BY_COMMAND: Readonly<Record<MetricsCommand, readonly string[]>> = {
  defrag: RUN_RESULTS,
  check: ["go", "defrag-recommended", "no-go"],
  status: ["ok", "failed"],
};

/** nothing-to-do counts: the schedule ran and found the cluster lean, which is what the alert asks. */
const SUCCESS_RESULTS: ReadonlySet<string> = new Set(["ok", "nothing-to-do"]);

export function isSuccessfulDefrag(run: Pick<RunMetricsInput, "command" | "result">): boolean {
  return run.command === "defrag" && SUCCESS_RESULTS.has(run.result);
}

/** The last-success timestamp this run should publish: undefined when none is known yet, or not a defrag. */
export function resolveLastSuccess(run: RunMetricsInput): Date | undefined {
  if (run.command !== "defrag") return undefined;
  if (isSuccessfulDefrag(run)) return new Date(run.startedAt.getTime() + run.durationMs);
  return run.lastSuccessAt;
}

function buildFamilies(run: RunMetricsInput): GaugeFamily[] {
  const command = run.command;
  const known = RUN_RESULTS_BY_COMMAND[command];
  const results = known.includes(run.result) ? [...known] : [...known, run.result];
  const lastSuccess = resolveLastSuccess(run);
  return [
    {
      name: RUN_METRICS.result,
      help: "1 for the result of the last run, 0 for the other results.",
      samples: results.map((result) => ({
        labels: { command, result },
        value: result === run.result ? 1 : 0,
      })),
    },
    {
      name: RUN_METRICS.start,
      help: "When the last run started.",
      samples: [{ labels: { command }, value: secondsFromDate(run.startedAt) }],
    },
    {
      name: RUN_METRICS.duration,
      help: "How long the last run took.",
      samples: [{ labels: { command }, value: run.durationMs / 1000 }],
    },
    {
      name: RUN_METRICS.membersDefragmented,
      help: "Members the last run defragmented.",
      samples: [{ labels: { command }, value: run.membersDefragmented }],
    },
    {
      name: RUN_METRICS.reclaimed,
      help: "Database bytes the last run gave back (sum over members of size before minus size after).",
      samples: [{ labels: { command }, value: run.bytesReclaimed }],
    },
    {
      name: RUN_METRICS.membersNotShrunk,
      help: "Members the last run defragmented whose file shrank by less than a tenth of the bytes that were free.",
      samples: [{ labels: { command }, value: run.membersNotShrunk ?? 0 }],
    },
    {
      name: RUN_METRICS.snapshotsUnverified,
      help: "Snapshots of this cluster in the snapshot folder that did not verify against their manifests when the last run's retention looked.",
      samples: [{ labels: { command }, value: run.snapshotsUnverified ?? 0 }],
    },
    {
      name: RUN_METRICS.lastSuccess,
      help: "When a defrag run last finished with result ok or nothing-to-do.",
      samples:
        lastSuccess === undefined ? [] : [{ labels: { command }, value: secondsFromDate(lastSuccess) }],
    },
  ];
}

export function renderRunMetrics(run: RunMetricsInput): string {
  return formatGauges(buildFamilies(run));
}

/** Matches the sample line only, never HELP/TYPE, with or without an (empty) label set. */
const LAST_SUCCESS_LINE = new RegExp(`^${RUN_METRICS.lastSuccess}(?:\\{[^}]*\\})?\\s+(\\S+)`, "m");

/** Pure half of readPreviousLastSuccess, for callers that already hold the text. */
export function parseLastSuccess(text: string): Date | undefined {
  const match = LAST_SUCCESS_LINE.exec(text);
  if (match?.[1] === undefined) return undefined;
  const seconds = Number(match[1]);
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return new Date(Math.round(seconds * 1000));
}

/**
 * Reads the last successful defrag time from the metrics file a previous run left, so a failed run does not
 * reset it. No file yet (first run) is not an error; an unreadable one is, and the caller decides.
 */
export async function readPreviousLastSuccess(path: string): Promise<Date | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parseLastSuccess(text);
}
