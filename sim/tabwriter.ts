/**
 * Go text/tabwriter with talosctl's settings (minwidth 0, tabwidth 0, padding 3, pad ' ', flags 0).
 * Cells end in a tab; the text after the last tab of a line is not part of any column.
 * Column widths are computed per block of consecutive lines that have that column, as Go does,
 * so a line with fewer cells starts new widths below it.
 */

const PADDING = 3;

type Line = string[];

function cellWidth(text: string): number {
  return [...text].length;
}

function writeLines(out: string[], lines: Line[], from: number, to: number, widths: number[]): void {
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? [];
    let text = "";
    line.forEach((cell, j) => {
      const width = widths[j];
      text +=
        j < widths.length && width !== undefined
          ? cell.padEnd(width + (cell.length - cellWidth(cell)))
          : cell;
    });
    out.push(text);
  }
}

function formatBlock(out: string[], lines: Line[], from: number, to: number, widths: number[]): void {
  const column = widths.length;
  let start = from;
  for (let i = from; i < to; i++) {
    if (column >= (lines[i]?.length ?? 0) - 1) continue;
    writeLines(out, lines, start, i, widths);
    start = i;
    let width = 0;
    for (; i < to; i++) {
      const line = lines[i] ?? [];
      if (column >= line.length - 1) break;
      width = Math.max(width, cellWidth(line[column] ?? "") + PADDING);
    }
    formatBlock(out, lines, start, i, [...widths, width]);
    start = i;
    i--;
  }
  writeLines(out, lines, start, to, widths);
}

/** Lay out text written with tabs and newlines, as one tabwriter Flush would. */
export function tabwrite(text: string): string {
  if (text === "") return "";
  const rawLines = text.split("\n");
  const endsWithNewline = rawLines[rawLines.length - 1] === "";
  if (endsWithNewline) rawLines.pop();
  const lines = rawLines.map((l) => l.split("\t"));
  const out: string[] = [];
  formatBlock(out, lines, 0, lines.length, []);
  return out.join("\n") + (endsWithNewline ? "\n" : "");
}
