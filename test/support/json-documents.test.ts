/**
 * The schema check the harnesses run on every `-o json` document (json-documents.ts): it finds the command in an
 * argv, and it rejects what the contract forbids (a stray field, a renamed one, a changed type), so a test that
 * prints such a document fails even when it asserts nothing about it.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import { commandOf, expectCliJson, expectJsonStdout, kindOf, wantsJson } from "./json-documents.js";

const NODES = "172.20.0.2,172.20.0.3,172.20.0.4";

async function statusDocument(): Promise<Record<string, unknown>> {
  const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
  await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "json", "status"], rec.io);
  return JSON.parse(rec.stdout()) as Record<string, unknown>;
}

describe("the JSON document check of the test harnesses", () => {
  it.each([
    [["-n", "a", "-o", "json", "status"], "status"],
    [["status", "-o", "json"], "status"],
    [["--talosctl", "/x", "--context", "check", "check"], "check"],
    [["-o", "json", "defrag", "--yes"], "defrag"],
    [["plan", "--leader", "last"], "plan"],
    [["snapshot", "verify", "a.db"], "snapshot verify"],
    [["snapshot", "--keep", "2"], "snapshot"],
    [["-o", "json", "alarms"], "alarms"],
    [["alarms", "disarm", "--quota", "8GiB"], "alarms disarm"],
    [["--version"], undefined],
  ] as const)("finds the command of %j: %s", (argv, command) => {
    expect(commandOf(argv)).toBe(command);
  });

  it.each([
    [["-o", "json", "status"], true],
    [["--output=json", "status"], true],
    [["-ojson", "status"], true],
    [["-o", "wide", "status"], false],
  ] as const)("knows whether %j asks for JSON", (argv, json) => {
    expect(wantsJson(argv)).toBe(json);
  });

  it("accepts the status document the CLI prints, and says which document it is", async () => {
    const doc = await statusDocument();
    expect(doc.schemaVersion).toBe(1);
    expect(kindOf(doc)).toBe("status");
    expect(() => expectCliJson(["-o", "json", "status"], JSON.stringify(doc))).not.toThrow();
  });

  it.each([
    ["an undocumented field", (d: Record<string, unknown>) => ({ ...d, extra: 1 }), /extra/],
    [
      "a renamed field",
      ({ healthy, ...d }: Record<string, unknown>) => ({ ...d, isHealthy: healthy }),
      /healthy/,
    ],
    ["a changed type", (d: Record<string, unknown>) => ({ ...d, healthy: "yes" }), /healthy/],
    ["another format version", (d: Record<string, unknown>) => ({ ...d, schemaVersion: 2 }), /schemaVersion/],
    [
      "a member's field gone",
      (d: Record<string, unknown>) => ({
        ...d,
        members: (d.members as Record<string, unknown>[]).map(({ memberId: _, ...m }) => m),
      }),
      /memberId/,
    ],
  ])("rejects %s, naming it", async (_what, change, named) => {
    const text = JSON.stringify(change(await statusDocument()));
    expect(() => expectCliJson(["-o", "json", "status"], text)).toThrow(named);
    expect(() => expectJsonStdout(text)).toThrow(named);
  });

  it("checks a document by its command: a status document is not a check document", async () => {
    const text = JSON.stringify(await statusDocument());
    expect(() => expectCliJson(["-o", "json", "check"], text)).toThrow(/check document/);
  });

  it("fails recordIO's reader on a bad document, and leaves other output alone", () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    rec.io.stdout(`${JSON.stringify({ schemaVersion: 1, members: [], extra: true })}\n`);
    expect(() => rec.stdout()).toThrow(/not a valid status document/);
    const table = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    table.io.stdout("NODE  MEMBER\n{}\n");
    expect(table.stdout()).toBe("NODE  MEMBER\n{}\n");
  });

  it("lets an empty stdout pass (an error instead of a report) and fails one that is not JSON", () => {
    expect(() => expectCliJson(["-o", "json", "status"], "")).not.toThrow();
    expect(() => expectCliJson(["-o", "json", "status"], "NODE\n")).toThrow(/not one JSON document/);
  });
});
