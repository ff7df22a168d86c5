/**
 * A plain aligned table, kubectl's habit: a header line, no borders, columns apart by spaces. The columns are
 * data, so a command's layout is a list: which columns the default table shows, which only `-o wide` shows.
 * cli-table3 draws it (see `drawTable`); what to show and how wide is decided here, before it draws.
 *
 * Fitting a width, first that fits: two spaces between columns; one space; two spaces with the columns marked
 * `cut` (long text: reasons, errors) shortened with an ellipsis to no less than 10 columns; the same with one
 * space; one space with them down to their header's width. At or above the width a table needs nothing is cut;
 * without a width (a pipe) or with `-o wide` nothing ever is. The caller says in full, below the table, the
 * text of every row that was cut (see `cutRows`).
 */
import Table from "cli-table3";
import { cutText, displayWidth, flatten } from "./text.js";

/** A cell's text, and the colour it is shown in (applied after fitting, so colour codes take no room). */
export type Cell = string | { text: string; paint: (text: string) => string };

export interface Column<R> {
  header: string;
  value(row: R): Cell;
  align?: "left" | "right";
  /** Shown only in the default table, or only with `-o wide`; both when unset. */
  only?: "default" | "wide";
  /** Long text that may be shortened to fit; the caller says it in full elsewhere. */
  cut?: boolean;
  /** Left out of the default table when no row has anything in it (every cell empty or "-"). */
  hideEmpty?: boolean;
}

export interface TableLayout {
  /** Columns available; undefined = unlimited (a pipe, a file, `-o wide`). */
  width: number | undefined;
  /** `-o wide`: every column. */
  wide: boolean;
  /**
   * Columns the prose under a table (problems, advisories) wraps to: the terminal's, also under `-o wide`, whose
   * table may be wider; undefined = whole lines (a pipe). Absent: `width`.
   */
  textWidth?: number | undefined;
}

export interface RenderedTable {
  lines: string[];
  /** Indexes of the rows with a shortened cell. */
  cutRows: number[];
}

/** A cut column keeps at least this many columns (or its header's width) before text goes past the width. */
const CUT_FLOOR = 10;

export function renderTable<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
  layout: TableLayout,
): RenderedTable {
  const mode = layout.wide ? "wide" : "default";
  const isEmpty = (c: Column<R>) => rows.every((row) => ["", "-"].includes(toCell(c.value(row)).text));
  const shown = columns.filter(
    (c) => (c.only === undefined || c.only === mode) && !(c.hideEmpty && !layout.wide && isEmpty(c)),
  );
  const cells = rows.map((row) => shown.map((c) => toCell(c.value(row))));
  const natural = shown.map((c, i) =>
    Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]?.text ?? ""))),
  );
  // -o wide: every column, however wide.
  const { gap, widths } = chooseWidths(shown, natural, layout.wide ? undefined : layout.width);
  const cutRows = new Set<number>();
  // Cut to the chosen widths and painted here, so that colour codes take no room and a cut row is known.
  const fitCell = (cell: { text: string; paint?: (t: string) => string }, i: number, rowIndex?: number) => {
    let text = cell.text;
    if (displayWidth(text) > (widths[i] ?? 0)) {
      text = cutText(text, widths[i] ?? 0);
      if (rowIndex !== undefined) cutRows.add(rowIndex);
    }
    return cell.paint ? cell.paint(text) : text;
  };
  const lines = drawTable(
    shown.map((c, i) => fitCell({ text: c.header }, i)),
    cells.map((r, rowIndex) => r.map((cell, i) => fitCell(cell, i, rowIndex))),
    { gap, widths, aligns: shown.map((c) => c.align ?? "left") },
  );
  return { lines, cutRows: [...cutRows].sort((a, b) => a - b) };
}

/** The chars cli-table3 draws borders with: none at all. */
const NO_BORDERS = Object.fromEntries(
  [
    "top",
    "top-mid",
    "top-left",
    "top-right",
    "bottom",
    "bottom-mid",
    "bottom-left",
    "bottom-right",
    "left",
    "left-mid",
    "mid",
    "mid-mid",
    "right",
    "right-mid",
    "middle",
  ].map((name) => [name, ""]),
);

/**
 * Draws fitted, painted cells with cli-table3: no borders, no padding, no colours of its own (cells come
 * painted), columns `gap` spaces apart (its `middle` char, the only one not empty), each exactly its width, so
 * it never cuts or wraps anything itself. Trailing blanks are dropped: a line ends where its text ends.
 * With no header (`head` empty), only the rows are drawn.
 */
export function drawTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  layout: { gap: number; widths: readonly number[]; aligns: readonly ("left" | "right")[] },
): string[] {
  if (layout.widths.length === 0) return [...(head.length > 0 ? [""] : []), ...rows.map(() => "")];
  const table = new Table({
    head: [...head],
    chars: { ...NO_BORDERS, middle: " ".repeat(layout.gap) },
    style: { "padding-left": 0, "padding-right": 0, head: [], border: [] },
    // cli-table3 takes no width of 0 (an empty column is one blank). The last column's width is left to it: it
    // only pads, trimmed away below, and cli-table3 then never cuts the end of a line (a path, a reason).
    colWidths: layout.widths.map((w, i) => (i === layout.widths.length - 1 ? null : Math.max(1, w))),
    colAligns: [...layout.aligns],
    wordWrap: false,
  });
  table.push(...rows.map((r) => [...r]));
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd());
}

function toCell(cell: Cell): { text: string; paint?: (t: string) => string } {
  return typeof cell === "string" ? { text: flatten(cell) } : { text: flatten(cell.text), paint: cell.paint };
}

/** The gap and column widths that fit `width` best (see the module comment). */
function chooseWidths<R>(
  columns: readonly Column<R>[],
  natural: readonly number[],
  width: number | undefined,
): { gap: number; widths: number[] } {
  const total = (widths: readonly number[], gap: number) =>
    widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1);
  if (width === undefined) return { gap: 2, widths: [...natural] };
  for (const gap of [2, 1]) if (total(natural, gap) <= width) return { gap, widths: [...natural] };
  // Cut text keeps a readable CUT_FLOOR if it can, else goes down to its header's width.
  for (const [gap, floor] of [
    [2, CUT_FLOOR],
    [1, CUT_FLOOR],
    [1, 0],
  ] as const) {
    const widths = shrinkCutColumns(columns, natural, total(natural, gap) - width, floor);
    if (widths.excess <= 0) return { gap, widths: widths.widths };
  }
  // Past every floor: the narrowest table we can make; its lines are longer than the width.
  return { gap: 1, widths: shrinkCutColumns(columns, natural, Number.POSITIVE_INFINITY, 0).widths };
}

/** Takes up to `excess` columns from the cut columns, widest first, none below its floor; says what is left over. */
function shrinkCutColumns<R>(
  columns: readonly Column<R>[],
  natural: readonly number[],
  excess: number,
  minimum: number,
): { widths: number[]; excess: number } {
  const widths = [...natural];
  const floor = (i: number) =>
    Math.min(natural[i] ?? 0, Math.max(minimum, displayWidth(columns[i]?.header ?? "")));
  let left = excess;
  while (left > 0) {
    let widest = -1;
    for (const [i, c] of columns.entries())
      if (c.cut && (widths[i] ?? 0) > floor(i) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)))
        widest = i;
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    left--;
  }
  return { widths, excess: left };
}
