import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { parseStatus } from "../../src/talos/parse-status.js";

const NEW_HEADER =
  "NODE         MEMBER             DB SIZE   IN USE            LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   PROTOCOL   STORAGE   ERRORS";
const OLD_HEADER =
  "NODE         MEMBER             DB SIZE   IN USE            LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   ERRORS";

describe("parseStatus", () => {
  it("reads a v1.11+ row into the shared StatusRow shape", () => {
    const out = `${NEW_HEADER}
172.20.0.4   0b47fb33e59bf0e2   1.5 GB    47 MB (3.25%)     ecebb05b59a776f1   53391        4           53390                false     3.6.12     3.6.0     memberID:812894458077769954 alarm:NOSPACE, etcdserver: no space
`;
    expect(parseStatus(out)).toEqual([
      {
        node: "172.20.0.4",
        memberId: "0b47fb33e59bf0e2",
        dbSize: 1_500_000_000,
        dbSizeInUse: 47_000_000,
        inUseRatio: 0.0325,
        leaderId: "ecebb05b59a776f1",
        raftIndex: 53391,
        raftTerm: 4,
        raftAppliedIndex: 53390,
        isLearner: false,
        protocol: "3.6.12",
        etcdVersion: "3.6.12",
        storage: "3.6.0",
        errors: ["memberID:812894458077769954 alarm:NOSPACE", "etcdserver: no space"],
        // The alarm among the errors, with the decimal member ID normalised; the member's own complaint apart.
        alarms: [{ node: "172.20.0.4", memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" }],
        otherErrors: ["etcdserver: no space"],
      },
    ]);
  });

  it("reads etcd 3.7's alarm text, two spaces between its fields, as the alarm (not a member error)", () => {
    // etcd 3.7.1 (captured from scripts/etcd-build 3.7.1): Go's protobuf text encoder puts one or two spaces
    // between fields, fixed per binary, so a NOSPACE alarm is `memberID:<id>  alarm:NOSPACE` from some builds.
    const out = `${NEW_HEADER}
127.0.0.41   735a4f0f5d7e8c4e   52 MB     50 MB (96.12%)    735a4f0f5d7e8c4e   375          3           375                  false     3.7.1      3.7.0     memberID:8307773259263345102  alarm:NOSPACE
`;
    const [row] = parseStatus(out);
    expect(row?.errors).toEqual(["memberID:8307773259263345102  alarm:NOSPACE"]);
    expect(row?.alarms).toEqual([{ node: "127.0.0.41", memberId: "734b23c348e181ce", alarm: "NOSPACE" }]);
    expect(row?.otherErrors).toEqual([]);
  });

  it("reads the v1.4–v1.10 layout without PROTOCOL/STORAGE, empty ERRORS as []", () => {
    const out = `${OLD_HEADER}
172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   0000000000000000   53391        4           53391                true      
`;
    const [row] = parseStatus(out);
    expect(row).toMatchObject({
      dbSize: 21_000_000,
      dbSizeInUse: 6_200_000,
      inUseRatio: 0.2909,
      leaderId: null,
    });
    expect(row?.isLearner).toBe(true);
    expect(row?.errors).toEqual([]);
    expect(row && "protocol" in row).toBe(false);
  });

  it("keeps the exact ratio talosctl printed (no floating-point residue)", () => {
    const out = `${OLD_HEADER}
172.20.0.3   ecebb05b59a776f1   0 B       0 B (0.00%)       ecebb05b59a776f1   1            1           1                    false     
172.20.0.2   a49c021e76e707db   9 B       9 B (100.00%)     ecebb05b59a776f1   1            1           1                    false     
`;
    expect(parseStatus(out).map((r) => r.inUseRatio)).toEqual([0, 1]);
  });

  it("accepts a STORAGE of `unknown` and an empty PROTOCOL (older server behind a newer talosctl)", () => {
    const out = `NODE         MEMBER             DB SIZE   IN USE            LEADER             RAFT INDEX   RAFT TERM   RAFT APPLIED INDEX   LEARNER   PROTOCOL   STORAGE   ERRORS
172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   ecebb05b59a776f1   53391        4           53391                false     3.5.17     unknown   
172.20.0.2   a49c021e76e707db   17 MB     4.5 MB (26.10%)   ecebb05b59a776f1   53391        4           53391                false                3.6.0     etcdserver: no leader
`;
    const rows = parseStatus(out);
    expect(rows.map((r) => [r.protocol, r.storage, r.errors])).toEqual([
      ["3.5.17", "unknown", []],
      ["", "3.6.0", ["etcdserver: no leader"]],
    ]);
    // An empty PROTOCOL is an unknown version (the etcdspec image is the fallback), not a version "".
    expect(rows.map((r) => r.etcdVersion)).toEqual(["3.5.17", null]);
  });

  it("returns no rows for empty output and for a lone header (v1.14, every node failed)", () => {
    expect(parseStatus("")).toEqual([]);
    expect(parseStatus(`${NEW_HEADER}\n`)).toEqual([]);
  });

  it.each([
    [
      "a row without header",
      "172.20.0.3   ecebb05b59a776f1   21 MB\n",
      "172.20.0.3   ecebb05b59a776f1   21 MB",
    ],
    [
      "an unknown size unit",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776f1   21 XB     6.2 MB (29.09%)   0000000000000000   1            1           1                    false     \n`,
      "21 XB",
    ],
    [
      "an IN USE without percentage",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB            0000000000000000   1            1           1                    false     \n`,
      "6.2 MB",
    ],
    [
      "a bad member ID",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776fz   21 MB     6.2 MB (29.09%)   0000000000000000   1            1           1                    false     \n`,
      "776fz",
    ],
    [
      "a non-numeric raft index",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   0000000000000000   -1           1           1                    false     \n`,
      "-1",
    ],
    [
      "a LEARNER that is not a bool",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   0000000000000000   1            1           1                    yes       \n`,
      "yes",
    ],
    [
      "a raft index past 2^53",
      `${OLD_HEADER}\n172.20.0.3   ecebb05b59a776f1   21 MB     6.2 MB (29.09%)   0000000000000000   18446744073709551615   1   1   false   \n`,
      "18446744073709551615",
    ],
  ])("throws a ParseError naming etcd status and quoting the line for %s", (_, out, fragment) => {
    try {
      parseStatus(out);
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).command).toBe("etcd status");
      expect((error as ParseError).line).toContain(fragment);
      expect((error as ParseError).message).toContain("talosctl etcd status");
    }
  });
});
