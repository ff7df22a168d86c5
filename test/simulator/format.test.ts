import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../sim/argv.js";
import type { MemberStatus } from "../../sim/backend.js";
import { formatFixed, formatMemberId, humanizeBytes } from "../../sim/humanize.js";
import {
  ALARM_LIST_TABLE,
  MEMBERS_TABLE,
  type Outcome,
  renderTable,
  STATUS_TABLE,
} from "../../sim/render.js";
import { tabwrite } from "../../sim/tabwriter.js";

describe("go-humanize Bytes", () => {
  it.each([
    [0, "0 B"],
    [9, "9 B"],
    [10, "10 B"],
    [999, "999 B"],
    [1000, "1.0 kB"],
    [1049, "1.0 kB"],
    [1050, "1.1 kB"],
    [6_200_000, "6.2 MB"],
    [9_950_000, "10 MB"],
    [21_000_000, "21 MB"],
    [2 * 1024 ** 3, "2.1 GB"],
    [1_500_000_000, "1.5 GB"],
    // 10.5 is an exact binary tie: Go's %.0f rounds half to even.
    [10_500, "10 kB"],
    [11_500, "12 kB"],
  ])("%d -> %s", (bytes, text) => {
    expect(humanizeBytes(bytes)).toBe(text);
  });

  it("formats %.2f like Go on exact ties and ordinary values", () => {
    expect(formatFixed(12.125, 2)).toBe("12.12");
    expect(formatFixed(12.375, 2)).toBe("12.38");
    expect(formatFixed(29.0912, 2)).toBe("29.09");
    expect(formatFixed(100, 2)).toBe("100.00");
  });

  it("prints member IDs as %016x", () => {
    expect(formatMemberId("42904349788360012")).toBe("00986d4760744d4c");
    expect(formatMemberId("17106253448027761249")).toBe("ed659ee0cf7eea61");
  });
});

describe("tabwriter", () => {
  it("pads terminated cells to the widest + 3 and leaves the last cell alone", () => {
    expect(tabwrite("A\tBB\tC\nxxxx\ty\tzzz\n")).toBe("A      BB   C\nxxxx   y    zzz\n");
  });

  it("an empty last cell leaves the trailing padding of the previous column", () => {
    expect(tabwrite("A\tERRORS\nx\t\n")).toBe("A   ERRORS\nx   \n");
  });

  it("a column only spans consecutive lines that have it (Go's blocks)", () => {
    expect(tabwrite("a\tb\tc\naaaa\tbb\n")).toBe("a      b   c\naaaa   bb\n");
  });
});

const status = (id: string, leader: string, errors: string[] = []): MemberStatus => ({
  memberId: id,
  leader,
  dbSize: 21_000_000,
  dbSizeInUse: 6_109_000,
  raftIndex: 53391,
  raftTerm: 4,
  raftAppliedIndex: 53391,
  isLearner: false,
  version: "3.6.12",
  storageVersion: "3.6.0",
  errors,
});
const ok = <T>(node: string, value: T, at = 0): Outcome<T> => ({
  node,
  answeredAfterMs: at,
  ok: true,
  value,
});
const bad = <T>(node: string, error: string, at = 0): Outcome<T> => ({
  node,
  answeredAfterMs: at,
  ok: false,
  error,
});
const UNAVAILABLE = "rpc error: code = Unavailable desc = connection refused";

describe("status table", () => {
  const rows = [
    ok("172.20.0.3", status("1", "1")),
    ok("172.20.0.2", status("2", "1", ["memberID:2 alarm:NOSPACE"])),
  ];

  it("v1.10 has no PROTOCOL/STORAGE and pads the empty ERRORS cell's column", () => {
    const out = renderTable(STATUS_TABLE, rows, "v1.10");
    expect(out.stdout.split("\n")[0]).toBe(
      "NODE         MEMBER             DB SIZE   IN USE            LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   ERRORS",
    );
    expect(out.stdout.split("\n")[1]).toBe(
      "172.20.0.3   0000000000000001   21 MB     6.1 MB (29.09%)   0000000000000001   53391        4           53391                false     ",
    );
    expect(out.exitCode).toBe(0);
  });

  it("v1.13 adds PROTOCOL and STORAGE before ERRORS", () => {
    const out = renderTable(STATUS_TABLE, rows, "v1.13");
    expect(out.stdout.split("\n")[2]).toMatch(/false {5}3\.6\.12 {5}3\.6\.0 {5}memberID:2 alarm:NOSPACE$/);
  });

  it("≤v1.13: a failed node is left out, warned about on stderr, exit 0", () => {
    const out = renderTable(
      STATUS_TABLE,
      [rows[0] as Outcome<MemberStatus>, bad("172.20.0.4", UNAVAILABLE)],
      "v1.13",
    );
    expect(out.stdout.split("\n")).toHaveLength(3);
    expect(out.stderr).toBe(`WARNING: 1 error occurred:\n\t* 172.20.0.4: ${UNAVAILABLE}\n\n`);
    expect(out.exitCode).toBe(0);
  });

  it("≤v1.13: every node failing is an error with nothing on stdout", () => {
    const out = renderTable(STATUS_TABLE, [bad("a", "x"), bad("b", "y")], "v1.10");
    expect(out).toEqual({
      stdout: "",
      stderr: "error getting status: 2 errors occurred:\n\t* a: x\n\t* b: y\n\n\n",
      exitCode: 1,
    });
  });

  it("v1.14: rows still printed, one 'error from node' line each, exit 1", () => {
    const out = renderTable(
      STATUS_TABLE,
      [bad("172.20.0.4", UNAVAILABLE), rows[0] as Outcome<MemberStatus>],
      "v1.14",
    );
    expect(out.stdout.split("\n")[1]).toMatch(/^172\.20\.0\.3 {3}/);
    expect(out.stderr).toBe(`error from node 172.20.0.4: ${UNAVAILABLE}\n`);
    expect(out.exitCode).toBe(1);
  });

  it("v1.14: answers more than 500 ms apart land in separately aligned chunks", () => {
    const out = renderTable(
      STATUS_TABLE,
      [ok("10.0.0.1", status("1", "1")), ok("10.5.0.123", status("2", "1"), 900)],
      "v1.14",
    );
    const [header, first, second] = out.stdout.split("\n");
    expect(header?.indexOf("MEMBER")).toBe(first?.indexOf("0000000000000001"));
    expect(second?.indexOf("0000000000000002")).toBe("10.5.0.123".length + 3);
  });
});

describe("members and alarms headers", () => {
  const member = {
    id: "255",
    hostname: "cp-1",
    peerUrls: ["https://a:2380"],
    clientUrls: ["https://a:2379"],
    isLearner: false,
  };

  it("≤v1.13 members: no header when the first answer has no members; v1.14 always", () => {
    const outcomes = [ok("a", [] as (typeof member)[]), ok("b", [member])];
    expect(renderTable(MEMBERS_TABLE, outcomes, "v1.13").stdout).toBe(
      "b   00000000000000ff   cp-1   https://a:2380   https://a:2379   false\n",
    );
    expect(renderTable(MEMBERS_TABLE, outcomes, "v1.14").stdout.split("\n")[0]).toMatch(
      /^NODE {3}ID {17}HOSTNAME/,
    );
  });

  it("no alarms: nothing at all on stdout, in every release", () => {
    for (const release of ["v1.10", "v1.13", "v1.14"] as const) {
      expect(renderTable(ALARM_LIST_TABLE, [ok("a", []), ok("b", [])], release).stdout).toBe("");
    }
  });

  it("≤v1.13 alarms: header only if the first node answering has an alarm", () => {
    const alarm = [{ memberId: "1", alarm: "NOSPACE" }];
    expect(renderTable(ALARM_LIST_TABLE, [ok("a", []), ok("b", alarm)], "v1.13").stdout).toBe(
      "b   0000000000000001   NOSPACE\n",
    );
    expect(renderTable(ALARM_LIST_TABLE, [ok("a", []), ok("b", alarm)], "v1.14").stdout).toBe(
      "NODE   MEMBER             ALARM\nb      0000000000000001   NOSPACE\n",
    );
  });
});

describe("argv", () => {
  it("accepts repeated and comma-separated nodes in every spelling", () => {
    const parsed = parseArgs([
      "-n",
      "a,b",
      "--nodes=c",
      "-nd",
      "-e",
      "x",
      "etcd",
      "status",
      "--talosconfig",
      "/t",
    ]);
    expect(parsed.nodes).toEqual(["a", "b", "c", "d"]);
    expect(parsed.endpoints).toEqual(["x"]);
    expect(parsed.words).toEqual(["etcd", "status"]);
    expect(parsed.talosconfig).toBe("/t");
  });

  it("rejects unknown flags like pflag, and -o outside get", () => {
    expect(() => parseArgs(["--bogus", "etcd", "status"])).toThrow(new UsageError("unknown flag: --bogus"));
    expect(() => parseArgs(["-x"])).toThrow("unknown shorthand flag: 'x' in -x");
    expect(() => parseArgs(["etcd", "status", "-o", "json"])).toThrow("unknown shorthand flag: 'o' in -o");
    expect(parseArgs(["get", "etcdspec", "etcd", "-o", "yaml"]).output).toBe("yaml");
    expect(() => parseArgs(["-n"])).toThrow("flag needs an argument: 'n' in -n");
  });
});
