/** Building the run report: one mutable record per run, closed exactly once. */
import type { ClusterView } from "../cluster/types.js";
import type { DefragSample } from "../plan/leader-decision.js";
import type { PlanStep } from "../plan/types.js";
import type {
  ReportSnapshot,
  ReportStep,
  RunDeps,
  RunReport,
  RunResult,
  Sizes,
  SnapshotResult,
  StepOutcome,
} from "./types.js";

export interface RunRecord {
  startedAt: number;
  dryRun: boolean;
  snapshot: ReportSnapshot | null;
  steps: ReportStep[];
  alarmsDisarmed: RunReport["alarmsDisarmed"];
  warnings: string[];
  refusedReasons: string[];
  error: string | null;
  advisories: RunReport["advisories"];
}

export function startRecord(startedAt: number, dryRun: boolean): RunRecord {
  return {
    startedAt,
    dryRun,
    snapshot: null,
    steps: [],
    alarmsDisarmed: [],
    warnings: [],
    refusedReasons: [],
    error: null,
    advisories: [],
  };
}

/**
 * Each distinct warning once: re-checking the gate before every member repeats the same ones. `brief`: how a
 * person is told it, when not as `warning: <message>` (see the warning event).
 */
export function warn(
  record: RunRecord,
  deps: Pick<RunDeps, "emit">,
  message: string,
  brief?: string | null,
): void {
  if (record.warnings.includes(message)) return;
  record.warnings.push(message);
  deps.emit(brief === undefined ? { type: "warning", message } : { type: "warning", message, brief });
}

export function sizesOf(view: ClusterView, memberId: string): Sizes {
  const member = view.members.find((m) => m.memberId === memberId);
  return {
    dbSize: member?.dbSize ?? 0,
    dbSizeInUse: member?.dbSizeInUse ?? 0,
    rssBytes: member?.rssBytes ?? null,
  };
}

export function reportStep(step: PlanStep, before: Sizes, outcome: StepOutcome): ReportStep {
  return {
    node: step.node,
    memberId: step.memberId,
    role: step.role,
    action: step.action,
    reason: step.reason,
    leaderMovedTo: null,
    leaderDecision: step.leaderDecision,
    before,
    after: null,
    durationMs: 0,
    verified: false,
    outcome,
    error: null,
  };
}

/**
 * A follower's defrag as a measurement of the cluster's defrag rate: only a clean, verified one. A failed or
 * timed-out call says nothing about how long the work took.
 */
export function defragSampleOf(step: ReportStep): DefragSample | null {
  if (step.role !== "follower" || step.outcome !== "done" || step.error !== null) return null;
  return { inUseBytes: step.before.dbSizeInUse, callMs: step.durationMs };
}

/** Steps of a plan nobody acted on: for a dry run, a refusal, or what a stopped run did not reach. */
export function untouchedSteps(
  steps: readonly PlanStep[],
  view: ClusterView,
  outcome: StepOutcome,
): ReportStep[] {
  return steps.map((s) =>
    reportStep(
      s,
      sizesOf(view, s.memberId),
      s.action === "skip" && outcome !== "planned" ? "skipped" : outcome,
    ),
  );
}

export function toReportSnapshot(s: SnapshotResult): ReportSnapshot {
  return {
    path: s.path,
    bytes: s.bytes,
    sha256Verified: s.sha256Verified,
    revision: s.revision,
    totalKeys: s.totalKeys,
    node: s.node,
    manifest: s.manifest,
    unverified: s.unverified,
  };
}

export function closeRecord(
  record: RunRecord,
  deps: Pick<RunDeps, "emit" | "now">,
  result: RunResult,
): RunReport {
  const report: RunReport = {
    result,
    dryRun: record.dryRun,
    snapshot: record.snapshot,
    steps: record.steps,
    alarmsDisarmed: record.alarmsDisarmed,
    durationMs: Math.max(0, deps.now() - record.startedAt),
    warnings: record.warnings,
    refusedReasons: record.refusedReasons,
    error: record.error,
    advisories: record.advisories,
  };
  deps.emit({ type: "finished", report });
  return report;
}
