/** `alarms list` and `alarms disarm`. Disarm clears EVERY alarm in etcd, so it refuses while CORRUPT is raised. */

import type { ClusterView } from "../cluster/types.js";
import { alarmsKnown } from "../cluster/unseen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { ALARM } from "../policy.js";
import { renderAlarms } from "../render/alarms-table.js";
import { createStyle } from "../render/style.js";
import { disarmIfCured } from "../run/disarm.js";
import type { CommandContext } from "./context.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runAlarmsList(ctx: CommandContext, flags: RuleFlags): Promise<ExitCode> {
  const reader = await openReader(ctx, flags);
  const view = await reader.read();
  for (const u of view.unreachable) ctx.warn(`${u.node} did not answer: ${u.error}`);
  // Nobody could tell: no document at all, so that no script reads `"alarms": []` as a clean cluster.
  if (!alarmsKnown(view)) return failUnknown(ctx);
  if (ctx.output === "json")
    ctx.io.stdout(`${JSON.stringify({ alarms: withNodes(view), unreachable: view.unreachable }, null, 2)}\n`);
  else if (view.alarms.length === 0 && view.unreachable.length > 0)
    ctx.io.stdout(`no alarms raised, as ${answeredBy(view)} report; ${silentNodes(view)} did not answer\n`);
  else ctx.io.stdout(renderAlarms(withNodes(view), createStyle(ctx.color), ctx.layout));
  return EXIT.ok;
}

const UNKNOWN = "no voting member answered, so which alarms are raised is unknown (CORRUPT may be)";

function failUnknown(ctx: CommandContext): ExitCode {
  ctx.io.stderr(
    `error: ${UNKNOWN}\nhint: check that the nodes given with -n are reachable control plane nodes\n`,
  );
  return EXIT.failed;
}

/** The voting members whose answers the alarm list is. */
function answeredBy(view: ClusterView): string {
  const silent = new Set(view.unreachable.map((f) => f.node));
  return view.members
    .filter((m) => !m.isLearner && !silent.has(m.node))
    .map((m) => m.node)
    .join(", ");
}

function silentNodes(view: ClusterView): string {
  return view.unreachable.map((f) => f.node).join(", ");
}

export async function runAlarmsDisarm(ctx: CommandContext, flags: RuleFlags): Promise<ExitCode> {
  const reader = await openReader(ctx, flags);
  const view = await reader.read();
  const style = createStyle(ctx.color);
  const respond = (result: string, exitCode: ExitCode, detail: Record<string, unknown> = {}) => {
    if (ctx.output === "json")
      ctx.io.stdout(`${JSON.stringify({ result, alarms: withNodes(view), ...detail }, null, 2)}\n`);
    return exitCode;
  };
  if (!alarmsKnown(view)) {
    for (const u of view.unreachable) ctx.warn(`${u.node} did not answer: ${u.error}`);
    ctx.io.stderr(`${style.bad("error:")} ${UNKNOWN}: nothing was disarmed\n`);
    return respond("failed", EXIT.failed, { error: `${UNKNOWN}: nothing was disarmed` });
  }
  if (view.alarms.length === 0) {
    const who =
      view.unreachable.length === 0
        ? ""
        : `, as ${answeredBy(view)} report (${silentNodes(view)} did not answer)`;
    if (ctx.output !== "json") ctx.io.stdout(`no alarms raised${who}: nothing to disarm\n`);
    return respond("nothing-to-do", EXIT.ok);
  }
  if (view.alarms.some((a) => a.alarm === ALARM.corrupt)) {
    const reason =
      "a CORRUPT alarm is raised: `etcd alarm disarm` would clear it along with every other alarm. A corrupt member must be investigated and replaced or restored from a snapshot, not disarmed.";
    ctx.io.stderr(`${style.bad("refused:")} ${reason}\n`);
    return respond("refused", EXIT.refused, { reasons: [reason] });
  }
  const outcome = await disarmIfCured({ talosctl: ctx.talosctl, readView: () => reader.read() });
  if (outcome.error !== null) {
    ctx.io.stderr(`${style.bad("error:")} ${outcome.error}\n`);
    return respond("failed", EXIT.failed, { error: outcome.error });
  }
  if (outcome.disarmed.length === 0) {
    for (const w of outcome.warnings) ctx.io.stderr(`${style.bad("refused:")} ${w}\n`);
    ctx.io.stderr(
      "hint: run `talos-etcd-defrag defrag` first: it frees the space and then lifts NOSPACE itself\n",
    );
    return respond("refused", EXIT.refused, { reasons: outcome.warnings });
  }
  if (ctx.output !== "json")
    ctx.io.stdout(`disarmed: ${outcome.disarmed.map((a) => `${a.alarm} on ${a.memberId}`).join(", ")}\n`);
  return respond("ok", EXIT.ok, { alarmsDisarmed: outcome.disarmed });
}

function withNodes(view: ClusterView) {
  return view.alarms.map((a) => ({
    ...a,
    node: view.members.find((m) => m.memberId === a.memberId)?.node ?? null,
  }));
}
