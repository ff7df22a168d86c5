/**
 * Commands on a partial view (issue 18): a member whose size was never read, or nodes that did not answer, must
 * never be taken for a member that is fine. Disarm refuses while any member's size is unknown; `alarms list`
 * and `alarms disarm` fail (exit 1) when no node could say which alarms are raised.
 */
import { describe, expect, it } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { interceptExec } from "../faults/intercept.js";
import { commandOf, createStatefulCluster, isMutating, NODES, nodesOf, runCli } from "./stateful-exec.js";

const disarms = (calls: string[][]) => calls.filter((c) => commandOf(c).startsWith("etcd alarm disarm"));

/** NOSPACE raised by 172.20.0.4, whose 1.5 GB is 94 % of a 1.6 GB quota; the others are small. */
const nospaceOnFour = () => {
  const cluster = createStatefulCluster();
  cluster.knobs.quotaBytes = 1_600_000_000;
  cluster.alarms = [{ memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" }];
  return cluster;
};

describe("alarms disarm while a member's size is unknown", () => {
  it("-n without the member at the quota: refused (exit 3), no disarm sent, the member named", async () => {
    const cluster = nospaceOnFour();
    const run = await runCli(cluster, ["-n", "172.20.0.2,172.20.0.3", "alarms", "disarm"]);
    expect(run.code, run.stderr).toBe(3);
    expect(disarms(cluster.calls)).toEqual([]);
    expect(cluster.alarms).toHaveLength(1);
    expect(run.stderr).toMatch(/refused:.*172\.20\.0\.4/);
  });

  it("-o json says refused with the reason", async () => {
    const cluster = nospaceOnFour();
    const run = await runCli(cluster, ["-n", "172.20.0.2,172.20.0.3", "-o", "json", "alarms", "disarm"]);
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as { result: string; reasons: string[] };
    expect(doc.result).toBe("refused");
    expect(doc.reasons.join("\n")).toMatch(/172\.20\.0\.4.*size is unknown/);
  });

  it("a member that did not answer: refused (exit 3), no disarm sent", async () => {
    const cluster = nospaceOnFour();
    cluster.knobs.quotaBytes = null;
    cluster.knobs.unreachable.add("172.20.0.4");
    const run = await runCli(cluster, ["-n", NODES, "alarms", "disarm", "--quota", "1.6GB"]);
    expect(run.code, run.stderr).toBe(3);
    expect(disarms(cluster.calls)).toEqual([]);
  });
});

describe("alarms when no node answered", () => {
  const allDown = () => {
    const cluster = nospaceOnFour();
    for (const n of NODES.split(",")) cluster.knobs.unreachable.add(n);
    return cluster;
  };

  it.each([["table"], ["json"]])("alarms list -o %s: exit 1, never 'no alarms'", async (output) => {
    const run = await runCli(allDown(), ["-n", NODES, "-o", output, "alarms", "list"]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/no alarms/i);
    expect(run.stderr).toMatch(/172\.20\.0\.2.*172\.20\.0\.3.*172\.20\.0\.4|no node answered/s);
    // No document a script could read as a clean cluster (`.alarms | length` == 0).
    expect(run.stdout).not.toMatch(/"alarms": \[\]/);
  });

  it.each([["table"], ["json"]])("alarms disarm -o %s: exit 1, never 'nothing to disarm'", async (output) => {
    const cluster = allDown();
    const run = await runCli(cluster, ["-n", NODES, "-o", output, "alarms", "disarm"]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/nothing to disarm|no alarms/i);
    expect(disarms(cluster.calls)).toEqual([]);
    if (output === "json") expect(JSON.parse(run.stdout)).toMatchObject({ result: "failed" });
  });

  it("partial answers: the alarms known are listed and the node that did not answer is named", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.unreachable.add("172.20.0.4");
    const run = await runCli(cluster, ["-n", NODES, "alarms", "list"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/^no alarms raised$/m);
    expect(`${run.stdout}${run.stderr}`).toMatch(/172\.20\.0\.4 did not answer/);
  });
});

describe("one hung node (issue 18 item 10)", () => {
  /** Every talosctl call that includes the hung node is killed at its timeout, as talosctl waits for every node. */
  const withHungNode = () => {
    const cluster = createStatefulCluster();
    interceptExec(cluster, (args) =>
      nodesOf(args).includes("172.20.0.4")
        ? { stdout: "", stderr: "", exitCode: undefined, timedOut: true, durationMs: 3000 }
        : undefined,
    );
    return cluster;
  };

  it("status reports the members that answer and names the hung one (timed-out), exit 0", async () => {
    const run = await runCli(withHungNode(), ["-n", NODES, "--timeout", "3s", "-o", "json", "status"]);
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.map((m) => m.node).sort()).toEqual(["172.20.0.2", "172.20.0.3"]);
    expect(view.unreachable).toEqual([expect.objectContaining({ node: "172.20.0.4", kind: "timed-out" })]);
    expect(view.healthy).toBe(false);
  });

  it("the table names the hung node", async () => {
    const run = await runCli(withHungNode(), ["-n", NODES, "--timeout", "3s", "status"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/172\.20\.0\.2/);
    expect(`${run.stdout}${run.stderr}`).toMatch(/172\.20\.0\.4 did not answer: timed out/);
  });

  it("defrag is refused (exit 3) as for an unreachable node, nothing mutating", async () => {
    const cluster = withHungNode();
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot"]);
    expect(run.code, run.stderr).toBe(3);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
    expect((JSON.parse(run.stdout) as RunReport).refusedReasons.join("\n")).toMatch(/172\.20\.0\.4/);
  });
});
