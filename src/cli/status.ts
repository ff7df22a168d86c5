/** `status`: one table (or JSON document) of every member, its sizes, role, alarms and the rule's verdict. */
import type { ClusterView } from "../cluster/types.js";
import { votersOf } from "../cluster/voters.js";
import { EXIT, type ExitCode } from "../errors.js";
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
  // Warnings of the read are held until the view is known: a node that did not answer is said once, in the
  // problems list, and not again by a warning that repeats its error (quota, memory, free disk).
  const held: string[] = [];
  const holding: CommandContext = { ...ctx, warn: (line) => held.push(line) };
  const reader = await openReader(holding, flags);
  const { view } = await readViewWithResources(holding, reader);
  for (const w of held) if (!repeatsUnreachable(w, view)) ctx.warn(w);
  // Reporting an unhealthy cluster is a successful status; only "no voting member answered" is a failure: with
  // nobody, or only learners, answering, the cluster's state is unknown (the document shows what did answer).
  const exitCode = votersOf(view).length === 0 ? EXIT.failed : EXIT.ok;
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
  else
    ctx.io.stdout(
      (await import("../render/status-table.js")).renderStatus(view, createStyle(ctx.color), ctx.layout),
    );
  for (const w of warnings) ctx.warn(w);
  return exitCode;
}

/** Whether a warning only says again that a node did not answer: it quotes that node's error. */
function repeatsUnreachable(warning: string, view: ClusterView): boolean {
  return view.unreachable.some((f) => f.error !== "" && warning.includes(f.error));
}
