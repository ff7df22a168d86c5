/**
 * The mission over real etcd: status/check/plan on a healthy and on a fragmented cluster, then a full defrag
 * that goes followers first, moves leadership before the leader, shrinks every member, keeps every key, and
 * leaves a snapshot that verifies. Each test sets up the state it needs: any one runs alone with `-t`.
 */
import { statSync } from "node:fs";
import { expect, it } from "vitest";
import type { SimCluster } from "../../sim/cluster.js";
import { checksumKeys, fragmentCluster, readSizes } from "../../sim/data.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { verifySnapshotFile } from "../../src/run/snapshot-file.js";
import type { RunReport } from "../../src/run/types.js";
import { callsOf, describeWithEtcd, parseJson, runCli, snapshotDir } from "./e2e-harness.js";

// Small test clusters never reach the default rule's 100 MiB: judge by the share in use instead.
const RULE = ["--rule", "dbSizeInUse / dbSize < 0.6"];
// Their files free a few MB, below the reclaim floor (--min-reclaim, 32 MiB) that would skip them all.
const NO_FLOOR = ["--min-reclaim", "0"];

/** ~60 % reclaimable on every member. Stops churning once the file is big enough, so a second call is cheap. */
async function fragment(c: SimCluster): Promise<void> {
  const leader = await c.leaderNode();
  await fragmentCluster(c.endpoints(leader ?? c.nodes[0] ?? ""), {
    targetBytes: 24_000_000,
    reclaimableRatio: 0.6,
  });
}

describeWithEtcd(
  "e2e: status, check, plan and defrag over real etcd",
  { release: "v1.13", ips: ["127.0.0.21", "127.0.0.22", "127.0.0.23"] },
  (cluster) => {
    it("reports a fresh cluster as healthy and lean (status, check exit 0, plan nothing to do)", async () => {
      const c = cluster();
      const status = await runCli(c, ["-o", "json", "status", ...RULE]);
      expect(status.code, status.stderr).toBe(0);
      const view = parseJson<ClusterView>(status);
      expect(view.healthy).toBe(true);
      expect(view.members.map((m) => m.node).sort()).toEqual([...c.nodes].sort());
      expect(view.leader?.node).toBe(await c.leaderNode());
      expect(view.quota).toEqual({ bytes: 2 * 1024 ** 3, source: "default" });

      const table = await runCli(c, ["status", ...RULE]);
      expect(table.stdout).toContain("healthy: 3 members");
      expect((await runCli(c, ["check", "--rule", "dbSizeFree > 1*GB"])).code).toBe(0);
      const plan = parseJson<RunReport>(
        await runCli(c, ["-o", "json", "plan", "--rule", "dbSizeFree > 1*GB"]),
      );
      expect(plan.result).toBe("nothing-to-do");
    });

    it("sees fragmentation after apiserver-like churn: check exits 4, plan puts the leader last", async () => {
      const c = cluster();
      const leader = await c.leaderNode();
      await fragment(c);
      const logStart = (await c.callLog()).length;
      const view = parseJson<ClusterView>(await runCli(c, ["-o", "json", "status", ...RULE]));
      for (const m of view.members) expect(m.dbSizeFree / m.dbSize, m.node).toBeGreaterThanOrEqual(0.4);
      expect(view.members.every((m) => m.defragRecommended)).toBe(true);

      const check = await runCli(c, ["check", ...RULE, ...NO_FLOOR]);
      expect(check.code, check.stdout).toBe(4);
      const plan = parseJson<RunReport>(await runCli(c, ["-o", "json", "plan", ...RULE, ...NO_FLOOR]));
      expect(plan.dryRun).toBe(true);
      expect(plan.steps.map((s) => s.action)).toEqual(["defrag", "defrag", "defrag"]);
      expect(plan.steps.at(-1)).toMatchObject({ node: leader, role: "leader" });
      const mutating = (await c.callLog())
        .slice(logStart)
        .filter((e) => ["defrag", "snapshot", "forfeit-leadership", "alarm disarm"].includes(e.command));
      expect(mutating).toEqual([]);
    });

    it("defragments followers first, moves leadership, shrinks every member and keeps every key", async () => {
      const c = cluster();
      // Its own fragmentation, so the test stands alone (-t); after the test above it only adds a little churn.
      await fragment(c);
      const oldLeader = await c.leaderNode();
      const before = await checksumKeys(c.endpoints(c.nodes[0] ?? ""));
      const sizesBefore = new Map(
        await Promise.all(c.nodes.map(async (n) => [n, (await readSizes(c.endpoints(n))).dbSize] as const)),
      );
      const dir = snapshotDir();
      const logStart = (await c.callLog()).length;

      // A small test database defragments in ms, so auto would keep the leader in place: 0 forces the move.
      const args = [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--snapshot-dir",
        dir,
        ...RULE,
        ...NO_FLOOR,
        "--leader-move-above",
        "0",
      ];
      const result = await runCli(c, args);
      expect(result.code, result.stderr).toBe(0);
      const report = parseJson<RunReport>(result);
      expect(report.result).toBe("ok");
      expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
      expect(report.steps.every((s) => s.verified)).toBe(true);

      const log = (await c.callLog()).slice(logStart);
      const defrags = callsOf(log, "defrag");
      const forfeits = callsOf(log, "forfeit-leadership");
      const snapshots = callsOf(log, "snapshot");
      expect(defrags.map((d) => d.node)).toHaveLength(3);
      expect(new Set(defrags.map((d) => d.node))).toEqual(new Set(c.nodes));
      expect(defrags.at(-1)?.node).toBe(oldLeader);
      expect(forfeits.map((f) => f.node)).toEqual([oldLeader]);
      const forfeit = forfeits[0];
      const leaderDefrag = defrags.at(-1);
      expect(forfeit && leaderDefrag && forfeit.end <= leaderDefrag.start).toBe(true);
      for (const d of defrags.slice(0, -1)) expect(d.end).toBeLessThanOrEqual(forfeit?.start ?? 0);
      expect(snapshots).toHaveLength(1);
      expect(snapshots[0]?.end).toBeLessThanOrEqual(defrags[0]?.start ?? 0);
      // One status call per poll: never more status calls than a handful per member.
      expect(callsOf(log, "status").length).toBeLessThan(40);

      expect(await c.leaderNode()).not.toBe(oldLeader);
      for (const node of c.nodes) {
        const after = (await readSizes(c.endpoints(node))).dbSize;
        expect(after, node).toBeLessThan((sizesBefore.get(node) ?? 0) * 0.7);
      }
      expect(await checksumKeys(c.endpoints(c.nodes[1] ?? ""))).toBe(before);

      const snap = report.snapshot;
      expect(snap?.sha256Verified).toBe(true);
      const check = await verifySnapshotFile(snap?.path ?? "");
      expect(check.sha256Verified).toBe(true);
      expect(check.bytes % 512).toBe(32);
      expect(statSync(snap?.path ?? "").mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    });
  },
);
