/** `status`: one table (or JSON document) of every member, its sizes, role, alarms and the rule's verdict. */
import { EXIT, type ExitCode } from "../errors.js";
import { renderStatus } from "../render/status-table.js";
import { createStyle } from "../render/style.js";
import type { CommandContext } from "./context.js";
import { type MetricsFlags, resolveMetricsPath, writeMetrics } from "./metrics-flag.js";
import { readViewWithResources } from "./resources.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runStatus(ctx: CommandContext, flags: RuleFlags & MetricsFlags): Promise<ExitCode> {
  const metricsPath = resolveMetricsPath(flags);
  const startedAt = new Date();
  const reader = await openReader(ctx, flags);
  const { view } = await readViewWithResources(ctx, reader);
  if (ctx.output === "json") ctx.io.stdout(`${JSON.stringify(view, null, 2)}\n`);
  else ctx.io.stdout(renderStatus(view, createStyle(ctx.color)));
  // Reporting an unhealthy cluster is a successful status; only "nobody answered" is a failure.
  const exitCode = view.members.length === 0 && view.unreachable.length > 0 ? EXIT.failed : EXIT.ok;
  await writeMetrics(metricsPath, view, {
    command: "status",
    result: exitCode === EXIT.ok ? "ok" : "failed",
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    membersDefragmented: 0,
    bytesReclaimed: 0,
  });
  return exitCode;
}
