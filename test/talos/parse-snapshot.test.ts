import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { unquoteGoString } from "../../src/talos/parse-go-string.js";
import { parseSnapshotReport } from "../../src/talos/parse-snapshot.js";

describe("parseSnapshotReport", () => {
  it("reads both lines", () => {
    const out =
      'etcd snapshot saved to "/backups/etcd-2026-11-22.db" (2015264 bytes)\n' +
      "snapshot info: hash 3c5e4b1a, revision 53391, total keys 1187, total size 3035136\n";
    expect(parseSnapshotReport(out)).toEqual({
      path: "/backups/etcd-2026-11-22.db",
      bytes: 2015264,
      hash: "3c5e4b1a",
      revision: 53391,
      totalKeys: 1187,
      totalSize: 3035136,
    });
  });

  it("accepts the saved line alone (status of the file could not be read)", () => {
    expect(parseSnapshotReport('etcd snapshot saved to "a b.db" (544 bytes)\n')).toEqual({
      path: "a b.db",
      bytes: 544,
    });
  });

  it.each([
    ["etcd snapshot saved to /no/quotes.db (12 bytes)\n", "etcd snapshot saved to /no/quotes.db (12 bytes)"],
    ['etcd snapshot saved to "bad\\q" (12 bytes)\n', 'etcd snapshot saved to "bad\\q" (12 bytes)'],
    ["", ""],
    [
      "snapshot info: hash 3c5e4b1a, revision 1, total keys 1, total size 1\n",
      "snapshot info: hash 3c5e4b1a, revision 1, total keys 1, total size 1",
    ],
    ['etcd snapshot saved to "x" (1 bytes)\nsomething else\n', "something else"],
  ])("throws a ParseError quoting the line for %j", (out, line) => {
    try {
      parseSnapshotReport(out);
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).command).toBe("etcd snapshot");
      expect((error as ParseError).line).toBe(line);
    }
  });
});

describe("unquoteGoString (Go %q)", () => {
  it.each([
    ['"plain/path.db"', "plain/path.db"],
    ['"with \\"quotes\\""', 'with "quotes"'],
    ['"C:\\\\backups\\\\etcd.db"', "C:\\backups\\etcd.db"],
    ['"tab\\there\\nnewline"', "tab\there\nnewline"],
    ['"\\a\\b\\f\\r\\v"', "\x07\b\f\r\v"],
    ['"caf\\u00e9 \\U0001f600"', "café 😀"],
    ['"café"', "café"],
    ['"\\xc3\\xa9"', "é"],
    ['"\\303\\251"', "é"],
    ['""', ""],
  ])("%s", (quoted, text) => {
    expect(unquoteGoString(quoted)).toBe(text);
  });

  it.each([
    '"unterminated',
    "no quotes",
    '"bad \\q escape"',
    '"short \\x4"',
    '"inner " quote"',
    '"\\ud800"',
    '"',
  ])("rejects %s", (quoted) => {
    expect(unquoteGoString(quoted)).toBeNull();
  });
});
