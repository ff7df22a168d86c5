/**
 * A learner in the cluster (a control-plane node joining, or one Talos never promoted) through main(): it is
 * shown once, as a learner; it never blocks a run; nothing it refuses is ever asked of it; and a forfeit that
 * Talos would send to it is predicted before any call.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { Plan } from "../../src/plan/types.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import {
  commandOf,
  createStatefulCluster,
  defragJsonArgs,
  fragmentedMembers,
  isMutating,
  nodesOf,
  runCli,
  type SimMember,
} from "./stateful-exec.js";

const tempDir = useTempDir("ted-learner-");
const LEARNER = "172.20.0.5";
const VOTERS = "172.20.0.2,172.20.0.3,172.20.0.4";
const ALL = `${VOTERS},${LEARNER}`;

/** The leader ecebb05b… hands leadership to the other member with the lowest ID: 0b47fb33… unless the learner's is lower. */
function withLearner(target: "learner-is-target" | "voter-is-target", first = false): SimMember[] {
  const learner: SimMember = {
    node: LEARNER,
    memberId: target === "learner-is-target" ? "000000000000abcd" : "f00000000000abcd",
    hostname: "talos-cp-4",
    dbSize: 40_000_000,
    dbSizeInUse: 39_000_000,
    learner: true,
  };
  const voters = fragmentedMembers();
  return first ? [learner, ...voters] : [...voters, learner];
}

const callsTo = (calls: string[][], node: string) => calls.filter((c) => nodesOf(c).includes(node));
// processes and mounts go to the node's machined, not to etcd: a learner's node answers them like any other.
const NOT_ETCD = new Set(["etcd status", "processes", "mounts"]);
const refusedOfLearner = (calls: string[][]) =>
  callsTo(calls, LEARNER).filter((c) => !NOT_ETCD.has(commandOf(c)) && !commandOf(c).startsWith("get "));

describe("status and check with a learner", () => {
  it("status shows the learner once, as a learner, and never asks it for members or alarms", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target"));
    const run = await runCli(cluster, ["-n", ALL, "-o", "json", "status"]);
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.filter((m) => m.node === LEARNER)).toMatchObject([{ isLearner: true }]);
    expect(view.unreachable).toEqual([]);
    expect(view.problems.map((p) => p.kind)).toEqual(["learner"]);
    expect(refusedOfLearner(cluster.calls)).toEqual([]);

    const table = await runCli(createStatefulCluster(withLearner("voter-is-target")), ["-n", ALL, "status"]);
    expect(table.stdout.split("\n").filter((l) => l.includes(LEARNER) && l.includes("learner"))).toHaveLength(
      2,
    );
    expect(table.stdout).not.toMatch(/did not answer|unreachable/);
  });

  it("check warns about the learner but is not a no-go (exit 4 while the voters are fragmented)", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target"));
    const run = await runCli(cluster, ["-n", ALL, "-o", "json", "check"]);
    expect(run.code, run.stdout).toBe(4);
    const checklist = JSON.parse(run.stdout) as Checklist;
    const byName = Object.fromEntries(checklist.items.map((i) => [i.name, i]));
    expect(byName["every member answers"]?.status).toBe("pass");
    expect(byName["voting members only"]).toMatchObject({ status: "warn", informational: true });
    expect(byName["voting members only"]?.detail).toContain(LEARNER);
  });

  it("check is a go (exit 0) on a lean cluster whose only warning is the learner", async () => {
    const lean = withLearner("voter-is-target").map((m) => ({ ...m, dbSize: m.dbSizeInUse + 1_000_000 }));
    const run = await runCli(createStatefulCluster(lean), ["-n", ALL, "check"]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/\[warn\]\s+voting members only: .*172\.20\.0\.5 is a learner/);
  });

  // defrag never touches a learner: check must not judge one (issue 18 item 4), or a CronJob that defrags on
  // exit 4 loops for as long as the learner waits, and a learner short of disk makes the cluster a no-go.
  it("check ignores a fragmented learner short of disk: go (exit 0), as plan has nothing to do", async () => {
    const members = withLearner("voter-is-target").map((m) =>
      m.learner === true
        ? { ...m, dbSize: 1_500_000_000, dbSizeInUse: 47_000_000 }
        : { ...m, dbSize: m.dbSizeInUse + 1_000_000 },
    );
    const cluster = createStatefulCluster(members);
    cluster.knobs.diskAvailableBytes = { [LEARNER]: 1_000 };
    const run = await runCli(cluster, ["-n", ALL, "-o", "json", "check"]);
    expect(run.code, run.stdout).toBe(0);
    const checklist = JSON.parse(run.stdout) as Checklist;
    const byName = Object.fromEntries(checklist.items.map((i) => [i.name, i]));
    expect(byName["fragmentation (rule)"]?.status).toBe("pass");
    expect(byName["disk space"]?.status).toBe("pass");
    const plan = await runCli(createStatefulCluster(members), ["-n", ALL, "-o", "json", "plan"]);
    expect((JSON.parse(plan.stdout) as RunReport).result).toBe("nothing-to-do");
  });

  it("a learner left out of -n is reported as a learner, not as a member that did not report", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target"));
    const run = await runCli(cluster, ["-n", VOTERS, "-o", "json", "check"]);
    expect(run.code, run.stdout).toBe(4);
    const checklist = JSON.parse(run.stdout) as Checklist;
    expect(checklist.items.find((i) => i.name === "every member answers")?.status).toBe("pass");
  });
});

describe("defrag with a learner", () => {
  it("defragments the voters, leader last after moving leadership, and skips the learner with the reason", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target"));
    const snapDir = join(tempDir(), "snaps");
    // This cluster answers at once (a short leader defrag by the measured rate): 0 makes auto move leadership.
    const run = await runCli(
      cluster,
      defragJsonArgs(ALL, "--snapshot-dir", snapDir, "--leader-move-above", "0"),
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("ok");
    expect(report.snapshot?.node).not.toBe(LEARNER);
    const learnerStep = report.steps.find((s) => s.node === LEARNER);
    expect(learnerStep).toMatchObject({ role: "learner", action: "skip", outcome: "skipped" });
    expect(learnerStep?.reason).toMatch(/not a voting member/);
    expect(report.steps.filter((s) => s.outcome === "done").map((s) => [s.node, s.role])).toEqual([
      ["172.20.0.4", "follower"],
      ["172.20.0.2", "follower"],
      ["172.20.0.3", "leader"],
    ]);
    expect(report.steps.find((s) => s.role === "leader")?.leaderMovedTo).toBe("172.20.0.4");
    expect(refusedOfLearner(cluster.calls)).toEqual([]);
  });

  it("--leader auto defragments the leader in place, last, when Talos would hand leadership to the learner", async () => {
    const cluster = createStatefulCluster(withLearner("learner-is-target"));
    // 0: auto wants the move whatever the rate, so only the learner transferee keeps the leader in place.
    const run = await runCli(cluster, defragJsonArgs(ALL, "--no-snapshot", "--leader-move-above", "0"));
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    const leader = report.steps.find((s) => s.role === "leader");
    expect(leader).toMatchObject({ node: "172.20.0.3", outcome: "done", leaderMovedTo: null });
    expect(leader?.reason).toMatch(/forfeit target is a learner/);
    expect(leader?.leaderDecision).toMatchObject({ move: false, thresholdMs: 0 });
    expect(leader?.leaderDecision?.reason).toMatch(/in place, last: the forfeit target is a learner$/);
    expect(report.steps.at(-1)?.node).toBe("172.20.0.3");
    expect(report.warnings.join("\n")).toMatch(
      /leadership cannot move away from 172\.20\.0\.3: .*talos-cp-4 \(172\.20\.0\.5\), a learner/,
    );
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd forfeit-leadership")).toEqual([]);
    expect(refusedOfLearner(cluster.calls)).toEqual([]);
  });

  it("--leader forfeit refuses before touching anything (exit 3) when the forfeit target is a learner", async () => {
    const cluster = createStatefulCluster(withLearner("learner-is-target"));
    const run = await runCli(cluster, defragJsonArgs(ALL, "--leader", "forfeit"));
    expect(run.code, run.stderr).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join("\n")).toMatch(
      /learner.*--leader forfeit never defragments a leader in place/,
    );
    expect(cluster.calls.filter(isMutating)).toEqual([]);
  });

  it("plan says leadership cannot move and why, before any defrag", async () => {
    const cluster = createStatefulCluster(withLearner("learner-is-target"));
    const run = await runCli(cluster, ["-n", ALL, "plan"]);
    expect(run.code, run.stderr).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/leadership cannot move away from 172\.20\.0\.3/);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
    const json = await runCli(createStatefulCluster(withLearner("learner-is-target")), [
      "-n",
      ALL,
      "-o",
      "json",
      "plan",
    ]);
    const plan = JSON.parse(json.stdout) as RunReport & Partial<Plan>;
    expect(plan.steps.find((s) => s.role === "leader")?.reason).toMatch(/forfeit target is a learner/);
  });
});

describe("discovery when the context's node is a learner", () => {
  it("asks the context's endpoints instead, and finds every member", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target", true));
    const run = await runCli(cluster, ["-e", "172.20.0.3", "-o", "json", "status"]);
    expect(run.code, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.map((m) => m.node).sort()).toEqual([...ALL.split(",")].sort());
    expect(view.unreachable).toEqual([]);
  });

  it("asks the talosconfig context's other nodes, read from the file", async () => {
    const config = join(tempDir(), "talosconfig");
    const context = {
      endpoints: ["172.20.0.4:50000"],
      nodes: [LEARNER, "172.20.0.2"],
      ca: "x",
      crt: "y",
      key: "z",
    };
    await writeFile(config, JSON.stringify({ context: "lab", contexts: { lab: context } }), { mode: 0o600 });
    const cluster = createStatefulCluster(withLearner("voter-is-target", true));
    const run = await runCli(cluster, ["--talosconfig", config, "-o", "json", "status"]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as ClusterView).members).toHaveLength(4);
    const asked = cluster.calls.filter((c) => commandOf(c) === "etcd members").map(nodesOf);
    expect(asked[1]).toEqual(["172.20.0.2", "172.20.0.4"]);
  });

  it("exits 2 naming the learner and telling the user to pass -n when no other node answers", async () => {
    const cluster = createStatefulCluster(withLearner("voter-is-target", true));
    const run = await runCli(cluster, ["status"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/172\.20\.0\.5 is an etcd learner/);
    expect(run.stderr).toMatch(/hint: pass the voting control plane nodes with -n/);
  });
});
