/** Hostile input: random text, random bytes and mangled tables make the parsers throw ParseError or nothing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseAlarms } from "../../src/talos/parse-alarms.js";
import { parseEtcdSpecQuota } from "../../src/talos/parse-etcdspec.js";
import { parseNodeFailures } from "../../src/talos/parse-failures.js";
import { normalizeMemberId } from "../../src/talos/parse-member-id.js";
import { parseMembers } from "../../src/talos/parse-members.js";
import { parseMounts } from "../../src/talos/parse-mounts.js";
import { parseProcesses } from "../../src/talos/parse-processes.js";
import { parseSnapshotReport } from "../../src/talos/parse-snapshot.js";
import { parseStatus } from "../../src/talos/parse-status.js";
import { parseSize } from "../../src/talos/size.js";

/** Runs a parser on hostile input: it may return, or throw ParseError, and nothing else. */
function onlyParseErrors(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    expect(typeof error.command).toBe("string");
    expect(error.message).toContain("talosctl");
  }
}

const PARSERS: ((text: string) => unknown)[] = [
  parseStatus,
  parseMembers,
  parseAlarms,
  parseSnapshotReport,
  parseEtcdSpecQuota,
  parseNodeFailures,
  parseSize,
  normalizeMemberId,
  parseProcesses,
  parseMounts,
];

/** A v1.13 status table as tabwriter prints it, for the mangling test. */
const SAMPLE = [
  "NODE         MEMBER             DB SIZE   IN USE            LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   PROTOCOL   STORAGE   ERRORS",
  "172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   ecebb05b59a776f1   53391        4           53391                false     3.6.12     3.6.0     ",
  "172.20.0.2   a49c021e76e707db   17 MB     4.5 MB (26.10%)   ecebb05b59a776f1   53391        4           53391                false     3.6.12     3.6.0     etcdserver: no leader",
  "",
].join("\n");

describe("hostile input", () => {
  it("random text and bytes only ever raise ParseError", () => {
    const textArb = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => new TextDecoder().decode(bytes)),
      fc
        .array(
          fc.constantFrom(
            "NODE",
            "   ",
            " ",
            "\n",
            "\t",
            "MEMBER",
            "1.5 GB",
            "(",
            "%)",
            ":",
            "---",
            "spec:",
            '"',
          ),
          {
            maxLength: 60,
          },
        )
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        for (const parse of PARSERS) onlyParseErrors(parse, text);
      }),
    );
  });

  it("mangled tables (characters dropped, inserted or replaced; lines cut) only ever raise ParseError", () => {
    const editArb = fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom("drop", "insert", "replace", "cut"),
        char: fc.constantFrom(" ", "x", "\n", "\t", "9", "%", "-"),
      }),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(editArb, (edits) => {
        let text = SAMPLE;
        for (const edit of edits) {
          const at = edit.at % (text.length + 1);
          if (edit.kind === "drop") text = text.slice(0, at) + text.slice(at + 1);
          if (edit.kind === "insert") text = text.slice(0, at) + edit.char + text.slice(at);
          if (edit.kind === "replace") text = text.slice(0, at) + edit.char + text.slice(at + 1);
          if (edit.kind === "cut") text = text.slice(0, at);
        }
        for (const parse of [parseStatus, parseMembers, parseAlarms]) onlyParseErrors(parse, text);
      }),
    );
  });
});
