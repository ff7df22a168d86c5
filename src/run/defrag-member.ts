/**
 * One member: (move leadership) -> defrag, timed -> verify. A defrag call that fails or times out is NEVER
 * re-issued: the defrag may still be running on the node. We go straight to verification instead.
 */
import type { ClusterView } from "../cluster/types.js";
import { describeError } from "../errors.js";
import type { LeaderMode, PlanStep } from "../plan/types.js";
import { failureKindOf } from "../talos/error-kinds.js";
import { inspectBeforeDefrag, refuseMember } from "./member-resources.js";
import { moveLeadership } from "./move-leader.js";
import { type PollTiming, pollView } from "./poll.js";
import { type RunRecord, reportStep, sizesOf, warn } from "./report.js";
import { describeNoShrink, shrankAsExpected } from "./shrink.js";
import type { ReportStep, RunDeps, StepRef } from "./types.js";
import { trackVerification } from "./verify.js";

export interface MemberRunOptions {
  leaderMode: LeaderMode;
  defragTimeoutMs?: number;
  timing: PollTiming;
  /** Called once the defrag call has returned (or failed), before verification. */
  onDefragReturned?: () => void;
}

export interface MemberRun {
  step: ReportStep;
  /** Whether a defrag call was made: from then on a stop is a failure, not a refusal. */
  issued: boolean;
  /** Set when the run must not go on to another member. refused: certain that this member was not changed. */
  stop: { result: "failed" | "interrupted" | "refused"; error: string | null } | null;
}

export async function defragMember(
  deps: RunDeps,
  options: MemberRunOptions,
  record: RunRecord,
  view: ClusterView,
  planned: PlanStep,
  ref: StepRef,
): Promise<MemberRun> {
  const { node } = planned;
  const before = sizesOf(view, planned.memberId);
  const resources = await inspectBeforeDefrag(deps, record, view, planned);
  before.rssBytes = resources.rssBytes;
  const step = reportStep(planned, before, "failed");
  deps.emit({ type: "step-started", step: ref, before });
  if (resources.refusal !== null) return refuseMember(deps, step, ref, resources.refusal);
  let baseline = view;

  if (planned.leaderDecision !== null)
    deps.emit({ type: "leader-decision", step: ref, decision: planned.leaderDecision });
  if (planned.role === "leader" && planned.leaderMove) {
    const move = await moveLeadership(deps, ref, options.leaderMode, options.timing);
    if (move.kind === "fail") {
      step.error = move.error;
      return { step, issued: false, stop: { result: "failed", error: move.error } };
    }
    if (move.kind === "stay") warn(record, deps, move.warning);
    else {
      step.leaderMovedTo = move.to.node;
      baseline = move.view;
    }
  }
  if (deps.signal.aborted) {
    step.outcome = "not-touched";
    return { step, issued: false, stop: { result: "interrupted", error: null } };
  }

  const startedAt = deps.now();
  deps.emit({ type: "defrag-started", step: ref, startedAt });
  let callError: string | null = null;
  try {
    await deps.talosctl.defrag(node, options.defragTimeoutMs);
  } catch (err) {
    callError = describeError(err);
    if (failureKindOf(err) === "permission-denied") {
      // The API refused the call before etcd saw it: nothing runs on the node, so there is nothing to verify.
      deps.emit({ type: "defrag-done", step: ref, durationMs: 0, error: callError });
      const error = `defrag on ${node} was denied (${callError}): defragmentation needs the os:operator role`;
      step.outcome = "not-touched";
      step.error = error;
      return { step, issued: false, stop: { result: "refused", error } };
    }
  }
  step.durationMs = Math.max(0, deps.now() - startedAt);
  options.onDefragReturned?.();
  deps.emit({ type: "defrag-done", step: ref, durationMs: step.durationMs, error: callError });
  if (callError !== null) {
    step.error = callError;
    warn(
      record,
      deps,
      `defrag on ${node} did not complete cleanly (${callError}); not re-issuing it, since it may still be running on the node: verifying`,
    );
  }

  const tracker = trackVerification({ node, memberId: planned.memberId }, baseline);
  const verified = await pollView(deps, options.timing, tracker.judge, (attempt, unmet) =>
    deps.emit({ type: "verify-waiting", step: ref, attempt, unmet }),
  );
  if (!verified.ok) {
    const error = `${node} was not verified after its defrag: ${verified.reason}`;
    step.error = callError === null ? error : `${callError}; ${error}`;
    deps.emit({ type: "verify-failed", step: ref, reason: verified.reason });
    return { step, issued: true, stop: { result: "failed", error } };
  }

  const after = {
    dbSize: verified.value.dbSize,
    dbSizeInUse: verified.value.dbSizeInUse,
    // Read for every member at once when the run ends (readRssAfterRun).
    rssBytes: null,
  };
  const shrunk = after.dbSize < before.dbSize;
  step.after = after;
  step.verified = true;
  // The progress line says "did not shrink" exactly when the report warns about it.
  const enough = shrankAsExpected(before, after);
  deps.emit({ type: "verified", step: ref, before, after, durationMs: step.durationMs, shrunk: enough });
  if (callError !== null && !shrunk) {
    // The call failed and nothing shows it ran (or finished): going on could stack a second defrag on the cluster.
    const error = `defrag on ${node} failed and the database did not shrink: stopping here`;
    return { step, issued: true, stop: { result: "failed", error } };
  }
  if (!enough) warn(record, deps, describeNoShrink(node, before, after));
  step.outcome = "done";
  return { step, issued: true, stop: null };
}
