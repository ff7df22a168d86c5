/**
 * Around one member's defrag: etcd's memory before and after, and the free-space check that keeps a member
 * from being defragmented onto a full volume. All optional data: unknown values are null and a warning; only
 * a known shortage stops the run (a refusal while nothing has been changed, else a failure: see execute.ts).
 */
import type { ClusterView } from "../cluster/types.js";
import { checkDiskSpace, describeShortage, describeUnknown } from "../plan/disk-check.js";
import type { PlanStep } from "../plan/types.js";
import { type RunRecord, warn } from "./report.js";
import type { ReportStep, RunDeps, StepRef } from "./types.js";

export interface BeforeDefrag {
  rssBytes: number | null;
  /** Why the member must not be touched; null when it may. */
  refusal: string | null;
}

/**
 * One `processes` answer, read before the first defrag, is every member's "before" (a member's memory does not
 * move with another member's defrag); `mounts` is read once per run. Each read is a talosctl call with its own
 * TLS handshake and proxy hop, so the run reads memory twice in all, not around every member.
 */
export async function inspectBeforeDefrag(
  deps: RunDeps,
  record: RunRecord,
  view: ClusterView,
  planned: PlanStep,
): Promise<BeforeDefrag> {
  const reader = deps.resources;
  if (reader === undefined) return { rssBytes: null, refusal: null };
  const nodes = view.members.map((m) => m.node);
  const [memory, volumes] = await Promise.all([reader.lastMemory(nodes), reader.volumes(nodes)]);
  for (const w of [...memory.warnings, ...volumes.warnings]) warn(record, deps, w);
  const inUse = view.members.find((m) => m.memberId === planned.memberId)?.dbSizeInUse ?? 0;
  const verdict = checkDiskSpace(inUse, volumes.values.get(planned.node));
  if (verdict.kind === "unknown") warn(record, deps, describeUnknown(planned.node));
  return {
    rssBytes: memory.values.get(planned.node) ?? null,
    refusal: verdict.kind === "short" ? describeShortage(planned.node, inUse, verdict) : null,
  };
}

/**
 * The free-disk check a real run makes before each member, made for every member the plan would defragment (one
 * `mounts` call, which the run's own checks reuse): `plan` and `--dry-run` refuse on a shortage, and so does a
 * real run before it touches anything. Returns the shortages, each as the real run would refuse the member;
 * unknown free space is a warning (`sayUnknown: false` in a real run, whose check before each member says it).
 */
export async function checkPlannedDisk(
  deps: RunDeps,
  record: RunRecord,
  view: ClusterView,
  steps: readonly PlanStep[],
  options: { sayUnknown: boolean } = { sayUnknown: true },
): Promise<Map<string, string>> {
  const shortages = new Map<string, string>();
  const reader = deps.resources;
  const planned = steps.filter((s) => s.action === "defrag");
  if (reader === undefined || planned.length === 0) return shortages;
  const volumes = await reader.volumes(view.members.map((m) => m.node));
  for (const w of volumes.warnings) warn(record, deps, w);
  for (const step of planned) {
    const inUse = view.members.find((m) => m.memberId === step.memberId)?.dbSizeInUse ?? 0;
    const verdict = checkDiskSpace(inUse, volumes.values.get(step.node));
    if (verdict.kind === "unknown" && options.sayUnknown) warn(record, deps, describeUnknown(step.node));
    if (verdict.kind === "short") shortages.set(step.memberId, describeShortage(step.node, inUse, verdict));
  }
  return shortages;
}

/**
 * One `processes` call once every member is done: each defragmented member's memory "after". Read at the end
 * rather than after each member (which cost one call per member); etcd's RSS after a defrag stays low for far
 * longer than a run lasts, so the value is the same. The call is made as soon as the last member's defrag call
 * returns, beside that member's verification (`startEarly`, one round trip less, issue 21); it is used only
 * when no defrag call was made after it started, else the memory is read again.
 */
export function memoryAfterRun(deps: RunDeps) {
  let early = false;
  return {
    /** Before each defrag call: a read started earlier no longer comes after every defrag. */
    defragStarting() {
      early = false;
    },
    /** The run's last defrag call has returned. */
    startEarly(view: ClusterView) {
      deps.resources?.refreshMemory(view.members.map((m) => m.node));
      early = true;
    },
    read: (record: RunRecord, view: ClusterView, steps: ReportStep[]) =>
      readRssAfterRun(deps, record, view, steps, early),
  };
}

async function readRssAfterRun(
  deps: RunDeps,
  record: RunRecord,
  view: ClusterView,
  steps: ReportStep[],
  early: boolean,
) {
  const reader = deps.resources;
  const done = steps.filter((s) => s.outcome === "done" && s.after !== null);
  if (reader === undefined || done.length === 0) return;
  const nodes = view.members.map((m) => m.node);
  const memory = early ? await reader.lastMemory(nodes) : await reader.readMemory(nodes);
  for (const w of memory.warnings) warn(record, deps, w);
  for (const step of done)
    if (step.after !== null) step.after.rssBytes = memory.values.get(step.node) ?? null;
}

/** The member run that leaves a member untouched for lack of disk space. */
export function refuseMember(deps: RunDeps, step: ReportStep, ref: StepRef, refusal: string) {
  step.outcome = "not-touched";
  step.error = refusal;
  deps.emit({ type: "step-refused", step: ref, reason: refusal });
  return { step, issued: false, stop: { result: "refused" as const, error: refusal } };
}
