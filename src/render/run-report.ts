/** The closing before/after table of a defrag run (or the plan of a dry run), for people. */
import Table from "cli-table3";
import type { ReportStep, RunReport } from "../run/types.js";
import { formatSize } from "../talos/size.js";
import type { Style } from "./style.js";

const RESULT_TEXT: Record<RunReport["result"], string> = {
  ok: "done",
  "nothing-to-do": "nothing to do: no member matches the rule (use --force to defragment anyway)",
  refused: "refused: nothing was touched",
  failed: "FAILED: the run stopped; members marked not-touched were left alone",
  interrupted: "interrupted: stopped safely between members",
};

export function renderRunReport(report: RunReport, style: Style): string {
  const table = new Table({
    head: report.dryRun
      ? ["#", "NODE", "MEMBER", "ROLE", "ACTION", "DB SIZE", "IN USE", "REASON"]
      : ["#", "NODE", "ROLE", "OUTCOME", "BEFORE", "AFTER", "RECLAIMED", "MEMORY", "TIME", "VERIFIED"],
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    wordWrap: true,
    colWidths: report.dryRun ? [null, null, null, null, null, null, null, 60] : [],
  });
  report.steps.forEach((step, i) => {
    const role = step.leaderMovedTo ? `${step.role} (leadership moved to ${step.leaderMovedTo})` : step.role;
    if (report.dryRun) {
      table.push([
        String(i + 1),
        step.node,
        step.memberId.slice(0, 8),
        step.role,
        step.action === "defrag" ? style.warn("defrag") : "skip",
        formatSize(step.before.dbSize),
        formatSize(step.before.dbSizeInUse),
        step.reason,
      ]);
      return;
    }
    const after = step.after;
    table.push([
      String(i + 1),
      step.node,
      role,
      outcomeText(step.outcome, style),
      formatSize(step.before.dbSize),
      after ? formatSize(after.dbSize) : "-",
      after ? formatSize(Math.max(0, step.before.dbSize - after.dbSize)) : "-",
      memoryCell(step),
      step.durationMs > 0 ? `${(step.durationMs / 1000).toFixed(1)} s` : "-",
      step.verified
        ? style.ok("yes")
        : step.outcome === "done" || step.outcome === "failed"
          ? style.bad("no")
          : "-",
    ]);
  });
  const lines = [table.toString()];
  const paint = report.result === "ok" || report.result === "nothing-to-do" ? style.ok : style.bad;
  lines.push(
    paint(
      `${report.dryRun ? "plan" : "result"}: ${report.dryRun && report.result === "ok" ? "would defragment the members marked defrag, in this order" : RESULT_TEXT[report.result]}`,
    ),
  );
  const released = memoryReleased(report);
  if (released !== null) lines.push(released);
  if (report.snapshot)
    lines.push(`snapshot: ${report.snapshot.path} (${formatSize(report.snapshot.bytes)}, sha256 verified)`);
  if (report.alarmsDisarmed.length > 0)
    lines.push(`alarms disarmed: ${report.alarmsDisarmed.map((a) => a.alarm).join(", ")}`);
  for (const reason of report.refusedReasons) lines.push(style.bad(`  - ${reason}`));
  if (report.error) lines.push(style.bad(`error: ${report.error}`));
  for (const warning of report.warnings) lines.push(style.warn(`warning: ${warning}`));
  if (!report.dryRun) lines.push(style.dim(`took ${(report.durationMs / 1000).toFixed(1)} s`));
  return `${lines.join("\n")}\n`;
}

/** etcd's RSS before -> after for this member, `-` when neither was read. */
function memoryCell(step: ReportStep): string {
  const show = (bytes: number | null | undefined) => (typeof bytes === "number" ? formatSize(bytes) : "?");
  const before = step.before.rssBytes;
  const after = step.after?.rssBytes;
  if (typeof before !== "number" && typeof after !== "number") return "-";
  return step.after === null ? show(before) : `${show(before)} -> ${show(after)}`;
}

/** The memory the run gave back: RSS before minus after, over members where both were read. */
export function memoryReleased(report: RunReport): string | null {
  const measured = report.steps.filter(
    (s) =>
      s.outcome === "done" && typeof s.before.rssBytes === "number" && typeof s.after?.rssBytes === "number",
  );
  if (measured.length === 0) return null;
  const delta = measured.reduce((sum, s) => sum + (s.before.rssBytes ?? 0) - (s.after?.rssBytes ?? 0), 0);
  const what = delta >= 0 ? `memory released: ${formatSize(delta)}` : `memory grew: ${formatSize(-delta)}`;
  return `${what} (etcd RSS before -> after, ${measured.length} member(s))`;
}

function outcomeText(outcome: RunReport["steps"][number]["outcome"], style: Style): string {
  if (outcome === "done") return style.ok("defragmented");
  if (outcome === "failed") return style.bad("FAILED");
  if (outcome === "not-touched") return style.warn("not touched");
  return outcome;
}
