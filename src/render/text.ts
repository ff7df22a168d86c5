/**
 * Text that fits a width: display width (ANSI colour codes take no room), cutting a long cell with an ellipsis,
 * wrapping a long line under a hanging indent. A width of undefined means unlimited (a pipe): nothing changes.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters from talosctl must not reach a terminal
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export const ELLIPSIS = "…";

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Columns a text takes on a terminal: one per code point (the tables hold addresses, sizes and ASCII text). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const _ of stripAnsi(text)) width++;
  return width;
}

/** One line of plain text for a table cell: newlines and tabs become spaces, other control characters `?`. */
export function flatten(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(CONTROL, "?");
}

/** Plain text cut to `width` columns, the last one an ellipsis when something was cut. */
export function cutText(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return "";
  return `${chars
    .slice(0, width - 1)
    .join("")
    .trimEnd()}${ELLIPSIS}`;
}

/**
 * Plain text broken at spaces into lines of at most `width` columns; lines after the first start with `indent`.
 * A word longer than a line (a path, a URL) stays whole: it must still copy and paste. It goes without the
 * indent when that makes it fit, else on a line of its own. Nothing is lost: the words are the text's words.
 */
export function wrapText(text: string, width: number | undefined, indent = "  "): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const lead = /^ */.exec(text)?.[0] ?? "";
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(" ")) {
    const candidate = line === lead ? `${lead}${word}` : `${line} ${word}`;
    if (line === lead || displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line =
      displayWidth(`${indent}${word}`) <= width || displayWidth(word) > width ? `${indent}${word}` : word;
  }
  lines.push(line);
  return lines;
}

/**
 * A labelled message (`error: …`, `hint: …`) wrapped as warnings are: at spaces, continuation lines indented, a
 * URL or path never broken. Lines after the first of a multi-line text go under the label's text; a line that
 * starts with a space is pre-formatted (a rule with a caret under it) and is never wrapped, so the caret stays
 * where it points.
 */
export function wrapLabelled(label: string, text: string, width: number | undefined): string[] {
  const under = " ".repeat(label.length);
  return text.split("\n").flatMap((line, i) => {
    const prefixed = `${i === 0 ? label : under}${line}`;
    if (i > 0 && line.startsWith(" ")) return [prefixed];
    return wrapText(prefixed, width, i === 0 ? "  " : `${under}  `);
  });
}
