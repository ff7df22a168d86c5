/**
 * One hung member must not blind the tool (issue 18 item 10). A member's etcd paused with SIGSTOP accepts
 * connections and never answers, so talosctl, which waits for every node, times out on any call that includes
 * it. `status` then asks the nodes one by one (in parallel, same --timeout), reports the members that answer and
 * names the hung one (kind `timed-out`); `defrag` refuses as for an unreachable node. The member is resumed in a
 * `finally`, so a failing assertion never leaves it paused for the next test.
 */

import { expect, it } from "vitest";
import type { SimCluster } from "../../sim/cluster.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { callsOf, describeWithEtcd, parseJson, runCli } from "./e2e-harness.js";

/** A follower other than the first node (the first node answers the etcdspec call): the cluster keeps its leader. */
async function pickFollower(c: SimCluster): Promise<string> {
  const leader = await c.leaderNode();
  const follower = c.nodes.slice(1).find((n) => n !== leader);
  if (follower === undefined) throw new Error("no follower to pause");
  return follower;
}

async function whilePaused<T>(c: SimCluster, node: string, body: () => Promise<T>): Promise<T> {
  if (!c.signalMember(node, "SIGSTOP")) throw new Error(`no running etcd on ${node} to pause`);
  try {
    return await body();
  } finally {
    c.signalMember(node, "SIGCONT");
  }
}

describeWithEtcd(
  "e2e: one hung member (SIGSTOP)",
  { release: "v1.13", ips: ["127.0.0.131", "127.0.0.132", "127.0.0.133"] },
  (cluster) => {
    it("status reports the members that answer and names the hung one as timed-out (exit 0)", async () => {
      const c = cluster();
      const hung = await pickFollower(c);
      const run = await whilePaused(c, hung, () => runCli(c, ["--timeout", "3s", "-o", "json", "status"]));
      expect(run.code, run.stderr).toBe(0);
      const view = parseJson<ClusterView>(run);
      expect(view.members.map((m) => m.node).sort()).toEqual(c.nodes.filter((n) => n !== hung).sort());
      expect(view.unreachable).toEqual([expect.objectContaining({ node: hung, kind: "timed-out" })]);
      expect(view.healthy).toBe(false);
    });

    it("the status table shows the healthy members and names the hung node", async () => {
      const c = cluster();
      const hung = await pickFollower(c);
      const run = await whilePaused(c, hung, () => runCli(c, ["--timeout", "3s", "status"]));
      expect(run.code, run.stderr).toBe(0);
      for (const n of c.nodes.filter((x) => x !== hung)) expect(run.stdout).toContain(n);
      expect(`${run.stdout}${run.stderr}`).toMatch(
        new RegExp(`${hung.replaceAll(".", "\\.")} did not answer: timed out`),
      );
    });

    it("defrag refuses (exit 3) as for an unreachable node: no defrag, no snapshot", async () => {
      const c = cluster();
      const hung = await pickFollower(c);
      const from = (await c.callLog()).length;
      const run = await whilePaused(c, hung, () =>
        runCli(c, ["--timeout", "3s", "-o", "json", "defrag", "--yes", "--no-snapshot", "--force"]),
      );
      expect(run.code, run.stderr).toBe(3);
      const report = parseJson<RunReport>(run);
      expect(report.result).toBe("refused");
      expect(report.refusedReasons.join("\n")).toContain(hung);
      const log = (await c.callLog()).slice(from);
      expect(callsOf(log, "etcd defrag")).toEqual([]);
      expect(callsOf(log, "etcd snapshot")).toEqual([]);
    });
  },
);
