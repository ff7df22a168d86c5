/** `status`: one table (or JSON document) of every member, its sizes, role, alarms and the rule's verdict. */
import { EXIT, type ExitCode } from "../errors.js";
import { renderStatus } from "../render/status-table.js";
import { createStyle } from "../render/style.js";
import { writeMetrics } from "../service/metrics.js";
import type { CommandContext } from "./context.js";
import { printDocument } from "./json-output.js";
import { type MetricsFlags, prepareMetricsPath } from "./metrics-flag.js";
import { readViewWithResources } from "./resources.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runStatus(ctx: CommandContext, flags: RuleFlags & MetricsFlags): Promise<ExitCode> {
  const metricsPath = await prepareMetricsPath(flags);
  const startedAt = new Date();
  const reader = await openReader(ctx, flags);
  const { view } = await readViewWithResources(ctx, reader);
  // Reporting an unhealthy cluster is a successful status; only "nobody answered" is a failure.
  const exitCode = view.members.length === 0 && view.unreachable.length > 0 ? EXIT.failed : EXIT.ok;
  // Metrics first, so a metrics warning can still go into the JSON document; it never changes the exit code.
  const warnings = await writeMetrics(metricsPath, view, {
    command: "status",
    result: exitCode === EXIT.ok ? "ok" : "failed",
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    membersDefragmented: 0,
    bytesReclaimed: 0,
  });
  if (ctx.output === "json")
    printDocument(ctx.io, "status", warnings.length > 0 ? { ...view, warnings } : view);
  else ctx.io.stdout(renderStatus(view, createStyle(ctx.color), ctx.layout));
  for (const w of warnings) ctx.warn(w);
  return exitCode;
}
