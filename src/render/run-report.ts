/**
 * The closing before/after table of a defrag run, or the plan of a dry run, for people. The default tables fit
 * 80 columns for five members named like `cp1.lab.internal`; what they leave out (member IDs, reclaimed bytes,
 * whole reasons and errors, where leadership went) is said below the table, or is a column with `-o wide`.
 */
import type { ReportStep, RunReport } from "../run/types.js";
import { formatSize } from "../talos/size.js";
import type { SaidWarnings } from "./progress.js";
import type { Style } from "./style.js";
import { type Cell, type Column, renderTable, type TableLayout } from "./table.js";
import { wrapText } from "./text.js";

const RESULT_TEXT: Record<RunReport["result"], string> = {
  ok: "done",
  "nothing-to-do": "nothing to do: no member matches the rule (use --force to defragment anyway)",
  refused: "refused: nothing was touched",
  failed: "FAILED: the run stopped; members marked not touched were left alone",
  interrupted: "interrupted: stopped safely between members",
};

type Row = { step: ReportStep; n: number };

const common = {
  index: { header: "#", align: "right", value: (r) => String(r.n) } as Column<Row>,
  node: { header: "NODE", value: (r) => r.step.node } as Column<Row>,
  member: { header: "MEMBER", only: "wide", value: (r) => r.step.memberId } as Column<Row>,
  role: { header: "ROLE", value: (r) => r.step.role } as Column<Row>,
};

function planColumns(style: Style): Column<Row>[] {
  return [
    common.index,
    common.node,
    common.member,
    common.role,
    {
      header: "ACTION",
      value: (r) => (r.step.action === "defrag" ? { text: "defrag", paint: style.warn } : "skip"),
    },
    { header: "DB SIZE", align: "right", value: (r) => formatSize(r.step.before.dbSize) },
    { header: "IN USE", align: "right", only: "wide", value: (r) => formatSize(r.step.before.dbSizeInUse) },
    { header: "FREE", align: "right", value: (r) => formatSize(freeOf(r.step)) },
    { header: "REASON", cut: true, value: (r) => r.step.reason },
  ];
}

/** MEMORY (etcd's RSS before -> after) is a column with -o wide; the default table says it below (memoryLines). */
function runColumns(style: Style): Column<Row>[] {
  return [
    common.index,
    common.node,
    common.member,
    common.role,
    { header: "OUTCOME", value: (r) => outcomeCell(r.step.outcome, style) },
    { header: "DB SIZE", value: (r) => sizesCell(r.step) },
    { header: "MEMORY", only: "wide", value: (r) => memoryCell(r.step) },
    { header: "RECLAIMED", align: "right", only: "wide", value: (r) => reclaimedText(r.step) },
    {
      header: "TIME",
      align: "right",
      value: (r) => (r.step.durationMs > 0 ? `${(r.step.durationMs / 1000).toFixed(1)} s` : "-"),
    },
    { header: "VERIFIED", value: (r) => verifiedCell(r.step, style) },
    { header: "LEADERSHIP MOVED TO", only: "wide", value: (r) => r.step.leaderMovedTo ?? "-" },
    { header: "ERROR", only: "wide", value: (r) => r.step.error ?? "-" },
  ];
}

/**
 * `saidAbove`: the refusal reasons progress printed on this same screen (stdout and stderr one terminal); the
 * report points to them instead of saying them again. Unset: every reason is said (the report stands alone).
 */
export function renderRunReport(
  report: RunReport,
  style: Style,
  layout: TableLayout,
  saidAbove?: ReadonlySet<string>,
): string {
  const rows = report.steps.map((step, i) => ({ step, n: i + 1 }));
  const table = renderTable(report.dryRun ? planColumns(style) : runColumns(style), rows, layout);
  const lines = [...table.lines, ...stepNotes(report, rows, table.cutRows, layout)];
  const paint = report.result === "ok" || report.result === "nothing-to-do" ? style.ok : style.bad;
  const floored = report.steps.some(
    (s) => s.action === "skip" && s.reason.includes("skipped: below --min-reclaim"),
  );
  const said =
    report.dryRun && report.result === "ok"
      ? "would defragment the members marked defrag, in this order"
      : report.result === "nothing-to-do" && floored
        ? "nothing to do: no member matches the rule and would free at least --min-reclaim (use --force to defragment anyway)"
        : RESULT_TEXT[report.result];
  const wrap = (text: string) => wrapText(text, layout.width);
  const reasons = report.refusedReasons.filter((reason) => saidAbove?.has(reason) !== true);
  const above = reasons.length < report.refusedReasons.length ? " (the reasons are above)" : "";
  lines.push(...wrap(`${report.dryRun ? "plan" : "result"}: ${said}${above}`).map(paint));
  if (report.dryRun) lines.push(...leaderLines(report, layout));
  if (!report.dryRun) lines.push(...memoryLines(report, rows, layout));
  if (report.snapshot)
    lines.push(
      ...wrap(`snapshot (${formatSize(report.snapshot.bytes)}, sha256 verified): ${report.snapshot.path}`),
    );
  if (report.alarmsDisarmed.length > 0)
    lines.push(...wrap(`alarms disarmed: ${report.alarmsDisarmed.map((a) => a.alarm).join(", ")}`));
  for (const reason of reasons) lines.push(...wrapText(`  - ${reason}`, layout.width, "    ").map(style.bad));
  if (report.error) lines.push(...wrap(`error: ${report.error}`).map(style.bad));
  if (!report.dryRun) lines.push(style.dim(`took ${(report.durationMs / 1000).toFixed(1)} s`));
  return `${lines.join("\n")}\n`;
}

/**
 * The report's warnings, for stderr after the report (warnings never go to stdout). `said`: what progress said
 * of them. When the report is on the same screen as progress (`sameScreen`: stdout and stderr one terminal), a
 * warning progress printed is not said again, only counted ("2 warnings above"); otherwise every one is, so that
 * stderr ends with the complete list. An advisory is its one line (the brief progress printed), or with `-o wide`
 * its full text, which progress did not print.
 */
export function renderRunWarnings(
  report: Pick<RunReport, "warnings">,
  style: Style,
  options: { width: number | undefined; wide: boolean; sameScreen: boolean; said?: SaidWarnings },
): string {
  const { said, wide } = options;
  const lines: string[] = [];
  let above = 0;
  for (const warning of report.warnings) {
    const brief = said?.brief.get(warning);
    const full = brief === undefined || wide;
    if (options.sameScreen && said?.above.has(warning) === true && !(wide && brief !== undefined)) {
      if (brief !== null) above++;
      continue;
    }
    const text = full ? `warning: ${warning}` : brief;
    if (text !== null) lines.push(...wrapText(text, options.width).map(style.warn));
  }
  if (above > 0) lines.push(style.dim(`${above} warning${above === 1 ? "" : "s"} above`));
  return lines.map((line) => `${line}\n`).join("");
}

/**
 * Below the default table, in full: the reasons the plan shortened; where leadership went and each step's error
 * (columns only with -o wide). Keyed by the row's #.
 */
function stepNotes(report: RunReport, rows: Row[], cutRows: number[], layout: TableLayout): string[] {
  const notes: string[] = [];
  const note = (r: Row, text: string) =>
    notes.push(...wrapText(`  #${r.n} ${r.step.node}: ${text}`, layout.width, "     "));
  if (report.dryRun) {
    for (const i of cutRows) {
      const row = rows[i];
      if (row) note(row, row.step.reason);
    }
    return notes.length === 0 ? [] : ["reasons:", ...notes];
  }
  if (layout.wide) return [];
  for (const r of rows) {
    if (r.step.leaderMovedTo !== null) note(r, `leadership moved to ${r.step.leaderMovedTo} first`);
    else if (r.step.leaderDecision !== null && r.step.outcome === "done")
      note(r, `stayed leader: ${r.step.leaderDecision.reason}`);
    if (r.step.error !== null) note(r, `error: ${r.step.error}`);
  }
  return notes.length === 0 ? [] : ["notes:", ...notes];
}

/** The plan's leader decision, and that a run decides again once its followers' defrags give a measured rate. */
function leaderLines(report: RunReport, layout: TableLayout): string[] {
  const leader = report.steps.find((s) => s.leaderDecision !== null);
  const decision = leader?.leaderDecision;
  if (leader === undefined || decision == null) return [];
  const followers = report.steps.some((s) => s.role === "follower" && s.action === "defrag");
  const again =
    decision.mode === "auto" && followers
      ? "; the run decides again from the rate its followers' defrags show"
      : "";
  return wrapText(`leader ${leader.node}: ${decision.reason}${again}`, layout.width, "  ");
}

const freeOf = (step: ReportStep) => Math.max(0, step.before.dbSize - step.before.dbSizeInUse);

function sizesCell(step: ReportStep): string {
  const before = formatSize(step.before.dbSize);
  if (step.after !== null) return `${before} -> ${formatSize(step.after.dbSize)}`;
  return step.outcome === "failed" ? `${before} -> ?` : before;
}

function reclaimedText(step: ReportStep): string {
  return step.after ? formatSize(Math.max(0, step.before.dbSize - step.after.dbSize)) : "-";
}

function verifiedCell(step: ReportStep, style: Style): Cell {
  if (step.verified) return { text: "yes", paint: style.ok };
  return step.outcome === "done" || step.outcome === "failed" ? { text: "no", paint: style.bad } : "-";
}

function outcomeCell(outcome: ReportStep["outcome"], style: Style): Cell {
  if (outcome === "done") return { text: "defragmented", paint: style.ok };
  if (outcome === "failed") return { text: "FAILED", paint: style.bad };
  if (outcome === "not-touched") return { text: "not touched", paint: style.warn };
  return outcome;
}

/** etcd's RSS before -> after for this member, `-` when neither was read. */
function memoryCell(step: ReportStep): string {
  const show = (bytes: number | null | undefined) => (typeof bytes === "number" ? formatSize(bytes) : "?");
  const before = step.before.rssBytes;
  const after = step.after?.rssBytes;
  if (typeof before !== "number" && typeof after !== "number") return "-";
  return step.after === null ? show(before) : `${show(before)} -> ${show(after)}`;
}

/**
 * etcd's memory next to the table: per member (keyed by the row's #) when the default table has no room for a
 * MEMORY column, and the total the run gave back: RSS before minus after, over members where both were read.
 */
function memoryLines(report: RunReport, rows: Row[], layout: TableLayout): string[] {
  // The members a defrag was run on: the others' memory did not change.
  const known = rows.filter(
    (r) => (r.step.outcome === "done" || r.step.outcome === "failed") && memoryCell(r.step) !== "-",
  );
  if (known.length === 0) return [];
  const measured = report.steps.filter(
    (s) =>
      s.outcome === "done" && typeof s.before.rssBytes === "number" && typeof s.after?.rssBytes === "number",
  );
  const delta = measured.reduce((sum, s) => sum + (s.before.rssBytes ?? 0) - (s.after?.rssBytes ?? 0), 0);
  const total =
    measured.length === 0
      ? ""
      : `${delta >= 0 ? "released" : "grew by"} ${formatSize(Math.abs(delta))} over ${measured.length} member(s)`;
  if (layout.wide) return total === "" ? [] : [`memory (etcd RSS): ${total}`];
  const each = known.map((r) => `#${r.n} ${memoryCell(r.step)}`).join(", ");
  const text = `memory (etcd RSS before -> after): ${each}${total === "" ? "" : `; ${total}`}`;
  return wrapText(text, layout.width, "  ");
}
