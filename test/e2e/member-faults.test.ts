/**
 * Failures over real etcd: a member down before the run (refused, nothing touched), a member lost after the
 * first defrag (stop, later members untouched), and forfeit-leadership denied (os:operator without os:admin).
 */
import { execa } from "execa";
import { expect, it } from "vitest";
import type { SimCluster } from "../../sim/cluster.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { CLI, callsOf, checkedJson, describeWithEtcd, parseJson, runCli } from "./e2e-harness.js";

// --timeout: a stopped member's etcd calls wait for it until talosctl is stopped, as Talos's clientv3 waits.
const FAST = ["--force", "--no-snapshot", "--yes", "--wait-timeout", "10s", "--timeout", "5s"];

async function waitHealthy(c: SimCluster): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const result = await runCli(c, ["-o", "json", "status"]);
    if (result.code === 0 && parseJson<ClusterView>(result).healthy) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("cluster did not become healthy again within 60 s");
}

async function mutatingCallsSince(c: SimCluster, from: number) {
  return (await c.callLog())
    .slice(from)
    .filter((e) => ["defrag", "snapshot", "forfeit-leadership", "alarm disarm"].includes(e.command));
}

describeWithEtcd(
  "e2e: failures over real etcd",
  { release: "v1.14", ips: ["127.0.0.31", "127.0.0.32", "127.0.0.33"] },
  (cluster) => {
    it("refuses (exit 3) when a member is down before the run, and touches nothing", async () => {
      const c = cluster();
      const leader = await c.leaderNode();
      const down = c.nodes.find((n) => n !== leader) ?? "";
      await c.stopMember(down);
      try {
        const from = (await c.callLog()).length;
        const result = await runCli(c, ["-o", "json", "defrag", ...FAST]);
        expect(result.code, result.stderr).toBe(3);
        const report = parseJson<RunReport>(result);
        expect(report.result).toBe("refused");
        expect(report.refusedReasons.join(" ")).toContain(down);
        expect(await mutatingCallsSince(c, from)).toEqual([]);
      } finally {
        await c.startMember(down);
        await waitHealthy(c);
      }
    });

    it("stops with exit 1 when a member is lost after the first defrag; later members are never touched", async () => {
      const c = cluster();
      const leader = (await c.leaderNode()) ?? "";
      // The leader's status answers 3 s late: the first member's verification waits for it, so the leader is
      // surely gone before the run could go on to a second member (a fast talosctl would otherwise race the test).
      await c.setFaults({ [leader]: { commands: { status: { delayMs: 3000 } } } });
      const from = (await c.callLog()).length;
      const run = execa(
        process.execPath,
        [CLI, "--talosctl", c.talosctlPath, "-n", c.nodes.join(","), "-o", "json", "defrag", ...FAST],
        {
          env: { ...c.env, NO_COLOR: "1" },
          reject: false,
          timeout: 120_000,
          stdin: "ignore",
        },
      );
      // Wait for the first defrag to return, then take the leader (always the last step) away.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && callsOf((await c.callLog()).slice(from), "defrag").length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.stopMember(leader);
      try {
        const result = await run;
        expect(result.exitCode, String(result.stderr)).toBe(1);
        const report = checkedJson<RunReport>(["-o", "json", "defrag"], result.stdout);
        expect(report.result).toBe("failed");
        const defrags = callsOf((await c.callLog()).slice(from), "defrag");
        expect(defrags).toHaveLength(1);
        expect(report.steps.filter((s) => s.outcome === "not-touched").map((s) => s.node)).toContain(leader);
        expect(report.steps.some((s) => s.node === defrags[0]?.node && s.outcome !== "not-touched")).toBe(
          true,
        );
      } finally {
        await c.setFaults({});
        await c.startMember(leader);
        await waitHealthy(c);
      }
    });

    it("--leader auto defragments the leader in place, last, with a warning when forfeit is denied", async () => {
      const c = cluster();
      const leader = (await c.leaderNode()) ?? "";
      await c.setFaults({ [leader]: { commands: { "forfeit-leadership": { permissionDenied: true } } } });
      try {
        const from = (await c.callLog()).length;
        // 0: auto wants the move whatever the rate (a small test database), so the denial is met.
        const args = ["-o", "json", "defrag", ...FAST, "--leader", "auto", "--leader-move-above", "0"];
        const result = await runCli(c, args);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/warning:.*(os:admin|permission|PermissionDenied|not authorized)/i);
        const log = (await c.callLog()).slice(from);
        expect(callsOf(log, "forfeit-leadership").map((f) => f.node)).toEqual([leader]);
        expect(callsOf(log, "defrag").at(-1)?.node).toBe(leader);
        expect(await c.leaderNode()).toBe(leader);
      } finally {
        await c.setFaults({});
      }
    });

    it("--leader forfeit fails (exit 1) when forfeit is denied, and never defragments the leader", async () => {
      const c = cluster();
      const leader = (await c.leaderNode()) ?? "";
      await c.setFaults({ [leader]: { commands: { "forfeit-leadership": { permissionDenied: true } } } });
      try {
        const from = (await c.callLog()).length;
        const result = await runCli(c, ["-o", "json", "defrag", ...FAST, "--leader", "forfeit"]);
        expect(result.code, result.stderr).toBe(1);
        const defrags = callsOf((await c.callLog()).slice(from), "defrag").map((d) => d.node);
        expect(defrags).toHaveLength(2);
        expect(defrags).not.toContain(leader);
      } finally {
        await c.setFaults({});
      }
    });
  },
);
