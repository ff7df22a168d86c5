/**
 * `--leader auto` over real etcd decides from the run's own numbers: the followers it has just defragmented give
 * the rate, the leader's in-use bytes the predicted stall. A small database defragments in a few ms, so with the
 * default threshold the leader stays in place; a threshold of 0 moves leadership whatever the numbers. Each test
 * fragments the cluster itself, so either runs alone with `-t`.
 */

import { expect, it } from "vitest";
import type { SimCluster } from "../../sim/cluster.js";
import { fragmentCluster } from "../../sim/data.js";
import { formatMs } from "../../src/plan/leader-decision.js";
import { DEFAULT_LEADER_MOVE_ABOVE_MS } from "../../src/policy.js";
import type { RunReport } from "../../src/run/types.js";
import { callsOf, describeWithEtcd, parseJson, runCli } from "./e2e-harness.js";

// Small test clusters never reach the default rule's 100 MiB: judge by the share in use instead.
const RULE = ["--rule", "dbSizeInUse / dbSize < 0.6"];
// Their files free a few MB, below the reclaim floor (--min-reclaim, 32 MiB) that would skip them all.
const NO_FLOOR = ["--min-reclaim", "0"];
const RUN = ["-o", "json", "defrag", "--yes", "--no-snapshot", ...RULE, ...NO_FLOOR];

/** A few MB per member, 60 % of it free: a defrag that etcd finishes in milliseconds. */
async function fragmentSmall(c: SimCluster): Promise<void> {
  const leader = await c.leaderNode();
  await fragmentCluster(c.endpoints(leader ?? c.nodes[0] ?? ""), {
    targetBytes: 4_000_000,
    reclaimableRatio: 0.6,
  });
}

describeWithEtcd(
  "e2e: --leader auto decides from the run's own numbers",
  { release: "v1.13", ips: ["127.0.0.111", "127.0.0.112", "127.0.0.113"] },
  (cluster) => {
    it("a small database with the default threshold keeps the leader in place, measured on its followers", async () => {
      const c = cluster();
      await fragmentSmall(c);
      const leader = await c.leaderNode();
      const from = (await c.callLog()).length;

      // The plan decides from sizes alone, at the slow-disk estimate, and says the run decides again.
      const plan = await runCli(c, ["plan", ...RULE, ...NO_FLOOR]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toMatch(/estimated: no follower measured/);
      expect(plan.stdout).toMatch(/the run decides again/);

      const run = await runCli(c, RUN);
      expect(run.code, run.stderr).toBe(0);
      const report = parseJson<RunReport>(run);
      expect(report.steps.map((s) => [s.role, s.outcome])).toEqual([
        ["follower", "done"],
        ["follower", "done"],
        ["leader", "done"],
      ]);
      const last = report.steps.at(-1);
      expect(last?.node).toBe(leader);
      // The reason carries the numbers: a failure here says what the followers measured.
      expect(last?.leaderDecision, last?.leaderDecision?.reason).toMatchObject({
        mode: "auto",
        move: false,
        basis: "measured",
        followersMeasured: 2,
        thresholdMs: DEFAULT_LEADER_MOVE_ABOVE_MS,
      });
      expect(last?.leaderMovedTo).toBeNull();
      expect(run.stderr).toMatch(
        new RegExp(
          // "near 0 ms" when the followers' defrags were no longer than a status call: either way, measured on 2.
          `leader: predicted stall (near )?\\d+ ms <= ${formatMs(DEFAULT_LEADER_MOVE_ABOVE_MS)} .*measured on 2 followers`,
        ),
      );
      const log = (await c.callLog()).slice(from);
      expect(callsOf(log, "forfeit-leadership")).toEqual([]);
      expect(callsOf(log, "defrag").at(-1)?.node).toBe(leader);
      expect(await c.leaderNode()).toBe(leader);
    });

    it("--leader-move-above 0 moves leadership before the leader's defrag", async () => {
      const c = cluster();
      await fragmentSmall(c);
      const leader = await c.leaderNode();
      const from = (await c.callLog()).length;

      const run = await runCli(c, [...RUN, "--leader-move-above", "0"]);
      expect(run.code, run.stderr).toBe(0);
      const report = parseJson<RunReport>(run);
      const last = report.steps.at(-1);
      expect(last).toMatchObject({ node: leader, role: "leader", outcome: "done" });
      expect(last?.leaderDecision).toMatchObject({ mode: "auto", move: true, thresholdMs: 0 });
      expect(last?.leaderMovedTo).not.toBeNull();
      expect(last?.leaderMovedTo).not.toBe(leader);
      const log = (await c.callLog()).slice(from);
      const forfeits = callsOf(log, "forfeit-leadership");
      expect(forfeits.map((f) => f.node)).toEqual([leader]);
      const leaderDefrag = callsOf(log, "defrag").at(-1);
      expect(leaderDefrag?.node).toBe(leader);
      expect((forfeits[0]?.end ?? Infinity) <= (leaderDefrag?.start ?? 0)).toBe(true);
    });
  },
);
