/**
 * Under load and at the quota, over real etcd: a defrag while every member serves a writer and a lease client
 * (as each Talos kube-apiserver talks only to its local etcd) loses no acknowledged write; a cluster in NOSPACE
 * gets its space back and the alarm lifted, and takes writes again.
 */
import { expect, it } from "vitest";
import {
  compactAll,
  deletePrefix,
  fillUntilNospace,
  fragmentCluster,
  startLoad,
  verifyAcknowledged,
} from "../../sim/data.js";
import { callGateway } from "../../sim/gateway.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { callsOf, describeWithEtcd, parseJson, runCli, snapshotDir } from "./e2e-harness.js";

const QUOTA = 24 * 1024 * 1024;

describeWithEtcd(
  "e2e: defrag under load and NOSPACE over real etcd",
  { release: "v1.13", quotaBytes: QUOTA, ips: ["127.0.0.41", "127.0.0.42", "127.0.0.43"] },
  (cluster) => {
    it("defragments under continuous load on every member without losing an acknowledged write", async () => {
      const c = cluster();
      await fragmentCluster(c.endpoints(c.nodes[0] ?? ""), {
        targetBytes: 12_000_000,
        reclaimableRatio: 0.6,
      });
      const load = startLoad(
        c.nodes.map((n) => c.endpoints(n)),
        { intervalMs: 10, durationMs: 60_000 },
      );
      const result = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--force",
        "--snapshot-dir",
        snapshotDir(),
      ]);
      const loadReport = await load.stop();
      expect(result.code, result.stderr).toBe(0);
      const report = parseJson<RunReport>(result);
      expect(report.steps.every((s) => s.outcome === "done" && s.verified)).toBe(true);
      expect(loadReport.acknowledged.length).toBeGreaterThan(50);
      const check = await verifyAcknowledged(c.endpoints(c.nodes[2] ?? ""), loadReport);
      expect(check.checked).toBe(loadReport.acknowledged.length);
      expect(check.missing).toEqual([]);
      expect(check.mismatched).toEqual([]);
    });

    it("lifts NOSPACE once the space is back, and the cluster takes writes again", async () => {
      const c = cluster();
      const endpoint = c.endpoints(c.nodes[0] ?? "");
      const filled = await fillUntilNospace(endpoint, { valueBytes: 200_000, maxBytes: 4 * QUOTA });
      expect(filled.nospace).toBe(true);
      await deletePrefix(endpoint, "/registry/fill/");
      await compactAll(endpoint);

      const before = parseJson<ClusterView>(await runCli(c, ["-o", "json", "status"]));
      expect(before.alarms.map((a) => a.alarm)).toContain("NOSPACE");
      expect(before.quota).toEqual({ bytes: QUOTA, source: "cluster" });

      const from = (await c.callLog()).length;
      const result = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--force",
        "--snapshot-dir",
        snapshotDir(),
      ]);
      expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
      const report = parseJson<RunReport>(result);
      expect(report.alarmsDisarmed.map((a) => a.alarm)).toContain("NOSPACE");
      const log = (await c.callLog()).slice(from);
      const disarm = callsOf(log, "alarm disarm");
      expect(disarm).toHaveLength(1);
      expect(disarm[0]?.start).toBeGreaterThanOrEqual(
        callsOf(log, "defrag").at(-1)?.end ?? Number.POSITIVE_INFINITY,
      );

      const after = parseJson<ClusterView>(await runCli(c, ["-o", "json", "status"]));
      expect(after.alarms).toEqual([]);
      await callGateway(endpoint, "kv/put", {
        key: Buffer.from("/registry/after-nospace").toString("base64"),
        value: Buffer.from("ok").toString("base64"),
      });
    });
  },
);
