/** `alarms list` and `alarms disarm`. Disarm clears EVERY alarm in etcd, so it refuses while CORRUPT is raised. */

import type { ClusterView } from "../cluster/types.js";
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
  if (ctx.output === "json")
    printDocument(ctx.io, "alarms-list", { alarms: withNodes(view), unreachable: view.unreachable });
  else
    ctx.io.stdout(
      (await import("../render/alarms-table.js")).renderAlarms(
        withNodes(view),
        createStyle(ctx.color),
        ctx.layout,
      ),
    );
  for (const u of view.unreachable) ctx.warn(`${u.node} did not answer: ${u.error}`);
  return EXIT.ok;
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
  if (view.alarms.length === 0) {
    if (ctx.output !== "json") ctx.io.stdout("no alarms raised: nothing to disarm\n");
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
