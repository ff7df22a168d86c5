/** The plain table and the text helpers under every command's output: fitting, cutting, wrapping, width. */
import { describe, expect, it } from "vitest";
import { detectWidth, sameTerminal } from "../../src/cli/io.js";
import { type Column, drawTable, renderTable, type TableLayout } from "../../src/render/table.js";
import { cutText, displayWidth, flatten, stripAnsi, wrapText } from "../../src/render/text.js";

interface Row {
  name: string;
  size: string;
  note: string;
}

const red = (t: string) => `\u001b[31m${t}\u001b[0m`;
const COLUMNS: Column<Row>[] = [
  { header: "NAME", value: (r) => r.name },
  { header: "ID", only: "wide", value: (r) => `id-${r.name}` },
  { header: "SIZE", align: "right", value: (r) => ({ text: r.size, paint: red }) },
  { header: "NOTE", cut: true, hideEmpty: true, value: (r) => r.note },
];
const ROWS: Row[] = [
  { name: "cp1.lab.internal", size: "1.9 GB", note: "-" },
  { name: "cp2", size: "21 MB", note: "etcdserver: mvcc: database space exceeded" },
];
const render = (layout: TableLayout, rows = ROWS) => renderTable(COLUMNS, rows, layout);

describe("renderTable", () => {
  it("without a width: natural widths two spaces apart, right-aligned numbers, no trailing spaces", () => {
    expect(render({ width: undefined, wide: false }).lines.map((l) => stripAnsi(l))).toEqual([
      "NAME                SIZE  NOTE",
      "cp1.lab.internal  1.9 GB  -",
      "cp2                21 MB  etcdserver: mvcc: database space exceeded",
    ]);
  });

  it.each([
    // [width, gap, cut]: two spaces while the table fits, then one, then the cut column shrinks to its floor.
    [72, 2, false],
    [67, 2, false],
    [66, 1, false],
    [65, 1, false],
    [64, 2, true],
    [36, 2, true],
    [35, 1, true],
    [30, 1, true],
  ])("at width %i: %i-space gap, cut %s; never wider than the width", (width, gap, cut) => {
    const table = render({ width, wide: false });
    for (const line of table.lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    expect(table.lines[0]).toMatch(gap === 2 ? /^NAME +SIZE {2}NOTE$/ : /^NAME +SIZE NOTE$/);
    expect(table.cutRows).toEqual(cut ? [1] : []);
    expect(table.lines[2]?.endsWith("…")).toBe(cut);
  });

  it("keeps a cut column at its header's width before giving up, then lets lines run long", () => {
    expect(render({ width: 28, wide: false }).lines[2]).toMatch(/ etc…$/);
    const tooNarrow = render({ width: 10, wide: false });
    expect(tooNarrow.lines[2]).toMatch(/^cp2 +\S*21 MB\S* etc…$/);
  });

  it("colour codes take no room", () => {
    const line = render({ width: 66, wide: false }).lines[1] ?? "";
    expect(line).toContain(red("1.9 GB"));
    expect(displayWidth(line)).toBe(stripAnsi(line).length);
  });

  it("-o wide shows the wide-only columns and never cuts, whatever the width", () => {
    const table = render({ width: 20, wide: true });
    expect(table.lines[0]).toMatch(/^NAME +ID +SIZE +NOTE$/);
    expect(table.lines[2]).toContain("id-cp2");
    expect(table.cutRows).toEqual([]);
  });

  it("leaves an empty hideEmpty column out of the default table, never out of -o wide", () => {
    const quiet = ROWS.map((r) => ({ ...r, note: "-" }));
    expect(render({ width: undefined, wide: false }, quiet).lines[0]).toBe("NAME                SIZE");
    expect(render({ width: undefined, wide: true }, quiet).lines[0]).toMatch(/ NOTE$/);
  });

  it("puts a cell on one line: newlines and tabs become spaces, control characters `?`", () => {
    expect(flatten("a\n\tb\u0007c\u001b[31m")).toBe("a b?c?[31m");
  });
});

describe("cutText and wrapText", () => {
  it("cuts with an ellipsis, nothing when it fits", () => {
    expect(cutText("no answer", 9)).toBe("no answer");
    expect(cutText("NOSPACE, etcdserver", 10)).toBe("NOSPACE,…");
    expect(cutText("abc", 1)).toBe("…");
  });

  it.each([
    [undefined, 1],
    [200, 1],
    [40, 3],
    [20, 6],
  ])("wraps at %s columns into %i lines, losing no word", (width, count) => {
    const text = "  - cp5.lab.internal did not answer: rpc error: code = Unavailable desc = no route to host";
    const lines = wrapText(text, width, "    ");
    expect(lines).toHaveLength(count);
    expect(lines.join(" ").replace(/\s+/g, " ").trim()).toBe(text.replace(/\s+/g, " ").trim());
    expect(lines[0]?.startsWith("  - cp5")).toBe(true);
    for (const line of lines.slice(1)) expect(line.startsWith("    ")).toBe(true);
    if (width !== undefined) for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
  });

  it("keeps a word longer than the line whole, on a line of its own (a path must still copy)", () => {
    const path = `./etcd-snapshots/${"x".repeat(70)}.db`;
    expect(wrapText(`snapshot: ${path} (121 MB)`, 40)).toEqual(["snapshot:", `  ${path}`, "  (121 MB)"]);
  });
});

describe("detectWidth", () => {
  it.each([
    ["a terminal: its columns", { isTTY: true, columns: 132 }, { COLUMNS: "80" }, 132],
    ["a pipe with COLUMNS", { isTTY: false }, { COLUMNS: "100" }, 100],
    ["a pipe: unlimited", { isTTY: false }, {}, undefined],
    ["a terminal that does not say its size: COLUMNS", { isTTY: true }, { COLUMNS: "90" }, 90],
    ["COLUMNS that is not a width", { isTTY: false }, { COLUMNS: "wide" }, undefined],
    ["COLUMNS=0", { isTTY: false }, { COLUMNS: "0" }, undefined],
  ])("%s", (_, stream, env, want) => {
    expect(detectWidth(stream, env)).toBe(want);
  });
});

describe("drawTable (cli-table3, borderless)", () => {
  it("draws rows without a header, columns the gap apart, numbers right-aligned, no trailing blanks", () => {
    expect(
      drawTable(
        [],
        [
          ["ok", "21 MB", "a"],
          ["FAILED", "1.9 GB", "b"],
        ],
        { gap: 2, widths: [6, 6, 1], aligns: ["left", "right", "left"] },
      ),
    ).toEqual(["ok       21 MB  a", "FAILED  1.9 GB  b"]);
  });

  it("gives a multi-line cell as many lines, the other columns blank on the extra ones", () => {
    expect(
      drawTable([], [["[ok]", "first\nsecond"]], { gap: 1, widths: [6, 6], aligns: ["left", "left"] }),
    ).toEqual(["[ok]   first", "       second"]);
  });

  it("never cuts the last column, whatever width it was given", () => {
    const path = `/var/backups/${"x".repeat(60)}.db`;
    expect(
      drawTable(["A", "PATH"], [["1", path]], { gap: 2, widths: [1, 4], aligns: ["left", "left"] }),
    ).toEqual(["A  PATH", `1  ${path}`]);
  });
});

describe("sameTerminal: are stdout and stderr one terminal?", () => {
  const tty = (rdev: number) => ({ tty: true, stat: { dev: 5, ino: 100 + rdev, rdev } });
  const file = { tty: false, stat: { dev: 2049, ino: 7, rdev: 0 } };
  it.each([
    ["both on /dev/pts/3", [tty(3), tty(3)], true],
    ["2>/dev/pts/4: two terminals", [tty(3), tty(4)], false],
    ["stdout to a file or a pipe", [file, tty(3)], false],
    [
      "2>/dev/null (a character device, not a TTY)",
      [tty(3), { ...file, stat: { dev: 5, ino: 6, rdev: 259 } }],
      false,
    ],
  ] as const)("%s: %s", (_, [a, b], want) => {
    const fds = [a, b];
    const probe = {
      isatty: (fd: number) => fds[fd - 1]?.tty === true,
      fstat: (fd: number) => {
        const stat = fds[fd - 1]?.stat;
        if (stat === undefined) throw new Error("EBADF");
        return stat;
      },
    };
    expect(sameTerminal(1, 2, probe)).toBe(want);
  });

  it("is false when a descriptor cannot be read", () => {
    const probe = {
      isatty: () => true,
      fstat: () => {
        throw new Error("EBADF");
      },
    };
    expect(sameTerminal(1, 2, probe)).toBe(false);
  });
});
