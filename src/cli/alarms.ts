/** `alarms list` and `alarms disarm`. Disarm clears EVERY alarm in etcd, so it refuses while CORRUPT is raised. */

import type { ClusterView } from "../cluster/types.js";
import { alarmsKnown } from "../cluster/unseen.js";
import { EXIT, type ExitCode } from "../errors.js";
import { ALARM } from "../policy.js";
import { createStyle } from "../render/style.js";
import { wrapText } from "../render/text.js";
import { disarmIfCured } from "../run/disarm.js";
import type { CommandContext } from "./context.js";
import { type DocumentBody, printDocument } from "./json-output.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runAlarmsList(ctx: CommandContext, flags: RuleFlags): Promise<ExitCode> {
  const reader = await openReader(ctx, flags);
  const view = await reader.read();
  for (const u of view.unreachable) ctx.warn(`${u.node} did not answer: ${u.error}`);
  // Nobody could tell: no document at all, so that no script reads `"alarms": []` as a clean cluster.
  if (!alarmsKnown(view)) return failUnknown(ctx);
  if (ctx.output === "json")
    printDocument(ctx.io, "alarms-list", { alarms: withNodes(view), unreachable: view.unreachable });
  else if (view.alarms.length === 0 && view.unreachable.length > 0)
    ctx.io.stdout(`no alarms raised, as ${answeredBy(view)} report; ${silentNodes(view)} did not answer\n`);
  else
    ctx.io.stdout(
      (await import("../render/alarms-table.js")).renderAlarms(
        withNodes(view),
        createStyle(ctx.color),
        ctx.layout,
      ),
    );
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
  // refused:, error: and hint: lines wrap at spaces on a terminal, as warnings do.
  const say = (line: string) => ctx.io.stderr(`${wrapText(line, ctx.io.stderrWidth).join("\n")}\n`);
  // One shape per result (src/schema/alarms-disarm.ts): alarmsDisarmed on ok, reasons when refused, error when failed.
  const respond = (exitCode: ExitCode, outcome: DisarmOutcome) => {
    if (ctx.output === "json")
      printDocument(ctx.io, "alarms-disarm", {
        ...outcome,
        alarms: withNodes(view),
      });
    return exitCode;
  };
  if (!alarmsKnown(view)) {
    for (const u of view.unreachable) ctx.warn(`${u.node} did not answer: ${u.error}`);
    say(`${style.bad("error:")} ${UNKNOWN}: nothing was disarmed`);
    return respond(EXIT.failed, { result: "failed", error: `${UNKNOWN}: nothing was disarmed` });
  }
  if (view.alarms.length === 0) {
    const who =
      view.unreachable.length === 0
        ? ""
        : `, as ${answeredBy(view)} report (${silentNodes(view)} did not answer)`;
    if (ctx.output !== "json") ctx.io.stdout(`no alarms raised${who}: nothing to disarm\n`);
    return respond(EXIT.ok, { result: "nothing-to-do" });
  }
  if (view.alarms.some((a) => a.alarm === ALARM.corrupt)) {
    const reason =
      "a CORRUPT alarm is raised: `etcd alarm disarm` would clear it along with every other alarm. A corrupt member must be investigated and replaced or restored from a snapshot, not disarmed.";
    say(`${style.bad("refused:")} ${reason}`);
    return respond(EXIT.refused, { result: "refused", reasons: [reason] });
  }
  const outcome = await disarmIfCured({ talosctl: ctx.talosctl, readView: () => reader.read() });
  if (outcome.error !== null) {
    say(`${style.bad("error:")} ${outcome.error}`);
    return respond(EXIT.failed, { result: "failed", error: outcome.error });
  }
  if (outcome.disarmed.length === 0) {
    for (const w of outcome.warnings) say(`${style.bad("refused:")} ${w}`);
    say("hint: run `talos-etcd-defrag defrag` first: it frees the space and then lifts NOSPACE itself");
    return respond(EXIT.refused, { result: "refused", reasons: outcome.warnings });
  }
  if (ctx.output !== "json")
    ctx.io.stdout(`disarmed: ${outcome.disarmed.map((a) => `${a.alarm} on ${a.memberId}`).join(", ")}\n`);
  return respond(EXIT.ok, { result: "ok", alarmsDisarmed: outcome.disarmed });
}

/** The document of a disarm without the alarms, which every result carries. */
type DisarmOutcome =
  DocumentBody<"alarms-disarm"> extends infer D ? (D extends unknown ? Omit<D, "alarms"> : never) : never;

function withNodes(view: ClusterView) {
  return view.alarms.map((a) => ({
    ...a,
    node: view.members.find((m) => m.memberId === a.memberId)?.node ?? null,
  }));
}
