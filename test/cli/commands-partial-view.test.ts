/**
 * Commands on a partial view (issue 18): a member whose size was never read, or nodes that did not answer, must
 * never be taken for a member that is fine. Disarm refuses while any member's size is unknown; `alarms list`
 * and `alarms disarm` fail (exit 1) when no node could say which alarms are raised.
 */
import { describe, expect, it } from "vitest";
import { commandOf, createStatefulCluster, NODES, runCli } from "./stateful-exec.js";

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
