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

/** One `processes` answer serves every member until the next defrag; `mounts` is read once per run. */
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

/** A fresh `processes` call once the member verified: its memory now, and the next member's "before". */
export async function readRssAfter(deps: RunDeps, record: RunRecord, view: ClusterView, node: string) {
  const reader = deps.resources;
  if (reader === undefined) return null;
  const memory = await reader.readMemory(view.members.map((m) => m.node));
  for (const w of memory.warnings) warn(record, deps, w);
  return memory.values.get(node) ?? null;
}

/** The member run that leaves a member untouched for lack of disk space. */
export function refuseMember(deps: RunDeps, step: ReportStep, ref: StepRef, refusal: string) {
  step.outcome = "not-touched";
  step.error = refusal;
  deps.emit({ type: "step-refused", step: ref, reason: refusal });
  return { step, issued: false, stop: { result: "refused" as const, error: refusal } };
}
