/**
 * Hand leadership away before defragmenting the leader, so the cluster keeps a responsive leader.
 * `auto` falls back to defragmenting it as leader when that is not possible; `forfeit` makes it a failure.
 */
import type { ClusterView } from "../cluster/types.js";
import { describeError } from "../errors.js";
import type { LeaderMode } from "../plan/types.js";
import { failureKindOf } from "../talos/error-kinds.js";
import { type PollTiming, pollView } from "./poll.js";
import type { MemberRef, RunDeps, StepRef } from "./types.js";

export type LeaderMove =
  | { kind: "moved"; to: MemberRef; view: ClusterView }
  | { kind: "stay"; warning: string }
  | { kind: "fail"; error: string };

export async function moveLeadership(
  deps: Pick<RunDeps, "talosctl" | "readView" | "now" | "sleep" | "emit">,
  step: StepRef,
  mode: LeaderMode,
  timing: PollTiming,
): Promise<LeaderMove> {
  const fallback = (why: string): LeaderMove =>
    mode === "forfeit"
      ? { kind: "fail", error: `${why}; --leader forfeit does not defragment a member while it leads` }
      : { kind: "stay", warning: `${why}: defragmenting it as leader` };

  deps.emit({ type: "leader-forfeit", step });
  try {
    await deps.talosctl.forfeitLeadership(step.node);
  } catch (err) {
    if (failureKindOf(err) === "permission-denied")
      return fallback(`forfeit-leadership on ${step.node} was denied (it needs the os:admin role)`);
    return fallback(`forfeit-leadership on ${step.node} failed: ${describeError(err)}`);
  }

  const moved = await pollView<{ to: MemberRef; view: ClusterView }>(deps, timing, (view) => {
    const leader = view.leader;
    if (leader === null) return { unmet: ["no agreed leader yet"] };
    if (leader.memberId === step.memberId) return { unmet: [`${step.node} still leads`] };
    if (view.unreachable.length > 0)
      return { unmet: view.unreachable.map((f) => `${f.node} does not answer`) };
    return { done: { to: { node: leader.node, memberId: leader.memberId }, view } };
  });
  if (!moved.ok) return fallback(`leadership did not move away from ${step.node} (${moved.reason})`);
  deps.emit({
    type: "leader-moved",
    step,
    from: { node: step.node, memberId: step.memberId },
    to: moved.value.to,
  });
  return { kind: "moved", ...moved.value };
}
