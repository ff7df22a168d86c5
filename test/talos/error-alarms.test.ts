/**
 * The alarms etcd lists in a member's status errors. etcd 3.7 prints AlarmMember with Go protobuf's text
 * format, which randomly doubles the space between fields (to keep callers from depending on the bytes): the
 * real talosctl v1.14.1 over etcd 3.7.1 showed `memberID:15401551284238158931  alarm:NOSPACE` (issue 29).
 */
import { describe, expect, it } from "vitest";
import { splitStatusErrors } from "../../src/talos/error-alarms.js";

describe("splitStatusErrors", () => {
  it.each([
    ["one space (etcd up to 3.6)", "memberID:15401551284238158931 alarm:NOSPACE"],
    ["two spaces (etcd 3.7, protobuf's text format)", "memberID:15401551284238158931  alarm:NOSPACE"],
  ])("takes an alarm with %s", (_, text) => {
    expect(splitStatusErrors("127.0.0.42", [text])).toEqual({
      alarms: [{ node: "127.0.0.42", memberId: "d5bd4d4ac6fa0c53", alarm: "NOSPACE" }],
      otherErrors: [],
    });
  });

  it("keeps a member's own complaint as one", () => {
    expect(splitStatusErrors("n", ["etcdserver: no leader"]).otherErrors).toEqual(["etcdserver: no leader"]);
  });
});
