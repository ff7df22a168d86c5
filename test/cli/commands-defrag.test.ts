/** `defrag` and `plan` through main(): the JSON contract, the order of talosctl calls, confirmation, leader modes. */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatMs } from "../../src/plan/leader-decision.js";
import { DEFAULT_LEADER_MOVE_ABOVE_MS } from "../../src/policy.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import {
  commandOf,
  createStatefulCluster,
  fragmentedMembers,
  isMutating,
  NODES,
  nodesOf,
  runCli,
} from "./stateful-exec.js";

const tempDir = useTempDir("ted-defrag-");

const WAIT = ["--wait-timeout", "2s"];
const defragArgs = (...extra: string[]) => ["-n", NODES, "-o", "json", "defrag", ...WAIT, ...extra];
const indexOf = (calls: string[][], command: string, node?: string) =>
  calls.findIndex((c) => commandOf(c).startsWith(command) && (node === undefined || nodesOf(c)[0] === node));
const defragNodes = (calls: string[][]) =>
  calls.filter((c) => commandOf(c) === "etcd defrag").flatMap((c) => nodesOf(c));

describe("defrag --yes -o json on a fragmented cluster", () => {
  it("snapshots, defragments followers then the leader after moving leadership, and reports per docs/CONTRACT.md", async () => {
    const cluster = createStatefulCluster();
    const snapDir = join(tempDir(), "snaps");
    // This cluster answers at once, so the followers' rate says the leader's defrag is short: 0 forces the move.
    const run = await runCli(
      cluster,
      defragArgs("--yes", "--snapshot-dir", snapDir, "--leader-move-above", "0"),
    );
    expect(run.code, run.stderr).toBe(0);

    const report = JSON.parse(run.stdout) as RunReport;
    expect(report).toMatchObject({ result: "ok", dryRun: false, alarmsDisarmed: [] });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(report.snapshot).toMatchObject({ sha256Verified: true, node: "172.20.0.2" });
    expect(report.snapshot?.revision).toBeGreaterThanOrEqual(53391);
    expect(report.steps.map((s) => [s.node, s.role, s.action])).toEqual([
      ["172.20.0.4", "follower", "defrag"],
      ["172.20.0.2", "follower", "defrag"],
      ["172.20.0.3", "leader", "defrag"],
    ]);
    for (const step of report.steps) {
      for (const key of ["memberId", "reason", "leaderMovedTo", "before", "after", "durationMs", "verified"])
        expect(step).toHaveProperty(key);
      expect(step.verified).toBe(true);
      expect(step.after?.dbSize).toBe(step.before.dbSizeInUse);
    }
    // etcd's RSS (40 MB + the db in this fake) read before the first member and after the last, as talosctl prints it.
    expect(report.steps[0]?.before).toEqual({
      dbSize: 1_500_000_000,
      dbSizeInUse: 47_000_000,
      rssBytes: 1_500_000_000,
    });
    expect(report.steps[0]?.after?.rssBytes).toBe(87_000_000);
    // The progress line has no memory: "after" is read for every member at once when the run ends.
    expect(run.stderr).toMatch(/\[1\/3\] 172\.20\.0\.4 follower: defrag 1\.5 GB -> 47 MB in /);
    // Talos hands leadership to the other member with the lowest ID: 0b47fb33e59bf0e2 on 172.20.0.4.
    expect(report.steps.map((s) => s.leaderMovedTo)).toEqual([null, null, "172.20.0.4"]);
    expect(cluster.leaderId).toBe("0b47fb33e59bf0e2");
    expect(report.steps.map((s) => s.leaderDecision?.move ?? null)).toEqual([null, null, true]);
    expect(report.steps[2]?.leaderDecision).toMatchObject({
      mode: "auto",
      thresholdMs: 0,
      basis: "measured",
      followersMeasured: 2,
    });

    const calls = cluster.calls;
    const snap = indexOf(calls, "etcd snapshot");
    const forfeit = indexOf(calls, "etcd forfeit-leadership");
    expect(snap).toBeGreaterThanOrEqual(0);
    expect(snap).toBeLessThan(indexOf(calls, "etcd defrag"));
    expect(indexOf(calls, "etcd defrag", "172.20.0.4")).toBeLessThan(forfeit);
    expect(indexOf(calls, "etcd defrag", "172.20.0.2")).toBeLessThan(forfeit);
    expect(forfeit).toBeLessThan(indexOf(calls, "etcd defrag", "172.20.0.3"));
    expect(nodesOf(calls[forfeit] ?? [])).toEqual(["172.20.0.3"]);
    for (const call of calls.filter((c) => commandOf(c) === "etcd defrag")) {
      expect(call.filter((a) => a === "-n")).toHaveLength(1);
      expect(nodesOf(call)).toHaveLength(1);
    }
    expect(defragNodes(calls)).toEqual(["172.20.0.4", "172.20.0.2", "172.20.0.3"]);

    const path = report.snapshot?.path ?? "";
    expect(path.startsWith(`${snapDir}/`)).toBe(true);
    expect((await stat(snapDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(path);
    expect(bytes.length).toBe(report.snapshot?.bytes);
    expect(createHash("sha256").update(bytes.subarray(0, -32)).digest()).toEqual(bytes.subarray(-32));
    expect(run.stderr).toMatch(/\[3\/3\] 172\.20\.0\.3 leader: leadership moved to 172\.20\.0\.4/);
  });
});

describe("confirmation", () => {
  it("refuses without --yes and without a terminal (exit 2) before any talosctl call", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragArgs("--snapshot-dir", join(tempDir(), "s")));
    expect(run.code).toBe(2);
    expect(cluster.calls).toEqual([]);
    expect(run.stderr).toMatch(/--yes/);
  });

  it("asks once on a terminal; no means exit 3 and nothing mutating", async () => {
    const cluster = createStatefulCluster();
    const questions: string[] = [];
    const confirm = async (q: string) => {
      questions.push(q);
      return false;
    };
    const run = await runCli(cluster, defragArgs("--snapshot-dir", join(tempDir(), "s")), {
      stdinIsTTY: true,
      confirm,
    });
    expect(run.code).toBe(3);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatch(/3 member/);
    expect(cluster.calls.length).toBeGreaterThan(0);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
    expect((JSON.parse(run.stdout) as RunReport).result).toBe("refused");
  });

  it("asks once on a terminal; yes proceeds", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragArgs("--snapshot-dir", join(tempDir(), "s")), {
      stdinIsTTY: true,
      confirm: async () => true,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(defragNodes(cluster.calls)).toHaveLength(3);
  });
});

describe("plan and --dry-run", () => {
  const dryRuns: Record<string, string[]> = {
    plan: ["-n", NODES, "-o", "json", "plan"],
    "defrag --dry-run": defragArgs("--dry-run"),
  };
  it.each(Object.entries(dryRuns))(
    "%s prints the report with dryRun true and touches nothing",
    async (_, args) => {
      const real = await runCli(createStatefulCluster(), defragArgs("--yes", "--no-snapshot"));
      const cluster = createStatefulCluster();
      const run = await runCli(cluster, args);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as RunReport;
      expect(Object.keys(report).sort()).toEqual(Object.keys(JSON.parse(real.stdout)).sort());
      expect(report).toMatchObject({ result: "ok", dryRun: true, snapshot: null, alarmsDisarmed: [] });
      expect(report.steps.map((s) => `${s.node}:${s.action}`)).toEqual([
        "172.20.0.4:defrag",
        "172.20.0.2:defrag",
        "172.20.0.3:defrag",
      ]);
      expect(report.steps.every((s) => s.after === null && !s.verified)).toBe(true);
      expect(cluster.calls.length).toBeGreaterThan(0);
      expect(cluster.calls.filter(isMutating)).toEqual([]);
      expect(cluster.members.map((m) => m.dbSize)).toEqual([310e6, 420e6, 1500e6]);
    },
  );
});

describe("--leader", () => {
  it("forfeit with forfeit denied: exit 1 and the leader is never defragmented", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.denyForfeit = true;
    const run = await runCli(cluster, defragArgs("--yes", "--no-snapshot", "--leader", "forfeit"));
    expect(run.code).toBe(1);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4", "172.20.0.2"]);
    expect(indexOf(cluster.calls, "etcd forfeit-leadership", "172.20.0.3")).toBeGreaterThan(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("failed");
    expect(report.steps.find((s) => s.node === "172.20.0.3")?.error).toMatch(/os:admin/);
    expect(cluster.members[1]?.dbSize).toBe(420e6);
  });

  it("auto with forfeit denied: defragments the leader in place with a warning, exit 0", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.denyForfeit = true;
    const run = await runCli(cluster, defragArgs("--yes", "--no-snapshot", "--leader-move-above", "0"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: .*denied.*os:admin/);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4", "172.20.0.2", "172.20.0.3"]);
    expect((JSON.parse(run.stdout) as RunReport).steps[2]?.leaderMovedTo).toBeNull();
    expect(cluster.leaderId).toBe("ecebb05b59a776f1");
  });

  it("auto, default threshold: followers that defragment at once keep the leader in place, and it says why", async () => {
    // This cluster answers every call at once: the followers' measured rate predicts a stall of a few ms at most.
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragArgs("--yes", "--no-snapshot"));
    expect(run.code, run.stderr).toBe(0);
    expect(indexOf(cluster.calls, "etcd forfeit-leadership")).toBe(-1);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4", "172.20.0.2", "172.20.0.3"]);
    const leader = (JSON.parse(run.stdout) as RunReport).steps[2];
    expect(leader?.leaderMovedTo).toBeNull();
    expect(leader?.leaderDecision).toMatchObject({
      mode: "auto",
      move: false,
      thresholdMs: DEFAULT_LEADER_MOVE_ABOVE_MS,
      basis: "measured",
      followersMeasured: 2,
    });
    expect(leader?.leaderDecision?.predictedStallMs).toBeLessThanOrEqual(DEFAULT_LEADER_MOVE_ABOVE_MS);
    // The progress line names the comparison and the outcome
    expect(run.stderr).toMatch(
      new RegExp(
        `\\[3/3\\] 172\\.20\\.0\\.3 leader: predicted stall (near )?\\d+ ms <= ${formatMs(DEFAULT_LEADER_MOVE_ABOVE_MS)}`,
      ),
    );
    expect(run.stderr).toMatch(/in place, last/);
  });

  // The contract: forfeit means "moving is required; refuse or fail when it cannot". A single voter has nowhere to
  // move leadership to, so the run is refused before anything is touched (issue 18 item 7).
  it("forfeit on a single-member cluster: refused (exit 3) before the snapshot, nothing mutating", async () => {
    const cluster = createStatefulCluster(fragmentedMembers().slice(1, 2), "172.20.0.3");
    const run = await runCli(cluster, [
      "-n",
      "172.20.0.3",
      "-o",
      "json",
      "defrag",
      "--yes",
      "--snapshot-dir",
      join(tempDir(), "single"),
      "--leader",
      "forfeit",
    ]);
    expect(run.code, run.stderr).toBe(3);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join("\n")).toMatch(
      /only voting member.*--leader forfeit never defragments a leader in place/,
    );
    const plan = await runCli(createStatefulCluster(fragmentedMembers().slice(1, 2), "172.20.0.3"), [
      "-n",
      "172.20.0.3",
      "plan",
      "--leader",
      "forfeit",
    ]);
    expect(plan.code).toBe(3);
    expect(`${plan.stdout}${plan.stderr}`).not.toMatch(/in place: it is the only voting member/);
  });

  it("last: never moves leadership, the leader goes last", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragArgs("--yes", "--no-snapshot", "--leader", "last"));
    expect(run.code, run.stderr).toBe(0);
    expect(indexOf(cluster.calls, "etcd forfeit-leadership")).toBe(-1);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4", "172.20.0.2", "172.20.0.3"]);
  });
});

describe("the rule", () => {
  it("skips members below it with a reason; a skipped leader is never asked to forfeit", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragArgs("--yes", "--no-snapshot", "--rule", "dbSize > 1*GB"));
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.steps.map((s) => [s.node, s.action, s.outcome])).toEqual([
      ["172.20.0.4", "defrag", "done"],
      ["172.20.0.2", "skip", "skipped"],
      ["172.20.0.3", "skip", "skipped"],
    ]);
    expect(report.steps[1]?.reason).toMatch(/below the rule/);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4"]);
    expect(indexOf(cluster.calls, "etcd forfeit-leadership")).toBe(-1);
  });

  it("a lean cluster is nothing-to-do (exit 0): no snapshot, no defrag; --force defragments all", async () => {
    const lean = createStatefulCluster();
    for (const m of lean.members) m.dbSize = m.dbSizeInUse + 5_000_000;
    const run = await runCli(lean, defragArgs("--yes", "--snapshot-dir", join(tempDir(), "s")));
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as RunReport).result).toBe("nothing-to-do");
    expect(lean.calls.filter(isMutating)).toEqual([]);
    const forced = await runCli(lean, defragArgs("--yes", "--no-snapshot", "--force"));
    expect(forced.code, forced.stderr).toBe(0);
    // Equal reclaimable space: the followers in either order, the leader last.
    const order = defragNodes(lean.calls);
    expect(order.slice(0, 2).sort()).toEqual(["172.20.0.2", "172.20.0.4"]);
    expect(order[2]).toBe("172.20.0.3");
  });
});
