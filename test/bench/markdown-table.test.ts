/** The bench's Markdown tables, drawn by cli-table3: pipes, a separator row with the alignment, aligned cells. */
import { describe, expect, it } from "vitest";
import { markdownTable } from "../../bench/markdown-table.js";

describe("markdownTable", () => {
  it("draws the header, the separator row with ---: for right-aligned columns, then the rows, columns aligned", () => {
    expect(
      markdownTable(
        ["etcd", "size", "stalled ms"],
        [
          ["3.4.23", "200 MB", 12],
          ["3.5.30", "1 GB", 1234],
        ],
        ["left", "left", "right"],
      ),
    ).toEqual([
      "| etcd   | size   | stalled ms |",
      "| ---    | ---    |       ---: |",
      "| 3.4.23 | 200 MB |         12 |",
      "| 3.5.30 | 1 GB   |       1234 |",
    ]);
  });

  it("fills a missing cell with nothing", () => {
    expect(markdownTable(["a", "b"], [["x"]])).toEqual(["| a   | b   |", "| --- | --- |", "| x   |     |"]);
  });
});
