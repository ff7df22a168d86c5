/**
 * A plain aligned table, kubectl's habit: a header line, no borders, columns apart by spaces. The columns are
 * data, so a command's layout is a list: which columns the default table shows, which only `-o wide` shows.
 *
 * Fitting a width, first that fits: two spaces between columns; one space; two spaces with the columns marked
 * `cut` (long text: reasons, errors) shortened with an ellipsis to no less than 10 columns; the same with one
 * space; one space with them down to their header's width. At or above the width a table needs nothing is cut;
 * without a width (a pipe) or with `-o wide` nothing ever is. The caller says in full, below the table, the
 * text of every row that was cut (see `cutRows`).
 */
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
  const line = (texts: { text: string; paint?: (t: string) => string }[], rowIndex?: number) =>
    texts
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        let text = cell.text;
        if (displayWidth(text) > width) {
          text = cutText(text, width);
          if (rowIndex !== undefined) cutRows.add(rowIndex);
        }
        const pad = " ".repeat(Math.max(0, width - displayWidth(text)));
        const painted = cell.paint ? cell.paint(text) : text;
        const last = i === texts.length - 1;
        return shown[i]?.align === "right" ? `${pad}${painted}` : last ? painted : `${painted}${pad}`;
      })
      .join(" ".repeat(gap))
      .trimEnd();
  const lines = [line(shown.map((c) => ({ text: c.header }))), ...cells.map((r, i) => line(r, i))];
  return { lines, cutRows: [...cutRows].sort((a, b) => a - b) };
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
