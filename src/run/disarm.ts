/**
 * After the defrags: lift NOSPACE once every member has room again. `alarm disarm` clears EVERY alarm, so
 * it is never run while CORRUPT is present, and the result is confirmed by reading the alarms again.
 */
import type { AlarmView } from "../cluster/types.js";
import { describeError } from "../errors.js";
import type { RunDeps } from "./types.js";

/** Below this share of the quota the member can take writes again without tripping NOSPACE at once. */
export const DISARM_BELOW_QUOTA = 0.9;

export interface DisarmOutcome {
  disarmed: AlarmView[];
  warnings: string[];
  /** Set when the alarm was meant to go and did not: the run is not a success. */
  error: string | null;
}

export async function disarmIfCured(deps: Pick<RunDeps, "talosctl" | "readView">): Promise<DisarmOutcome> {
  const none: DisarmOutcome = { disarmed: [], warnings: [], error: null };
  const view = await deps.readView();
  const nospace = view.alarms.filter((a) => a.alarm === "NOSPACE");
  if (nospace.length === 0) return none;
  const keep = (why: string): DisarmOutcome => ({ ...none, warnings: [`NOSPACE alarm left armed: ${why}`] });
  if (view.alarms.some((a) => a.alarm === "CORRUPT"))
    return keep("a CORRUPT alarm is present and disarming would clear it too");
  if (view.unreachable.length > 0)
    return keep(`${view.unreachable.map((f) => f.node).join(", ")} did not answer, so its size is unknown`);
  const full = view.members.filter((m) => m.dbSize >= DISARM_BELOW_QUOTA * view.quota.bytes);
  if (full.length > 0) {
    const list = full.map((m) => `${m.node} at ${(m.quotaUsage * 100).toFixed(1)} %`).join(", ");
    return keep(`${list} of the quota (${view.quota.bytes} bytes); raise the quota or free space first`);
  }

  try {
    await deps.talosctl.disarmAlarms(view.members.map((m) => m.node));
  } catch (err) {
    return { ...none, error: `etcd alarm disarm failed: ${describeError(err)}` };
  }
  const after = await deps.readView();
  const left = after.alarms.filter((a) => a.alarm === "NOSPACE");
  if (left.length > 0)
    return {
      ...none,
      error: `NOSPACE alarm still present after disarm on member ${left.map((a) => a.memberId).join(", ")}`,
    };
  return { ...none, disarmed: nospace };
}
