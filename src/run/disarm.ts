/**
 * After the defrags: lift NOSPACE once every member has room again. `alarm disarm` clears EVERY alarm, so
 * it is never run while CORRUPT is present, and the result is confirmed by reading the alarms again.
 */
import type { AlarmView, ClusterView } from "../cluster/types.js";
import { unseenMembers } from "../cluster/unseen.js";
import { votersOf } from "../cluster/voters.js";
import { describeError } from "../errors.js";
import { ALARM, DISARM_BELOW_QUOTA } from "../policy.js";
import type { RunDeps } from "./types.js";

export interface DisarmOutcome {
  disarmed: AlarmView[];
  warnings: string[];
  /** Set when the alarm was meant to go and did not: the run is not a success. */
  error: string | null;
}

/** `current`: a view read just now (the run's last verification); the look after the disarm is always fresh. */
export async function disarmIfCured(
  deps: Pick<RunDeps, "talosctl" | "readView">,
  current?: ClusterView,
): Promise<DisarmOutcome> {
  const none: DisarmOutcome = { disarmed: [], warnings: [], error: null };
  const view = current ?? (await deps.readView());
  const nospace = view.alarms.filter((a) => a.alarm === ALARM.nospace);
  if (nospace.length === 0) return none;
  const keep = (why: string): DisarmOutcome => ({ ...none, warnings: [`NOSPACE alarm left armed: ${why}`] });
  if (view.alarms.some((a) => a.alarm === ALARM.corrupt))
    return keep("a CORRUPT alarm is present and disarming would clear it too");
  // A member this view does not show may be the one at the quota: every member's size must be known.
  const unseen = unseenMembers(view);
  if (unseen.length > 0)
    return keep(
      `${unseen.join(", ")}: size is unknown, and it may be the member at the quota; include every member with -n and make sure each answers`,
    );
  const full = view.members.filter((m) => m.dbSize >= DISARM_BELOW_QUOTA * view.quota.bytes);
  if (full.length > 0) {
    const list = full.map((m) => `${m.node} at ${(m.quotaUsage * 100).toFixed(1)} %`).join(", ");
    return keep(`${list} of the quota (${view.quota.bytes} bytes); raise the quota or free space first`);
  }

  try {
    // Alarms are cluster-wide and Talos's disarm clears every one through the member it asks, so one voter (the
    // leader when it answered; a learner refuses alarm RPCs) disarms the cluster. Asked of several nodes,
    // talosctl up to v1.13 fans out and garbles its table (`%!(EXTRA string=NOSPACE)`) when the first node to
    // answer disarmed nothing because another had already done it (docs/TALOSCTL.md, "Met for real").
    const voters = votersOf(view);
    const one = voters.find((m) => m.memberId === view.leader?.memberId) ?? voters[0];
    if (one === undefined) return keep("no voting member answered");
    await deps.talosctl.disarmAlarms([one.node]);
  } catch (err) {
    return { ...none, error: `etcd alarm disarm failed: ${describeError(err)}` };
  }
  const after = await deps.readView();
  const left = after.alarms.filter((a) => a.alarm === ALARM.nospace);
  if (left.length > 0)
    return {
      ...none,
      error: `NOSPACE alarm still present after disarm on member ${left.map((a) => a.memberId).join(", ")}`,
    };
  return { ...none, disarmed: nospace };
}
