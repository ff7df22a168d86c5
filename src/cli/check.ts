/** `check`: the go/no-go checklist for upgrades and cron jobs. Exit 0 go, 3 no-go, 4 healthy but defrag recommended. */
import { buildChecklist } from "../cluster/checklist.js";
import { EXIT, type ExitCode } from "../errors.js";
import { addDiskSpaceItem } from "../plan/disk-check.js";
import { renderChecklist } from "../render/checklist.js";
import { createStyle } from "../render/style.js";
import type { CommandContext } from "./context.js";
import { type MetricsFlags, resolveMetricsPath, writeMetrics } from "./metrics-flag.js";
import { readViewWithResources } from "./resources.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runCheck(ctx: CommandContext, flags: RuleFlags & MetricsFlags): Promise<ExitCode> {
  const metricsPath = resolveMetricsPath(flags);
  const startedAt = new Date();
  const reader = await openReader(ctx, flags);
  const { view, volumes } = await readViewWithResources(ctx, reader);
  const checklist = addDiskSpaceItem(buildChecklist(view), view, volumes);
  if (ctx.output === "json")
    ctx.io.stdout(
      `${JSON.stringify({ ...checklist, go: checklist.verdict !== "no-go", status: view }, null, 2)}\n`,
    );
  else ctx.io.stdout(renderChecklist(checklist, createStyle(ctx.color)));
  await writeMetrics(metricsPath, view, {
    command: "check",
    result: checklist.verdict,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    membersDefragmented: 0,
    bytesReclaimed: 0,
  });
  return checklist.verdict === "go"
    ? EXIT.ok
    : checklist.verdict === "no-go"
      ? EXIT.refused
      : EXIT.recommended;
}
