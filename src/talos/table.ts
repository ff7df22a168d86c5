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
function fitsOffsets(line: Line, offsets: readonly number[]): boolean {
  if (!line.tokens.every((t) => offsets.includes(t.start))) return false;
  const end = line.text.trimEnd().length;
  return offsets.every((p) => p === 0 || p >= end || (p >= 3 && line.text.slice(p - 3, p) === "   "));
}

function cutAt(line: string, offsets: readonly number[], layout: readonly string[]): Record<string, string> {
  const cells: Record<string, string> = {};
  layout.forEach((name, i) => {
    const from = Math.min(offsets[i] ?? line.length, line.length);
    const to = Math.min(offsets[i + 1] ?? line.length, line.length);
    cells[name] = line.slice(from, to).trim();
  });
  return cells;
}

interface Line {
  number: number;
  text: string;
  tokens: Token[];
}

/**
 * The column offsets of one chunk, or null when its lines cannot be one tabwriter block of `columns`
 * columns. A header names every column, so its offsets are taken as they are. Without one, a column empty
 * on every line leaves no trace but its width: tabwriter makes each column its widest cell plus 3, so an
 * all-empty column is exactly 3 wide, and the distance between two offsets seen in the text tells how many
 * empty columns lie between them. Trailing empty columns show as padding up to the last column's start
 * on every line; `lenient` also accepts one missing last column when that padding was trimmed away.
 */
function resolveOffsets(chunk: readonly Line[], columns: number, lenient: boolean): number[] | null {
  const widest = new Map<number, number>();
  for (const line of chunk) {
    for (const t of line.tokens) widest.set(t.start, Math.max(widest.get(t.start) ?? 0, t.text.length));
  }
  const seen = [...widest.keys()].sort((a, b) => a - b);
  const offsets = seen.length < columns ? inferEmptyColumns(seen, widest) : seen;
  if (offsets === null || offsets[0] !== 0 || offsets.length > columns) return null;
  const last = offsets.at(-1) ?? 0;
  const nextFree = last + (widest.get(last) ?? 0) + 3;
  const missing = columns - offsets.length;
  if (missing > 0) {
    const ends = new Set(chunk.map((line) => line.text.length));
    const [end] = ends;
    if (ends.size === 1 && end !== undefined && end - nextFree === 3 * (missing - 1)) {
      for (let p = nextFree; p <= end; p += 3) offsets.push(p);
    } else if (lenient && missing === 1) {
      offsets.push(nextFree);
    } else {
      return null;
    }
  }
  return chunk.every((line) => fitsOffsets(line, offsets)) ? offsets : null;
}

/** Offsets seen plus the all-empty columns between them (each exactly 3 wide), or null if the gaps disagree. */
function inferEmptyColumns(seen: readonly number[], widest: ReadonlyMap<number, number>): number[] | null {
  const offsets: number[] = [];
  for (const [i, at] of seen.entries()) {
    offsets.push(at);
    const next = seen[i + 1];
    if (next === undefined) break;
    const nextFree = at + (widest.get(at) ?? 0) + 3;
    if (next < nextFree || (next - nextFree) % 3 !== 0) return null;
    for (let p = nextFree; p < next; p += 3) offsets.push(p);
  }
  return offsets;
}

function sameNames(layout: readonly string[], tokens: readonly Token[]): boolean {
  return layout.length === tokens.length && layout.every((name, i) => tokens[i]?.text === name);
}

interface Chunk {
  lines: Line[];
  /** From the header; null for rows printed before any header (layout then guessed from the rows). */
  layout: readonly string[] | null;
}

/** The layout and offsets that explain every line of the chunk. Headerless chunks try each known layout. */
function resolveChunk(
  chunk: Chunk,
  spec: TableSpec,
): { layout: readonly string[]; offsets: number[] } | null {
  const [first] = chunk.lines;
  if (chunk.layout !== null && first !== undefined && isHeader(first, spec)) {
    const offsets = first.tokens.map((t) => t.start);
    return chunk.lines.every((line) => fitsOffsets(line, offsets)) ? { layout: chunk.layout, offsets } : null;
  }
  for (const layout of chunk.layout === null ? spec.layouts : [chunk.layout]) {
    const offsets = resolveOffsets(chunk.lines, layout.length, chunk.layout !== null);
    if (offsets !== null) return { layout, offsets };
  }
  return null;
}

/**
 * Whether a line belongs to the same flushed chunk: cutting every line of the chunk at every column start
 * seen so far must not split a cell. A flush with other widths shifts the starts and breaks this.
 * Under a header the header's offsets are the whole truth.
 */
function joins(chunk: Chunk, line: Line, spec: TableSpec): boolean {
  const [first] = chunk.lines;
  if (first !== undefined && chunk.layout !== null && isHeader(first, spec)) {
    return fitsOffsets(
      line,
      first.tokens.map((t) => t.start),
    );
  }
  const lines = [...chunk.lines, line];
  const starts = [...new Set(lines.flatMap((l) => l.tokens.map((t) => t.start)))];
  const columns = Math.max(...(chunk.layout === null ? spec.layouts : [chunk.layout]).map((l) => l.length));
  return starts.length <= columns && lines.every((l) => fitsOffsets(l, starts));
}

/**
 * Lines are grouped into chunks first (a header always starts one), then each chunk's columns are
 * resolved as a whole, because a column's width is only known once all its lines are in.
 */
export function splitTable(stdout: string, spec: TableSpec): TableRow[] {
  const lines: Line[] = stdout
    .split("\n")
    .map((raw, index) => {
      const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      return { number: index + 1, text, tokens: tokenize(text) };
    })
    .filter((line) => line.tokens.length > 0);
  const chunks: Chunk[] = [];
  let layout: readonly string[] | null = null;
  for (const line of lines) {
    const header = spec.layouts.find((candidate) => sameNames(candidate, line.tokens));
    if (header !== undefined) {
      layout = header;
      chunks.push({ lines: [line], layout });
      continue;
    }
    if (layout === null && spec.headerRequired)
      throw new ParseError(spec.command, "expected a table header", line.text);
    const current = chunks.at(-1);
    if (current !== undefined && joins(current, line, spec)) current.lines.push(line);
    else chunks.push({ lines: [line], layout });
  }
  return chunks.flatMap((chunk) => {
    const resolved = resolveChunk(chunk, spec);
    const body =
      chunk.layout === null ? chunk.lines : chunk.lines.filter((line, i) => i > 0 || !isHeader(line, spec));
    if (resolved === null)
      throw new ParseError(spec.command, "columns do not line up", firstMisfit(chunk, spec));
    return body.map((line) => ({
      lineNumber: line.number,
      line: line.text,
      cells: cutAt(line.text, resolved.offsets, resolved.layout),
    }));
  });
}

function isHeader(line: Line, spec: TableSpec): boolean {
  return spec.layouts.some((candidate) => sameNames(candidate, line.tokens));
}

/** The line at which the chunk stops lining up: what an error message should quote. */
function firstMisfit(chunk: Chunk, spec: TableSpec): string {
  let good = 0;
  for (let k = 1; k <= chunk.lines.length; k++) {
    if (resolveChunk({ ...chunk, lines: chunk.lines.slice(0, k) }, spec) !== null) good = k;
  }
  return (chunk.lines[good] ?? chunk.lines[0])?.text ?? "";
}
