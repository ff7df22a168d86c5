/** `defrag` and `plan` (= defrag --dry-run): flags -> run options, then the executor, the progress and the report. */
import { attachResources } from "../cluster/resources.js";
import type { ClusterView } from "../cluster/types.js";
import { EXIT, type ExitCode, UserError } from "../errors.js";
import type { LeaderMode } from "../plan/types.js";
import { createNodeResourceReader } from "../read/node-resources.js";
import { createProgress } from "../render/progress.js";
import { renderRunReport } from "../render/run-report.js";
import { createStyle } from "../render/style.js";
import { DEFAULT_WAIT_TIMEOUT_MS, runDefrag } from "../run/execute.js";
import { exitCodeForResult } from "../run/exit-code.js";
import { acquireLock } from "../run/lock.js";
import type { RunReport } from "../run/types.js";
import { validateArgValue } from "../talos/validate.js";
import type { CommandContext } from "./context.js";
import { type MetricsFlags, resolveMetricsPath, writeMetrics } from "./metrics-flag.js";
import { openReader, type RuleFlags } from "./rule-flags.js";
import { parseChoice, parseCount, parseDuration } from "./values.js";

export interface DefragFlags extends RuleFlags, MetricsFlags {
  snapshotDir?: string;
  snapshot?: boolean;
  keep?: string;
  leader?: string;
  waitTimeout?: string;
  defragTimeout?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
}

export const DEFAULT_SNAPSHOT_DIR = "./etcd-snapshots";

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
  const keep = parseCount(flags.keep ?? "5", "--keep", 1);
  const waitTimeoutMs =
    flags.waitTimeout === undefined
      ? DEFAULT_WAIT_TIMEOUT_MS
      : parseDuration(flags.waitTimeout, "--wait-timeout");
  if (waitTimeoutMs <= 0) throw new UserError("--wait-timeout must be greater than zero");
  const defragTimeoutMs =
    flags.defragTimeout === undefined ? undefined : parseDuration(flags.defragTimeout, "--defrag-timeout");
  const metricsPath = dryRun ? undefined : resolveMetricsPath(flags);
  const startedAt = new Date();
  const snapshotDir = validateArgValue(flags.snapshotDir ?? DEFAULT_SNAPSHOT_DIR, "--snapshot-dir");
  if (!dryRun && flags.yes !== true && !ctx.io.stdinIsTTY) {
    throw new UserError(
      "refusing to defragment without confirmation: there is no terminal to ask on",
      "pass --yes to run unattended (CronJobs, scripts), or --dry-run to only see the plan",
    );
  }
  const reader = await openReader(ctx, flags);
  let firstRead = true;
  // The first look asks status, members and alarms; every later one (re-plans, verification polls) is ONE status call.
  const readView = () => {
    if (!firstRead) return reader.poll();
    firstRead = false;
    return reader.read();
  };

  const style = createStyle(ctx.color);
  const progress = createProgress({
    write: ctx.io.stderr,
    live: ctx.io.stderrIsTTY,
    style: createStyle(ctx.io.stderrIsTTY && !ctx.io.env.NO_COLOR),
  });
  const stop = new AbortController();
  let signals = 0;
  const unsubscribe = ctx.io.onStopSignal((signal) => {
    signals += 1;
    if (signals === 1) {
      const node = progress.running();
      ctx.io.stderr(
        `\n${signal}: stopping after ${node ? `the defrag of ${node} finishes and is verified` : "the current step"} (press Ctrl-C again to exit at once)\n`,
      );
      stop.abort();
      return;
    }
    const node = progress.running();
    ctx.io.stderr(
      `\n${signal} again: exiting now.${node ? ` A defrag may still be running on ${node}: check it with \`talosctl -n ${node} etcd status\` before starting again.` : ""}\n`,
    );
    ctx.io.exitNow(EXIT.interrupted);
  });

  const nodes = reader.nodes;
  const resources = createNodeResourceReader(ctx.talosctl);
  try {
    const report = await runDefrag(
      {
        talosctl: ctx.talosctl,
        readView,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        emit: progress.onEvent,
        signal: stop.signal,
        resources,
        confirm: async (plan) => {
          if (flags.yes === true) return true;
          const count = plan.steps.filter((s) => s.action === "defrag").length;
          return ctx.io.confirm(
            `Defragment ${count} member(s) one at a time (snapshot first${flags.snapshot === false ? ": NO, --no-snapshot" : ""})?`,
          );
        },
        acquireLock: () =>
          acquireLock({
            nodes,
            ...(ctx.target.talosconfig === undefined ? {} : { talosconfig: ctx.target.talosconfig }),
            ...(ctx.target.context === undefined ? {} : { context: ctx.target.context }),
            ...(ctx.target.endpoints === undefined ? {} : { endpoints: ctx.target.endpoints }),
          }),
      },
      {
        force: flags.force === true,
        leaderMode,
        rule: reader.rule,
        dryRun,
        snapshot: flags.snapshot === false ? null : { dir: snapshotDir, keep, ...contextLabel(ctx) },
        waitTimeoutMs,
        ...(defragTimeoutMs === undefined ? {} : { defragTimeoutMs }),
      },
    );
    if (ctx.output === "json") ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else ctx.io.stdout(renderRunReport(report, style));
    if (metricsPath !== undefined)
      await writeRunMetrics(
        metricsPath,
        report,
        startedAt,
        async () => attachResources(await reader.poll(), resources.known()),
        ctx.warn,
      );
    return { exitCode: exitCodeForResult(report.result), report };
  } finally {
    progress.close();
    unsubscribe();
  }
}

async function writeRunMetrics(
  path: string,
  report: RunReport,
  startedAt: Date,
  readView: () => Promise<ClusterView>,
  warn: (line: string) => void,
): Promise<void> {
  const done = report.steps.filter((s) => s.outcome === "done");
  // The sizes after the run, for the per-member gauges; a cluster that cannot be read still gets the run gauges.
  const view = await readView().catch((error: unknown) => {
    warn(
      `metrics: could not read the cluster after the run (${(error as Error).message}); writing the run gauges only`,
    );
    return undefined;
  });
  await writeMetrics(path, view, {
    command: "defrag",
    result: report.result,
    startedAt,
    durationMs: report.durationMs,
    membersDefragmented: done.length,
    bytesReclaimed: done.reduce(
      (sum, s) => sum + Math.max(0, s.before.dbSize - (s.after?.dbSize ?? s.before.dbSize)),
      0,
    ),
  });
}

/** Snapshots are named after the talosconfig context when one is given, else after the cluster's member IDs. */
export function contextLabel(ctx: CommandContext): { label?: string } {
  return ctx.target.context === undefined ? {} : { label: ctx.target.context };
}
