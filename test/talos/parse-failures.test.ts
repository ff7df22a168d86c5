import { describe, expect, it } from "vitest";
import { parseNodeFailures } from "../../src/talos/parse-failures.js";

const UNAVAILABLE =
  'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing"';

describe("parseNodeFailures", () => {
  it("reads the ≤v1.13 warning block (exit 0)", () => {
    const stderr = `WARNING: 2 errors occurred:\n\t* 172.20.0.4: ${UNAVAILABLE}\n\t* 172.20.0.6: rpc error: code = Unimplemented desc = etcd status is only available on control plane nodes\n\n\n`;
    expect(parseNodeFailures(stderr)).toEqual([
      { node: "172.20.0.4", kind: "unreachable", error: UNAVAILABLE },
      {
        node: "172.20.0.6",
        kind: "not-control-plane",
        error: "rpc error: code = Unimplemented desc = etcd status is only available on control plane nodes",
      },
    ]);
  });

  it("reads the singular form and the all-nodes-failed error (exit 1)", () => {
    expect(parseNodeFailures(`WARNING: 1 error occurred:\n\t* cp-1.lan: ${UNAVAILABLE}\n\n`)).toEqual([
      { node: "cp-1.lan", kind: "unreachable", error: UNAVAILABLE },
    ]);
    const all =
      "error getting status: 1 error occurred:\n\t* 172.20.0.2: rpc error: code = PermissionDenied desc = not authorized\n\n\n";
    expect(parseNodeFailures(all)).toEqual([
      {
        node: "172.20.0.2",
        kind: "permission-denied",
        error: "rpc error: code = PermissionDenied desc = not authorized",
      },
    ]);
  });

  it("reads v1.14 `error from node` lines, IPv6 nodes included", () => {
    const stderr = `error from node 172.20.0.4: ${UNAVAILABLE}\nerror from node fd00::5: rpc error: code = PermissionDenied desc = not authorized\n`;
    expect(parseNodeFailures(stderr)).toEqual([
      { node: "172.20.0.4", kind: "unreachable", error: UNAVAILABLE },
      {
        node: "fd00::5",
        kind: "permission-denied",
        error: "rpc error: code = PermissionDenied desc = not authorized",
      },
    ]);
  });

  it("keeps IPv6 nodes in the ≤v1.13 list too", () => {
    expect(parseNodeFailures(`WARNING: 1 error occurred:\n\t* fd00::4: ${UNAVAILABLE}\n\n`)).toEqual([
      { node: "fd00::4", kind: "unreachable", error: UNAVAILABLE },
    ]);
  });

  it("ignores lines it does not know, leaving them to the caller", () => {
    const stderr = [
      "error getting status: rpc error: code = PermissionDenied desc = not authorized",
      "\t* 172.20.0.9: a list item outside any error list",
      'command "etcd defrag" is not supported with multiple nodes',
      "",
      "Usage:",
      "  talosctl etcd defrag [flags]",
    ].join("\n");
    expect(parseNodeFailures(stderr)).toEqual([]);
    expect(parseNodeFailures("")).toEqual([]);
  });

  it("tells a learner's refusal, a timeout and an unknown failure apart from a node that did not answer", () => {
    const learner =
      "rpc error: code = Unknown desc = failed to list etcd alarms: etcdserver: rpc not supported for learner";
    const stderr = [
      `error from node 172.20.0.5: ${learner}`,
      "error from node 172.20.0.6: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
      "error from node 172.20.0.7: rpc error: code = Internal desc = boom",
      "error from node 172.20.0.8: rpc error: code = Unknown desc = failed to forfeit leadership: etcdserver: bad leader transferee",
    ].join("\n");
    expect(parseNodeFailures(stderr).map((f) => [f.node, f.kind])).toEqual([
      ["172.20.0.5", "learner-refused"],
      ["172.20.0.6", "timed-out"],
      ["172.20.0.7", "other"],
      ["172.20.0.8", "learner-refused"],
    ]);
  });

  it("does not end a list on a continuation line of a multi-line error", () => {
    const stderr = `WARNING: 2 errors occurred:\n\t* 172.20.0.4: first line\n  second line\n\t* 172.20.0.5: ${UNAVAILABLE}\n\n`;
    expect(parseNodeFailures(stderr).map((f) => f.node)).toEqual(["172.20.0.4", "172.20.0.5"]);
  });
});
