/**
 * Polling with backoff against an injected clock: one readView() per attempt, never more, so a slow or
 * struggling cluster is not flooded while a member recovers from its defrag.
 */
import type { ClusterView } from "../cluster/types.js";
import { describeError } from "../errors.js";
import type { RunDeps } from "./types.js";

export interface PollTiming {
  timeoutMs: number;
  firstIntervalMs: number;
  maxIntervalMs: number;
}

/** What one look at the cluster says: done, keep waiting (and why), or give up at once. */
export type PollVerdict<T> = { done: T } | { unmet: string[] } | { fatal: string };

export type PollOutcome<T> = { ok: true; value: T } | { ok: false; reason: string; timedOut: boolean };

export async function pollView<T>(
  deps: Pick<RunDeps, "readView" | "now" | "sleep">,
  timing: PollTiming,
  judge: (view: ClusterView) => PollVerdict<T>,
  onWait: (attempt: number, unmet: string[]) => void = () => undefined,
): Promise<PollOutcome<T>> {
  const deadline = deps.now() + timing.timeoutMs;
  let interval = timing.firstIntervalMs;
  for (let attempt = 1; ; attempt++) {
    let unmet: string[];
    try {
      const verdict = judge(await deps.readView());
      if ("done" in verdict) return { ok: true, value: verdict.done };
      if ("fatal" in verdict) return { ok: false, reason: verdict.fatal, timedOut: false };
      unmet = verdict.unmet;
    } catch (err) {
      unmet = [`etcd status failed: ${describeError(err)}`];
    }
    const remaining = deadline - deps.now();
    if (remaining <= 0)
      return {
        ok: false,
        reason: `not reached within ${formatWait(timing.timeoutMs)}: ${unmet.join("; ")}`,
        timedOut: true,
      };
    onWait(attempt, unmet);
    await deps.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * 2, timing.maxIntervalMs);
  }
}

function formatWait(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
