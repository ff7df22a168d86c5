/**
 * A learner over real etcd: a fourth etcd joined with `member add --learner`, behind the simulated talosctl that
 * refuses what Talos refuses. Each test arranges what it needs (fragmentation, where leadership is, the context's
 * nodes) and reads the simulator's call log for what was asked of the learner.
 */
import { execa } from "execa";
import { expect, it } from "vitest";
import type { CallLogEntry, SimCluster } from "../../sim/cluster.js";
import { fragmentCluster } from "../../sim/data.js";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import {
  CLI,
  type CliResult,
  checkedResult,
  describeWithEtcd,
  parseJson,
  runCli,
  snapshotDir,
} from "./e2e-harness.js";

const RULE = ["--rule", "dbSizeInUse / dbSize < 0.6"];
// Their files free a few MB, below the reclaim floor (--min-reclaim, 32 MiB) that would skip them all.
const NO_FLOOR = ["--min-reclaim", "0"];
const MUTATING = ["defrag", "snapshot", "forfeit-leadership", "alarm disarm"];

/** The node's own services (not etcd) answer these, learner or not. */
const NODE_CALLS = ["status", "etcdspec", "processes", "mounts"];

/** etcd calls made on the learner node other than `etcd status` (the only etcd call a learner serves). */
function refusedCallsOn(log: readonly CallLogEntry[], learner: string): string[] {
  return log
    .filter((e) => e.nodes.includes(learner) && !NODE_CALLS.includes(e.command))
    .map((e) => `${e.command} ${e.nodes.join(",")}`);
}

/** The CLI without -n, as an operator runs it from a talosconfig context. */
async function runWithoutNodes(cluster: SimCluster, args: readonly string[]): Promise<CliResult> {
  const result = await execa(process.execPath, [CLI, "--talosctl", cluster.talosctlPath, ...args], {
    env: { ...cluster.env, NO_COLOR: "1" },
    reject: false,
    timeout: 120_000,
    stdin: "ignore",
  });
  return checkedResult(args, {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  });
}

describeWithEtcd(
  "e2e: a cluster with a learner",
  { release: "v1.13", learner: true, ips: ["127.0.0.101", "127.0.0.102", "127.0.0.103", "127.0.0.104"] },
  (cluster) => {
    it("status shows the learner once, check is not a no-go, and defrag does the voters (leader last) and leaves the learner alone", async () => {
      const c = cluster();
      const learner = c.learnerNode ?? "";
      await c.arrangeForfeitTarget(false);
      await fragmentCluster(c.endpoints((await c.leaderNode()) ?? ""), {
        targetBytes: 12_000_000,
        reclaimableRatio: 0.6,
      });
      const before = (await c.callLog()).length;

      const status = await runCli(c, ["-o", "json", "status", ...RULE]);
      expect(status.code, status.stderr).toBe(0);
      const view = parseJson<ClusterView>(status);
      expect(view.members.filter((m) => m.node === learner)).toMatchObject([{ isLearner: true }]);
      expect(view.unreachable).toEqual([]);
      expect(view.problems.map((p) => p.kind)).toEqual(["learner"]);

      const check = await runCli(c, ["-o", "json", "check", ...RULE, ...NO_FLOOR]);
      expect(check.code, check.stdout).toBe(4);
      const items = parseJson<Checklist>(check).items;
      expect(items.find((i) => i.name === "voting members only")?.status).toBe("warn");
      expect(items.filter((i) => i.status === "fail")).toEqual([]);

      const run = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--snapshot-dir",
        snapshotDir(),
        ...RULE,
        ...NO_FLOOR,
        // A small test database: auto would keep the leader in place; 0 makes this run move leadership.
        "--leader-move-above",
        "0",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = parseJson<RunReport>(run);
      expect(report.snapshot?.node).not.toBe(learner);
      expect(report.steps.find((s) => s.node === learner)).toMatchObject({ role: "learner", action: "skip" });
      const done = report.steps.filter((s) => s.outcome === "done");
      expect(done.map((s) => s.role)).toEqual(["follower", "follower", "leader"]);
      expect(done.at(-1)?.leaderMovedTo).not.toBeNull();
      expect(refusedCallsOn((await c.callLog()).slice(before), learner)).toEqual([]);
    });

    it("--leader auto defragments the leader in place, last, when Talos would hand leadership to the learner", async () => {
      const c = cluster();
      const leader = await c.arrangeForfeitTarget(true);
      const before = (await c.callLog()).length;
      // 0: auto wants the move whatever the rate, so only the learner transferee keeps the leader in place.
      const args = ["-o", "json", "defrag", "--yes", "--no-snapshot", "--force", "--leader-move-above", "0"];
      const run = await runCli(c, args);
      expect(run.code, run.stderr).toBe(0);
      const report = parseJson<RunReport>(run);
      const last = report.steps.filter((s) => s.action === "defrag").at(-1);
      expect(last).toMatchObject({ node: leader, role: "leader", outcome: "done", leaderMovedTo: null });
      expect(report.warnings.join("\n")).toContain(`leadership cannot move away from ${leader}`);
      expect(report.warnings.join("\n")).toContain(c.learnerNode ?? "?");
      const log = (await c.callLog()).slice(before);
      expect(log.filter((e) => e.command === "forfeit-leadership")).toEqual([]);
      expect(refusedCallsOn(log, c.learnerNode ?? "")).toEqual([]);
      expect(await c.leaderNode()).toBe(leader);
    });

    it("--leader forfeit refuses before touching anything (exit 3) when the forfeit target is the learner", async () => {
      const c = cluster();
      await c.arrangeForfeitTarget(true);
      const before = (await c.callLog()).length;
      const plan = await runCli(c, ["plan", "--force", "--leader", "forfeit"]);
      expect(plan.code).toBe(3);
      const run = await runCli(c, ["-o", "json", "defrag", "--yes", "--force", "--leader", "forfeit"]);
      expect(run.code, run.stderr).toBe(3);
      expect(parseJson<RunReport>(run).refusedReasons.join("\n")).toMatch(/learner/);
      const log = (await c.callLog()).slice(before);
      expect(log.filter((e) => MUTATING.includes(e.command))).toEqual([]);
    });

    it("discovers the cluster from the context's endpoints when the context's node is the learner", async () => {
      const c = cluster();
      const learner = c.learnerNode ?? "";
      await c.setDefaultNodes([learner]);
      try {
        const found = await runWithoutNodes(c, ["-e", c.voterNodes[0] ?? "", "-o", "json", "status"]);
        expect(found.code, found.stderr).toBe(0);
        expect(
          parseJson<ClusterView>(found)
            .members.map((m) => m.node)
            .sort(),
        ).toEqual([...c.nodes].sort());

        const lost = await runWithoutNodes(c, ["status"]);
        expect(lost.code).toBe(2);
        expect(lost.stderr).toContain(`${learner} is an etcd learner`);
        expect(lost.stderr).toMatch(/pass the voting control plane nodes with -n/);
      } finally {
        await c.setDefaultNodes([c.voterNodes[0] ?? ""]);
      }
    });
  },
);
