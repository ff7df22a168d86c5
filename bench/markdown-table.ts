/**
 * A Markdown table (BENCHMARKS.md) drawn by cli-table3, like the CLI's tables: its border chars are Markdown's
 * pipes, the separator row is the first body row, and the columns come out aligned in the source too.
 */
import Table from "cli-table3";

const NONE = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  "right-mid": "",
};

/** `aligns`: per column (default left); a right-aligned column gets `---:`. */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  aligns: readonly ("left" | "right")[] = [],
): string[] {
  const align = (i: number) => aligns[i] ?? "left";
  const table = new Table({
    head: [],
    chars: { ...NONE, left: "| ", middle: " | ", right: " |" },
    style: { "padding-left": 0, "padding-right": 0, head: [], border: [] },
    colAligns: head.map((_, i) => align(i)),
  });
  table.push(
    [...head],
    head.map((_, i) => (align(i) === "right" ? "---:" : "---")),
    ...rows.map((row) => head.map((_, i) => String(row[i] ?? ""))),
  );
  return table.toString().split("\n");
}
