import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { splitTable, type TableSpec } from "../../src/talos/table.js";

const SPEC: TableSpec = {
  command: "etcd members",
  layouts: [
    ["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
    ["ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
  ],
  headerRequired: false,
};

const cells = (stdout: string, spec = SPEC) => splitTable(stdout, spec).map((row) => row.cells);

describe("splitTable", () => {
  it("cuts at the header's column offsets and keeps single spaces inside a cell", () => {
    const out = [
      "A          B SIZE   C",
      "x          6.2 MB   last cell with spaces",
      "longer-x   21 MB    ",
    ].join("\n");
    const spec: TableSpec = { command: "t", layouts: [["A", "B SIZE", "C"]], headerRequired: true };
    expect(cells(out, spec)).toEqual([
      { A: "x", "B SIZE": "6.2 MB", C: "last cell with spaces" },
      { A: "longer-x", "B SIZE": "21 MB", C: "" },
    ]);
  });

  it("finds empty cells in the middle of a row by column position", () => {
    const out = [
      "NODE         ID                 HOSTNAME     PEER URLS                 CLIENT URLS               LEARNER",
      "172.20.0.2   5f1e2d3c4b5a6978                https://172.20.0.5:2380                             true",
      "172.20.0.2   a49c021e76e707db   talos-cp-1   https://172.20.0.2:2380   https://172.20.0.2:2379   false",
    ].join("\n");
    expect(cells(out)[0]).toEqual({
      NODE: "172.20.0.2",
      ID: "5f1e2d3c4b5a6978",
      HOSTNAME: "",
      "PEER URLS": "https://172.20.0.5:2380",
      "CLIENT URLS": "",
      LEARNER: "true",
    });
  });

  it("follows chunks whose column widths differ (v1.14 flushes)", () => {
    const out = [
      "NODE         ID                 HOSTNAME     PEER URLS                 CLIENT URLS               LEARNER",
      "172.20.0.2   a49c021e76e707db   talos-cp-1   https://172.20.0.2:2380   https://172.20.0.2:2379   false",
      "172.20.0.3   a49c021e76e707db   cp   https://172.20.0.2:2380   https://172.20.0.2:2379   false",
      "172.20.0.3   ecebb05b59a776f1   a-much-longer-name   https://172.20.0.3:2380   https://172.20.0.3:2379   true",
    ].join("\n");
    const rows = cells(out);
    expect(rows.map((r) => r.HOSTNAME)).toEqual(["talos-cp-1", "cp", "a-much-longer-name"]);
    expect(rows.map((r) => r.LEARNER)).toEqual(["false", "false", "true"]);
  });

  it("a new chunk whose first row has a middle gap lines up with a later full row of that chunk", () => {
    const out = [
      "NODE         ID                 HOSTNAME     PEER URLS                 CLIENT URLS               LEARNER",
      "172.20.0.2   a49c021e76e707db   talos-cp-1   https://172.20.0.2:2380   https://172.20.0.2:2379   false",
      "172.20.0.3   5f1e2d3c4b5a6978        https://172.20.0.5:2380                             true",
      "172.20.0.3   a49c021e76e707db   cp   https://172.20.0.2:2380   https://172.20.0.2:2379   false",
    ].join("\n");
    expect(cells(out)[1]).toMatchObject({
      HOSTNAME: "",
      "PEER URLS": "https://172.20.0.5:2380",
      "CLIENT URLS": "",
    });
  });

  it("places columns that are empty on every line of a chunk (each is exactly 3 wide)", () => {
    // v1.14 chunk of one v1.10 node behind a newer talosctl: PROTOCOL and STORAGE empty, ERRORS set.
    const spec: TableSpec = { command: "t", layouts: [["A", "P", "S", "E"]], headerRequired: true };
    const out = ["A      P   S   E", "a      1   2   ", "node         err text"].join("\n");
    expect(cells(out, spec)).toEqual([
      { A: "a", P: "1", S: "2", E: "" },
      { A: "node", P: "", S: "", E: "err text" },
    ]);
  });

  it("places trailing empty columns from the padding every line of the chunk ends in", () => {
    const spec: TableSpec = { command: "t", layouts: [["A", "P", "S", "E"]], headerRequired: true };
    const out = ["A   P   S   E", "x   1   2   3", "node         "].join("\n");
    expect(cells(out, spec)[1]).toEqual({ A: "node", P: "", S: "", E: "" });
  });

  it("reads rows without a header, choosing the layout by column count", () => {
    const withNode = "172.20.0.2   a49c021e76e707db   cp-1   https://a:2380   https://a:2379   false\n";
    const withoutNode = "a49c021e76e707db   cp-1   https://a:2380   https://a:2379   false\n";
    expect(cells(withNode)[0]?.NODE).toBe("172.20.0.2");
    expect(cells(withoutNode)[0]).toEqual({
      ID: "a49c021e76e707db",
      HOSTNAME: "cp-1",
      "PEER URLS": "https://a:2380",
      "CLIENT URLS": "https://a:2379",
      LEARNER: "false",
    });
  });

  it("ignores blank lines and CRLF endings and returns nothing for empty output", () => {
    expect(cells("")).toEqual([]);
    expect(cells("\n\n")).toEqual([]);
    const crlf =
      "NODE   ID   HOSTNAME   PEER URLS   CLIENT URLS   LEARNER\r\nn      1    h          p           c             true\r\n";
    expect(cells(crlf)[0]?.LEARNER).toBe("true");
  });

  it("keeps line numbers and the raw line for error messages", () => {
    const rows = splitTable(
      "\nNODE   ID   HOSTNAME   PEER URLS   CLIENT URLS   LEARNER\nn      1    h          p           c             true\n",
      SPEC,
    );
    expect(rows[0]?.lineNumber).toBe(3);
    expect(rows[0]?.line).toBe("n      1    h          p           c             true");
  });

  it.each([
    [
      "a row before the required header",
      "x   y   z\n",
      { command: "t", layouts: [["A", "B", "C"]], headerRequired: true },
    ],
    ["too many columns", "A   B\n1   2   3\n", { command: "t", layouts: [["A", "B"]], headerRequired: true }],
    ["a headerless row of unknown width", "just some words\n", SPEC],
    [
      "a short row that lines up with nothing",
      "A      B      C      D\nxy   z\n",
      { command: "t", layouts: [["A", "B", "C", "D"]], headerRequired: true },
    ],
  ])("throws a ParseError quoting the line for %s", (_, out, spec) => {
    expect(() => splitTable(out, spec)).toThrow(ParseError);
    try {
      splitTable(out, spec);
    } catch (error) {
      expect(out.split("\n")).toContain((error as ParseError).line);
    }
  });
});
