/**
 * runDefrag: gate -> plan -> (confirm, lock) -> snapshot -> one member at a time, each re-planned from a
 * fresh view because leadership can move under us -> lift NOSPACE -> report. Consumes plans, never guesses.
 */
import { catchUpMarginFor } from "../cluster/advisories.js";
import type { ClusterView } from "../cluster/types.js";
import { describeError } from "../errors.js";
import { buildPlan } from "../plan/build-plan.js";
import { checkGate } from "../plan/gate.js";
import { type DefragSample, estimateFixedCost } from "../plan/leader-decision.js";
import type { GateOptions, PlanStep } from "../plan/types.js";
import {
  ALARM,
  DEFAULT_WAIT_TIMEOUT_MS,
  POLL_FIRST_INTERVAL_MS,
  POLL_MAX_INTERVAL_MS,
  REPLAN_VIEW_MAX_AGE_MS,
} from "../policy.js";
import { configErrorHint } from "../talos/error-kinds.js";
import { hazardWarnings, waitForCatchUp } from "./catch-up.js";
import { defragMember } from "./defrag-member.js";
import { disarmIfCured } from "./disarm.js";
import { checkPlannedDisk, memoryAfterRun } from "./member-resources.js";
import type { PollTiming } from "./poll.js";
import { type RecentViews, rememberViews } from "./recent-view.js";
import {
  closeRecord,
  defragSampleOf,
  type RunRecord,
  reportStep,
  sizesOf,
  startRecord,
  toReportSnapshot,
  untouchedSteps,
  warn,
} from "./report.js";
import { pickSnapshotNode, takeSnapshot } from "./snapshot.js";
import type { ReportStep, RunDeps, RunOptions, RunReport, RunResult } from "./types.js";

export async function runDefrag(deps: RunDeps, options: RunOptions): Promise<RunReport> {
  const record = startRecord(deps.now(), options.dryRun ?? false);
  const finish = (result: RunResult) => closeRecord(record, deps, result);
  // Every view the run reads, the first included: a first look young enough serves the first member's re-plan.
  const views = rememberViews(deps);
  let view: ClusterView;
  try {
    view = await deps.readView();
    views.keep(view);
  } catch (err) {
    // A talosconfig that cannot be used is the caller's configuration error (exit 2, with its hint), not a
    // cluster that refuses to be touched.
    if (configErrorHint(err) !== undefined) throw err;
    record.refusedReasons.push(`cannot read the cluster: ${describeError(err)}`);
    return finish("refused");
  }
  record.advisories = view.advisories;
  // Decided once, from the first look: the members' etcd versions do not change during a run.
  const margin = catchUpMarginFor(view);
  const gateOptions: GateOptions = margin === undefined ? {} : { requireCaughtUp: margin };
  const gate = checkGate(view, gateOptions);
  deps.emit({ type: "gate", ok: gate.ok, reasons: gate.reasons, warnings: gate.warnings });
  for (const w of gate.warnings) warn(record, deps, w);
  for (const w of hazardWarnings(view)) warn(record, deps, w.message, w.brief);
  const plan = buildPlan(view, options);
  deps.emit({ type: "plan", plan });
  for (const w of plan.warnings) warn(record, deps, w);

  if (!gate.ok || plan.blockers.length > 0) {
    record.refusedReasons.push(...gate.reasons, ...plan.blockers);
    record.steps = untouchedSteps(plan.steps, view, "not-touched");
    return finish("refused");
  }
  if (record.dryRun) {
    record.steps = untouchedSteps(plan.steps, view, "planned");
    // The free-disk check the real run makes before each member: a member it would refuse refuses the plan.
    const shortages = await checkPlannedDisk(deps, record, view, plan.steps);
    if (shortages.size === 0) return finish(plan.result);
    for (const step of record.steps) step.error = shortages.get(step.memberId) ?? step.error;
    record.refusedReasons.push(...shortages.values());
    return finish("refused");
  }
  if (plan.result === "nothing-to-do") {
    record.steps = untouchedSteps(plan.steps, view, "skipped");
    return finish("nothing-to-do");
  }
  // The same free-disk check as the dry run, before anything is touched (the snapshot included): a member the
  // plan would defragment onto a full volume refuses the whole run, as `plan` says, rather than failing it
  // after the members before it were done. Each member is checked again just before its own defrag.
  const shortages = await checkPlannedDisk(deps, record, view, plan.steps, { sayUnknown: false });
  if (shortages.size > 0) {
    record.steps = untouchedSteps(plan.steps, view, "not-touched");
    for (const step of record.steps) step.error = shortages.get(step.memberId) ?? step.error;
    for (const [i, s] of plan.steps.entries()) {
      const reason = shortages.get(s.memberId);
      const step = {
        index: i + 1,
        total: plan.steps.length,
        node: s.node,
        memberId: s.memberId,
        role: s.role,
      };
      if (reason !== undefined) deps.emit({ type: "step-refused", step, reason });
    }
    record.refusedReasons.push(...shortages.values());
    return finish("refused");
  }
  if (deps.confirm !== undefined && !(await deps.confirm(plan))) {
    record.refusedReasons.push("not confirmed");
    record.steps = untouchedSteps(plan.steps, view, "not-touched");
    return finish("refused");
  }

  let lock: Awaited<ReturnType<NonNullable<RunDeps["acquireLock"]>>> | undefined;
  try {
    lock = await deps.acquireLock?.(view);
  } catch (err) {
    record.refusedReasons.push(describeError(err));
    record.steps = untouchedSteps(plan.steps, view, "not-touched");
    return finish("refused");
  }
  try {
    for (const w of lock?.warnings ?? []) warn(record, deps, w);
    const memoryAfter = memoryAfterRun(deps);
    const result = await runLocked(deps, views, memoryAfter, options, gateOptions, record, view, plan.steps);
    // A read, not a touch, and side info (it never changes the result): also after any stop, the operator's
    // included, so the members done so far show their memory. A second Ctrl-C still leaves at once.
    await memoryAfter.read(record, view, record.steps);
    return finish(result);
  } finally {
    await lock?.release();
  }
}

async function runLocked(
  runDeps: RunDeps,
  views: RecentViews,
  memoryAfter: ReturnType<typeof memoryAfterRun>,
  options: RunOptions,
  gateOptions: GateOptions,
  record: RunRecord,
  firstView: ClusterView,
  firstSteps: PlanStep[],
): Promise<RunResult> {
  const deps: RunDeps = { ...runDeps, readView: views.read };
  const notTouched = () => record.steps.push(...untouchedSteps(firstSteps, firstView, "not-touched"));
  if (deps.signal.aborted) {
    notTouched();
    return "interrupted";
  }
  if (options.snapshot !== null) {
    try {
      const node = options.snapshot.node ?? pickSnapshotNode(firstView)?.node ?? "none";
      deps.emit({ type: "snapshot-started", node });
      const snap = await takeSnapshot(deps.talosctl, firstView, options.snapshot, deps.now);
      record.snapshot = toReportSnapshot(snap);
      for (const w of snap.warnings) warn(record, deps, w);
      deps.emit({ type: "snapshot-done", snapshot: snap });
    } catch (err) {
      record.refusedReasons.push(describeError(err));
      notTouched();
      return "refused";
    }
  }

  const timing: PollTiming = {
    timeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
    firstIntervalMs: options.pollIntervalMs ?? POLL_FIRST_INTERVAL_MS,
    maxIntervalMs: options.maxPollIntervalMs ?? POLL_MAX_INTERVAL_MS,
  };
  const pending = trackPending(firstSteps, firstView);
  let defragsIssued = 0;
  // The followers' defrags so far: the rate the leader's move is decided by (src/plan/leader-decision.ts).
  const samples: DefragSample[] = [];
  let view = firstView;
  let steps = firstSteps;
  // A view already read and found caught up: the next round plans from it instead of reading again.
  let caughtUp: ClusterView | undefined;
  // A stop names every member not reached, including one that has vanished from the latest view.
  const stop = (result: RunResult) => {
    record.steps.push(...pending.rest(steps));
    return result;
  };
  for (let index = 1; ; index++) {
    // Re-plan from fresh status before every member (the first too: a snapshot may have taken minutes). The view
    // the previous member's verification has just read is that fresh status, and before the first member the
    // first look when nothing (a snapshot, a prompt) came in between (see recent-view.ts).
    try {
      view = caughtUp ?? views.recent(REPLAN_VIEW_MAX_AGE_MS) ?? (await views.read());
      caughtUp = undefined;
    } catch (err) {
      record.error = `cannot read the cluster: ${describeError(err)}`;
      return stop(defragsIssued > 0 ? "failed" : "refused");
    }
    const gate = checkGate(view, gateOptions);
    for (const w of gate.warnings) warn(record, deps, w);
    const measured = { samples, fixedCostMs: estimateFixedCost(views.durations()) };
    const plan = buildPlan(view, { ...options, measured });
    for (const w of plan.warnings) warn(record, deps, w);
    steps = plan.steps;
    pending.learn(steps, view);
    if (!gate.ok || plan.blockers.length > 0) {
      const reasons = [...gate.reasons, ...plan.blockers];
      record.error = gate.ok
        ? `the run cannot go on: ${reasons.join("; ")}`
        : `the cluster is no longer healthy: ${reasons.join("; ")}`;
      if (defragsIssued === 0) record.refusedReasons.push(...reasons);
      return stop(defragsIssued > 0 ? "failed" : "refused");
    }
    const remaining = steps.filter((s) => !pending.isDone(s.memberId));
    const next = remaining[0];
    if (next === undefined) break;
    const ref = {
      index,
      total: index - 1 + remaining.length,
      node: next.node,
      memberId: next.memberId,
      role: next.role,
    };
    if (deps.signal.aborted && next.action === "defrag") {
      deps.emit({ type: "stopping", reason: "stop requested: no further member is touched" });
      return stop("interrupted");
    }
    if (next.action === "defrag" && gate.notCaughtUp.length > 0) {
      const waited = await waitForCatchUp(deps, timing, gateOptions, ref);
      if (!waited.ok) {
        record.error = waited.error;
        if (defragsIssued === 0) record.refusedReasons.push(waited.error);
        return stop(defragsIssued > 0 ? "failed" : "refused");
      }
      // Leadership may have moved while we waited: plan this round again from the caught-up view.
      caughtUp = waited.view;
      index -= 1;
      continue;
    }
    pending.markDone(next.memberId);
    if (next.action === "skip") {
      deps.emit({ type: "step-skipped", step: ref, reason: next.reason });
      record.steps.push(reportStep(next, sizesOf(view, next.memberId), "skipped"));
      continue;
    }
    // The last member's defrag call: etcd's memory "after" is asked beside its verification.
    const last = remaining.length === 1;
    memoryAfter.defragStarting();
    const memberOptions = {
      ...options,
      timing,
      ...(last ? { onDefragReturned: () => memoryAfter.startEarly(view) } : {}),
    };
    const run = await defragMember(deps, memberOptions, record, view, next, ref);
    record.steps.push(run.step);
    if (run.issued) defragsIssued++;
    const sample = defragSampleOf(run.step);
    if (sample !== null) samples.push(sample);
    if (run.stop !== null) {
      record.error = run.stop.error;
      // "refused" only while nothing has been changed; after an earlier defrag the run has failed part-way.
      if (run.stop.result === "refused" && defragsIssued === 0 && run.stop.error !== null)
        record.refusedReasons.push(run.stop.error);
      return stop(run.stop.result === "refused" && defragsIssued > 0 ? "failed" : run.stop.result);
    }
  }
  // Once a stop is announced nothing more is done, the disarm included: the run ends interrupted.
  if (deps.signal.aborted) {
    const nospace = view.alarms.some((a) => a.alarm === ALARM.nospace);
    deps.emit({
      type: "stopping",
      reason: `stop requested: nothing more is done${nospace ? " (the NOSPACE alarm is left armed)" : ""}`,
    });
    return stop("interrupted");
  }
  return await liftNospace(deps, record, views.recent(REPLAN_VIEW_MAX_AGE_MS));
}

async function liftNospace(deps: RunDeps, record: RunRecord, current?: ClusterView): Promise<RunResult> {
  try {
    const outcome = await disarmIfCured(deps, current);
    for (const w of outcome.warnings) warn(record, deps, w);
    record.alarmsDisarmed = outcome.disarmed;
    if (outcome.disarmed.length > 0) deps.emit({ type: "alarms-disarmed", alarms: outcome.disarmed });
    if (outcome.error === null) return "ok";
    record.error = outcome.error;
  } catch (err) {
    record.error = `checking the alarms after the run failed: ${describeError(err)}`;
  }
  return "failed";
}

/** Every member any plan of this run has named, with its last known sizes, and which are done. */
function trackPending(firstSteps: readonly PlanStep[], firstView: ClusterView) {
  const known = new Map<string, ReportStep>();
  const done = new Set<string>();
  const learn = (steps: readonly PlanStep[], view: ClusterView) => {
    for (const step of untouchedSteps(steps, view, "not-touched")) known.set(step.memberId, step);
  };
  learn(firstSteps, firstView);
  return {
    learn,
    isDone: (memberId: string) => done.has(memberId),
    markDone: (memberId: string) => done.add(memberId),
    /** Not reached: the latest plan's order first, then members that vanished from it. */
    rest(latest: readonly PlanStep[]): ReportStep[] {
      const order = [...latest.map((s) => s.memberId), ...known.keys()];
      return [...new Set(order)].filter((id) => !done.has(id)).flatMap((id) => known.get(id) ?? []);
    },
  };
}
