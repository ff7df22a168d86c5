/**
 * What a full run costs in talosctl calls, read from the simulator's call log over real etcd. Each real call is a
 * TLS handshake to apid and a proxy hop: a 3-member run with discovery, a snapshot and a leadership move makes at
 * most 13 etcd calls (it made 19 before views were reused: see src/run/recent-view.ts), plus three node reads
 * that measure etcd's memory and check the free disk: 16 in all, whatever the number of members.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { type Barrier, barrierArrivals } from "../../sim/barrier.js";
import { fragmentCluster } from "../../sim/data.js";
import type { RunReport } from "../../src/run/types.js";
import { CLI, checkedJson, describeWithEtcd, snapshotDir } from "./e2e-harness.js";

const RULE = ["--rule", "dbSizeInUse / dbSize < 0.6"];
// Their files free a few MB, below the reclaim floor (--min-reclaim, 32 MiB) that would skip them all.
const NO_FLOOR = ["--min-reclaim", "0"];

describeWithEtcd(
  "e2e: talosctl calls per run",
  { release: "v1.13", ips: ["127.0.0.91", "127.0.0.92", "127.0.0.93"] },
  (cluster) => {
    it("a 3-member run without -n, with snapshot and leadership move, makes at most 13 talosctl calls", async () => {
      const c = cluster();
      const leader = await c.leaderNode();
      await fragmentCluster(c.endpoints(leader ?? c.nodes[0] ?? ""), {
        targetBytes: 12_000_000,
        reclaimableRatio: 0.6,
      });
      const before = (await c.callLog()).length;
      // No -n: the members are discovered from the context's node, as most operators run it.
      const run = await execa(
        process.execPath,
        // --leader-move-above 0: the run this counts includes the move, whatever the measured rate says.
        [
          CLI,
          "--talosctl",
          c.talosctlPath,
          "-o",
          "json",
          "defrag",
          "--yes",
          ...RULE,
          ...NO_FLOOR,
          "--leader-move-above",
          "0",
        ],
        {
          env: { ...c.env, NO_COLOR: "1" },
          reject: false,
          timeout: 120_000,
          stdin: "ignore",
          cwd: snapshotDir(),
        },
      );
      expect(run.exitCode, String(run.stderr)).toBe(0);
      const report = checkedJson<RunReport>(["-o", "json", "defrag"], run.stdout);
      expect(report.snapshot?.sha256Verified).toBe(true);
      expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
      expect(report.steps.at(-1)?.leaderMovedTo).not.toBeNull();

      const calls = (await c.callLog()).slice(before).map((e) => `${e.command} ${e.nodes.join(",")}`);
      const count = (command: string) => calls.filter((c) => c.startsWith(`${command} `)).length;
      expect(count("members"), calls.join("\n")).toBe(1);
      expect(count("alarm list"), calls.join("\n")).toBe(0);
      expect(count("defrag")).toBe(3);
      expect(count("snapshot")).toBe(1);
      expect(count("forfeit-leadership")).toBe(1);
      // etcd's memory and free disk (issue 13) are node reads beside the etcd calls: one processes call before
      // the first defrag and one when the run ends, one mounts call for the run.
      expect(count("processes"), calls.join("\n")).toBe(2);
      expect(count("mounts"), calls.join("\n")).toBe(1);
      const etcdCalls = calls.filter((c) => !/^(processes|mounts) /.test(c));
      expect(etcdCalls.length, calls.join("\n")).toBeLessThanOrEqual(13);
      expect(calls.length, calls.join("\n")).toBeLessThanOrEqual(16);
    });

    it("with -n and no snapshot: the node reads beside the first status, the first look serving its re-plan", async () => {
      const c = cluster();
      const leader = await c.leaderNode();
      await fragmentCluster(c.endpoints(leader ?? c.nodes[0] ?? ""), {
        targetBytes: 12_000_000,
        reclaimableRatio: 0.6,
      });
      // The first round's calls answer only once all four are in flight (sim/barrier.ts; under TALOSCTL_REAL the
      // Talos API double's, talos-double/internal/simconfig/barrier.go): a tool that sent them one after another
      // would wait at the first until its own --timeout and fail, however fast the machine.
      const barrier: Barrier = {
        commands: ["status", "etcdspec", "processes", "mounts"],
        dir: mkdtempSync(join(tmpdir(), "ted-calls-barrier-")),
      };
      await c.setBarrier(barrier);
      const started = Date.now();
      const run = await execa(
        process.execPath,
        [
          CLI,
          "--talosctl",
          c.talosctlPath,
          "-n",
          c.nodes.join(","),
          "-o",
          "json",
          "defrag",
          "--yes",
          "--no-snapshot",
          ...RULE,
          ...NO_FLOOR,
          "--leader",
          "forfeit",
        ],
        { env: { ...c.env, NO_COLOR: "1" }, reject: false, timeout: 120_000, stdin: "ignore" },
      ).finally(() => c.setBarrier(null));
      expect(run.exitCode, String(run.stderr)).toBe(0);
      const report = checkedJson<RunReport>(["-o", "json", "defrag"], run.stdout);
      expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
      // The run got past the barrier: the four calls of the first round were in flight together.
      expect(barrierArrivals(barrier)).toEqual(barrier.commands);

      const log = (await c.callLog()).filter((e) => e.start >= started);
      const firstDefrag = log.find((e) => e.command === "defrag");
      const before = log.filter(
        (e) => firstDefrag !== undefined && e.end <= (firstDefrag.spawnedAt ?? firstDefrag.start),
      );
      const listing = log.map((e) => `${e.command} ${e.nodes.join(",")}`).join("\n");
      // The first status, etcdspec and the node reads asked together, then the voters' member list; each once.
      expect(before.map((e) => e.command).sort(), listing).toEqual([
        "etcdspec",
        "members",
        "mounts",
        "processes",
        "status",
      ]);
      // Every other call once per run or member; status is the first look plus the polls (at least one per member
      // and one for the move), which depend on how soon each member catches up: 5 when all do at the first look.
      const counts: Record<string, number> = {};
      for (const e of log) counts[e.command] = (counts[e.command] ?? 0) + 1;
      const { status, ...others } = counts;
      expect(others, listing).toEqual({
        members: 1,
        etcdspec: 1,
        processes: 2,
        mounts: 1,
        defrag: 3,
        "forfeit-leadership": 1,
      });
      expect(status, listing).toBeGreaterThanOrEqual(5);
    });
  },
);
