/** `check`: the go/no-go checklist for upgrades and cron jobs. Exit 0 go, 3 no-go, 4 healthy but defrag recommended. */
import { buildChecklist } from "../cluster/checklist.js";
import { EXIT, type ExitCode } from "../errors.js";
import { addDiskSpaceItem } from "../plan/disk-check.js";
import { createStyle } from "../render/style.js";
import { writeMetrics } from "../service/metrics.js";
import type { CommandContext } from "./context.js";
import { printDocument, withSchemaVersion } from "./json-output.js";
import { type MetricsFlags, prepareMetricsPath } from "./metrics-flag.js";
import { readViewWithResources } from "./resources.js";
import { openReader, type RuleFlags } from "./rule-flags.js";

export async function runCheck(ctx: CommandContext, flags: RuleFlags & MetricsFlags): Promise<ExitCode> {
  const metricsPath = await prepareMetricsPath(flags);
  const startedAt = new Date();
  const reader = await openReader(ctx, flags);
  const { view, volumes } = await readViewWithResources(ctx, reader);
  const checklist = addDiskSpaceItem(buildChecklist(view), view, volumes);
  // Metrics first, so a metrics warning can still go into the JSON document; it never changes the verdict.
  const warnings = await writeMetrics(metricsPath, view, {
    command: "check",
    result: checklist.verdict,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    membersDefragmented: 0,
    bytesReclaimed: 0,
  });
  if (ctx.output === "json")
    printDocument(ctx.io, "check", {
      ...checklist,
      go: checklist.verdict !== "no-go",
      advisories: view.advisories,
      // The whole status document, so `.status` validates as one.
      status: withSchemaVersion("status", view),
      ...(warnings.length > 0 ? { warnings } : {}),
    });
  else
    ctx.io.stdout(
      (await import("../render/checklist.js")).renderChecklist(
        checklist,
        createStyle(ctx.color),
        ctx.layout.width,
      ),
    );
  for (const w of warnings) ctx.warn(w);
  return checklist.verdict === "go"
    ? EXIT.ok
    : checklist.verdict === "no-go"
      ? EXIT.refused
      : EXIT.recommended;
}
