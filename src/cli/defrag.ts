/** `defrag` and `plan` (= defrag --dry-run): flags -> a defrag request for the service, then the report. */
import { type ExitCode, UserError } from "../errors.js";
import type { LeaderMode } from "../plan/types.js";
import { DEFAULT_SNAPSHOT_KEEP, DEFAULT_WAIT_TIMEOUT_MS, MIN_RECLAIM_BYTES } from "../policy.js";
import { createStyle } from "../render/style.js";
import type { RunReport } from "../run/types.js";
import { defragCluster } from "../service/defrag.js";
import { DEFAULT_SNAPSHOT_DIR, snapshotOptions } from "../service/snapshot.js";
import { validateArgValue } from "../talos/validate.js";
import type { CommandContext } from "./context.js";
import { printDocument } from "./json-output.js";
import { type MetricsFlags, prepareMetricsPath } from "./metrics-flag.js";
import { type RuleFlags, resolveRuleFlags } from "./rule-flags.js";
import { parseChoice, parseCount, parseDuration, parseSizeOrZero, parseSnapshotTimeout } from "./values.js";

export interface DefragFlags extends RuleFlags, MetricsFlags {
  snapshotDir?: string;
  snapshot?: boolean;
  keep?: string;
  snapshotTimeout?: string;
  leader?: string;
  leaderMoveAbove?: string;
  waitTimeout?: string;
  defragTimeout?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  minReclaim?: string;
}

export async function runDefragCommand(
  ctx: CommandContext,
  flags: DefragFlags,
): Promise<{ exitCode: ExitCode; report: RunReport }> {
  const dryRun = flags.dryRun === true;
  const leaderMode = parseChoice(flags.leader ?? "auto", "--leader", [
    "auto",
    "forfeit",
    "last",
  ] as const) as LeaderMode;
  const leaderMoveAboveMs = parseLeaderMoveAbove(flags.leaderMoveAbove, leaderMode);
  const minReclaimBytes =
    flags.minReclaim === undefined ? MIN_RECLAIM_BYTES : parseSizeOrZero(flags.minReclaim, "--min-reclaim");
  const keep = parseCount(flags.keep ?? String(DEFAULT_SNAPSHOT_KEEP), "--keep", 1);
  const waitTimeoutMs =
    flags.waitTimeout === undefined
      ? DEFAULT_WAIT_TIMEOUT_MS
      : parseDuration(flags.waitTimeout, "--wait-timeout");
  if (waitTimeoutMs <= 0) throw new UserError("--wait-timeout must be greater than zero");
  const defragTimeoutMs =
    flags.defragTimeout === undefined ? undefined : parseDuration(flags.defragTimeout, "--defrag-timeout");
  // Checked on a dry run too (a rehearsal of the cron line should find a bad path), written only by a real run.
  const metricsPath = await prepareMetricsPath(flags);
  const snapshotDir = validateArgValue(flags.snapshotDir ?? DEFAULT_SNAPSHOT_DIR, "--snapshot-dir");
  const snapshotTimeoutMs = parseSnapshotTimeout(flags.snapshotTimeout);
  if (!dryRun && flags.yes !== true && !ctx.io.stdinIsTTY) {
    throw new UserError(
      "refusing to defragment without confirmation: there is no terminal to ask on",
      "pass --yes to run unattended (CronJobs, scripts), or --dry-run to only see the plan",
    );
  }
  const { rule, quotaBytes } = resolveRuleFlags(flags);

  // The report for people follows progress on one screen: it need not repeat what progress said.
  const sameScreen = ctx.output !== "json" && ctx.io.sharedTerminal === true;
  const { exitCode, report, lateWarnings, said } = await defragCluster(ctx, {
    rule,
    ...(quotaBytes === undefined ? {} : { quotaBytes }),
    yes: flags.yes === true,
    ...(metricsPath === undefined ? {} : { metricsPath }),
    reportFollows: sameScreen,
    options: {
      force: flags.force === true,
      minReclaimBytes,
      leaderMode,
      ...(leaderMoveAboveMs === undefined ? {} : { leaderMoveAboveMs }),
      dryRun,
      snapshot:
        flags.snapshot === false
          ? null
          : snapshotOptions(ctx.target, {
              dir: snapshotDir,
              keep,
              ...(snapshotTimeoutMs === undefined ? {} : { timeoutMs: snapshotTimeoutMs }),
            }),
      waitTimeoutMs,
      ...(defragTimeoutMs === undefined ? {} : { defragTimeoutMs }),
    },
  });
  if (ctx.output === "json") {
    printDocument(ctx.io, "run-report", report);
    for (const w of lateWarnings) ctx.warn(w);
  } else {
    const { renderRunReport, renderRunWarnings } = await import("../render/run-report.js");
    const saidAbove = sameScreen ? said.refusals : undefined;
    ctx.io.stdout(renderRunReport(report, createStyle(ctx.color), ctx.layout, saidAbove));
    // The warnings (late ones included: they are in the report) go to stderr, each said once on one screen.
    ctx.io.stderr(
      renderRunWarnings(report, createStyle(ctx.io.stderrIsTTY && !ctx.io.env.NO_COLOR), {
        width: ctx.io.stderrWidth,
        wide: ctx.layout.wide,
        sameScreen,
        said,
      }),
    );
  }
  return { exitCode, report };
}

/**
 * --leader-move-above weighs a move against an in-place defrag, which only `auto` does: `forfeit` always moves
 * and `last` never does. Given with either, it would be silently meaningless, so it is a usage error instead.
 */
function parseLeaderMoveAbove(text: string | undefined, mode: LeaderMode): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text, "--leader-move-above");
  if (mode !== "auto")
    throw new UserError(
      `--leader-move-above only applies to --leader auto (--leader ${mode} ${mode === "forfeit" ? "always moves leadership" : "never moves leadership"})`,
      "drop --leader-move-above, or use --leader auto",
    );
  return ms;
}
