/**
 * Before defragmenting a member on an etcd with a known defrag hazard (etcd issue 20271: a member that is sent
 * a raft snapshot while it defragments can corrupt its database), every voting member must be caught up with
 * the leader, so that none is anywhere near needing a snapshot. Under load a small lag comes and goes (and
 * `etcd status` does not read the members at one instant), so a lagging cluster is waited for, with the same
 * backoff and --wait-timeout as verification; one that stays behind stops the run before the member is touched.
 */
import { briefAdvisoryGroups, catchUpMarginFor, describeAdvisory } from "../cluster/advisories.js";
import type { ClusterView } from "../cluster/types.js";
import { checkGate } from "../plan/gate.js";
import type { GateOptions } from "../plan/types.js";
import { CATCH_UP_MARGIN } from "../policy.js";
import { type PollTiming, pollView } from "./poll.js";
import type { RunDeps, StepRef } from "./types.js";

export type CatchUp = { ok: true; view: ClusterView } | { ok: false; error: string };

export async function waitForCatchUp(
  deps: Pick<RunDeps, "readView" | "now" | "sleep" | "emit" | "signal">,
  timing: PollTiming,
  gate: GateOptions,
  step: StepRef,
): Promise<CatchUp> {
  const outcome = await pollView<ClusterView>(
    deps,
    timing,
    (view) => {
      // A stop request ends the wait; the run's next round sees it and stops before touching the member.
      if (deps.signal.aborted) return { done: view };
      const result = checkGate(view, gate);
      if (!result.ok) return { fatal: `the cluster is no longer healthy: ${result.reasons.join("; ")}` };
      return result.notCaughtUp.length > 0 ? { unmet: result.notCaughtUp } : { done: view };
    },
    (attempt, unmet) => deps.emit({ type: "catch-up-waiting", step, attempt, unmet }),
  );
  if (outcome.ok) return { ok: true, view: outcome.value };
  return {
    ok: false,
    error: `${step.node} was not defragmented: every voting member must first be within ${gate.requireCaughtUp ?? CATCH_UP_MARGIN} entries of the leader (a known etcd defrag hazard, see the warnings): ${outcome.reason}`,
  };
}

/**
 * What a run on this cluster says up front: each advisory, and the catch-up rule when it applies. `message` is
 * the full text (the report's `warnings`); `brief` is how a person is told it (see the warning event): the
 * advisory's one line, or null when an earlier line already says it (advisories sharing a line, the catch-up
 * rule that the 20271 line names).
 */
export function hazardWarnings(view: ClusterView): { message: string; brief?: string | null }[] {
  const groups = briefAdvisoryGroups(view.advisories, view.members.length);
  const warnings: { message: string; brief?: string | null }[] = view.advisories.map((a) => {
    const group = groups.find((g) => g.issues.includes(a.issues[0] ?? 0));
    const first = group !== undefined && group.issues[0] === a.issues[0];
    return {
      message: `${describeAdvisory(a, view.members.length)} ${a.url}`,
      brief: first ? group.text : null,
    };
  });
  const unknown = view.members.filter((m) => !m.isLearner && m.etcdVersion === null).map((m) => m.node);
  if (unknown.length > 0)
    warnings.push({
      message: `the etcd version of ${unknown.join(", ")} is unknown: known defrag hazards cannot be ruled out`,
    });
  const margin = catchUpMarginFor(view);
  if (margin !== undefined)
    warnings.push({
      message: `each member is defragmented only while every voting member is within ${margin} entries of the leader's raft index (waiting up to --wait-timeout for that)`,
      // The advisory's line says "defrag waits for every voter to catch up".
      ...(view.advisories.some((a) => a.waitsForCatchUp) ? { brief: null } : {}),
    });
  return warnings;
}
