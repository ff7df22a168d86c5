/**
 * Splits what Go's text/tabwriter (padding 3, space padded) printed back into cells.
 *
 * Facts this relies on: every cell but the last of a line is padded to its column's widest cell plus 3
 * spaces, so inside one flushed chunk a column starts at the same offset on every line and is preceded
 * by at least 3 spaces; cells themselves hold at most single (or double) spaces. The last column is not
 * padded and may be empty (the line then ends in the previous column's padding). v1.14 flushes in chunks,
 * so offsets can change from one chunk to the next; the header, when there is one, is only in the first.
 */
import { ParseError } from "../errors.js";

export interface TableSpec {
  /** talosctl subcommand, for error messages (`etcd status`). */
  command: string;
  /** Every header talosctl prints for this table, as column names. */
  layouts: readonly (readonly string[])[];
  /** False for tables where talosctl may print rows without a header (alarm list, members up to v1.13). */
  headerRequired: boolean;
}

export interface TableRow {
  /** 1-based, for error messages. */
  lineNumber: number;
  line: string;
  /** Cell text keyed by column name; a column the layout lacks is absent. */
  cells: Readonly<Record<string, string>>;
}

interface Token {
  start: number;
  text: string;
}

/** Runs of text in which no gap is 3 spaces or more. */
function tokenize(line: string): Token[] {
  return [...line.matchAll(/\S+(?: {1,2}\S+)*/g)].map((m) => ({ start: m.index, text: m[0] }));
}

/** True when the line can be cut at these column offsets without splitting a cell. */
function fitsOffsets(line: string, tokens: readonly Token[], offsets: readonly number[]): boolean {
  if (!tokens.every((t) => offsets.includes(t.start))) return false;
  const end = line.trimEnd().length;
  return offsets.every((p) => p === 0 || p >= end || (p >= 3 && line.slice(p - 3, p) === "   "));
}

function cutAt(line: string, offsets: readonly number[], layout: readonly string[]): Record<string, string> {
  const cells: Record<string, string> = {};
  layout.forEach((name, i) => {
    const from = offsets[i] ?? line.length;
    const to = offsets[i + 1] ?? line.length;
    cells[name] = line.slice(Math.min(from, line.length), Math.min(to, line.length)).trim();
  });
  return cells;
}

interface Line {
  number: number;
  text: string;
  tokens: Token[];
}

/**
 * Column offsets for the chunk that starts at lines[i]: its own when it has every cell, else those of a
 * later full row it lines up with (empty cells in the middle), else its own plus an empty last cell when
 * the line ends in padding (the common `ERRORS` case).
 */
function findOffsets(lines: readonly Line[], i: number, columns: number): number[] | null {
  const line = lines[i];
  if (line === undefined || line.tokens.length > columns) return null;
  const starts = line.tokens.map((t) => t.start);
  if (starts.length === columns) return starts;
  for (const later of lines.slice(i + 1)) {
    if (later.tokens.length !== columns) continue;
    const offsets = later.tokens.map((t) => t.start);
    if (fitsOffsets(line.text, line.tokens, offsets)) return offsets;
  }
  if (starts.length === columns - 1 && / {3}$/.test(line.text)) return [...starts, line.text.length];
  return null;
}

function sameNames(layout: readonly string[], tokens: readonly Token[]): boolean {
  return layout.length === tokens.length && layout.every((name, i) => tokens[i]?.text === name);
}

/** Layout for rows printed without a header: the one whose column count the rows fit. */
function guessLayout(lines: readonly Line[], i: number, spec: TableSpec): readonly string[] | null {
  const count = lines[i]?.tokens.length ?? 0;
  const exact = spec.layouts.find((layout) => layout.length === count);
  if (exact !== undefined) return exact;
  return spec.layouts.find((layout) => findOffsets(lines, i, layout.length) !== null) ?? null;
}

export function splitTable(stdout: string, spec: TableSpec): TableRow[] {
  const lines: Line[] = stdout
    .split("\n")
    .map((raw, index) => {
      const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      return { number: index + 1, text, tokens: tokenize(text) };
    })
    .filter((line) => line.tokens.length > 0);
  const rows: TableRow[] = [];
  let layout: readonly string[] | null = null;
  let offsets: number[] | null = null;
  lines.forEach((line, i) => {
    const header = spec.layouts.find((candidate) => sameNames(candidate, line.tokens));
    if (header !== undefined) {
      layout = header;
      offsets = line.tokens.map((t) => t.start);
      return;
    }
    if (layout === null) {
      if (spec.headerRequired) throw new ParseError(spec.command, "expected a table header", line.text);
      layout = guessLayout(lines, i, spec);
      if (layout === null) throw new ParseError(spec.command, "unexpected number of columns", line.text);
    }
    if (offsets === null || !fitsOffsets(line.text, line.tokens, offsets)) {
      offsets = findOffsets(lines, i, layout.length);
      if (offsets === null) throw new ParseError(spec.command, "columns do not line up", line.text);
    }
    rows.push({ lineNumber: line.number, line: line.text, cells: cutAt(line.text, offsets, layout) });
  });
  return rows;
}
