/**
 * Verdicts that must not be given about members nobody asked, and the one decision check, plan and defrag share
 * (issue 27 items 11-13), through main() over the stateful in-process cluster:
 * - a selection of learners only says nothing about the voters: not healthy, check's item fails, status exits 1;
 * - check recommends a defrag (exit 4) only when plan and defrag would run one;
 * - "rolling reboots" counts the cluster's voting members, not the voters that answered.
 */
import { describe, expect, it } from "vitest";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { UpgradeReport } from "../../src/cluster/upgrade-items.js";
import type { RunReport } from "../../src/run/types.js";
import {
  createStatefulCluster,
  defragJsonArgs,
  fragmentedMembers,
  isMutating,
  NODES,
  runCli,
  type SimMember,
  type StatefulCluster,
} from "../cli/stateful-exec.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-verdicts-");
const LEARNER = "172.20.0.5";
const MB = 1_000_000;

function withLearner(): SimMember[] {
  return [
    ...fragmentedMembers(),
    {
      node: LEARNER,
      memberId: "f00000000000abcd",
      hostname: "talos-cp-4",
      dbSize: 40 * MB,
      dbSizeInUse: 39 * MB,
      learner: true,
    },
  ];
}

type CheckDoc = Checklist & { upgrade?: UpgradeReport; status: ClusterView };

describe("a selection of learners only (issue 27 item 11)", () => {
  it("status -n <learner> is not healthy and exits 1: no voter was asked", async () => {
    const cluster = createStatefulCluster(withLearner());
    const json = await runCli(cluster, ["-n", LEARNER, "-o", "json", "status"]);
    const view = JSON.parse(json.stdout) as ClusterView;
    expect(view.healthy).toBe(false);
    expect(view.problems.map((p) => p.kind)).toContain("no-voter");
    expect(json.code).toBe(1);
    const text = await runCli(cluster, ["-n", LEARNER, "status"]);
    expect(text.stdout).not.toMatch(/^healthy:/m);
    expect(text.stdout).toMatch(/no voting member answered/);
    expect(text.code).toBe(1);
  });

  it("check -n <learner>: 'every member answers' fails and the verdict is no-go", async () => {
    const cluster = createStatefulCluster(withLearner());
    const run = await runCli(cluster, ["-n", LEARNER, "-o", "json", "check"]);
    const doc = JSON.parse(run.stdout) as CheckDoc;
    expect(doc.items.find((i) => i.name === "every member answers")?.status).toBe("fail");
    expect(doc.verdict).toBe("no-go");
    expect(run.code).toBe(3);
  });
});

/** One voter over the quota headroom with 150 MB free: a floor of 200 MiB skips it. */
function nearQuota(): SimMember[] {
  const members = fragmentedMembers().map((m) => ({ ...m, dbSize: 300 * MB, dbSizeInUse: 290 * MB }));
  const big = members[2] as SimMember;
  big.dbSize = 1800 * MB; // 83.8 % of the default 2 GiB quota: over the headroom, so the rule picks it
  big.dbSizeInUse = 1650 * MB; // 76.8 %: not data-bound, but a defrag frees only 150 MB
  return members;
}

describe("check, plan and defrag agree on whether a defrag would run (issue 27 item 12)", () => {
  it("a member near the quota that --min-reclaim skips: check does not exit 4, plan and defrag do nothing", async () => {
    const cluster = createStatefulCluster(nearQuota());
    const floor = ["--min-reclaim", "200MiB"];
    const check = await runCli(cluster, ["-n", NODES, "-o", "json", "check", ...floor]);
    const doc = JSON.parse(check.stdout) as CheckDoc;
    const quota = doc.items.find((i) => i.name === "quota headroom");
    expect(quota?.detail).not.toMatch(/defrag frees it/);
    expect(quota?.detail).toMatch(/below --min-reclaim 200 MiB/);
    expect(check.code).not.toBe(4);
    const plan = await runCli(cluster, ["-n", NODES, "-o", "json", "plan", ...floor]);
    expect((JSON.parse(plan.stdout) as RunReport).result).toBe("nothing-to-do");
    const defrag = await runCli(cluster, defragJsonArgs(NODES, ...floor));
    expect((JSON.parse(defrag.stdout) as RunReport).result).toBe("nothing-to-do");
    expect(cluster.calls.filter((c) => isMutating(c) && c.includes("defrag"))).toEqual([]);
  });

  it("without the floor the same member is recommended by check and defragmented by defrag", async () => {
    const cluster = createStatefulCluster(nearQuota());
    const check = await runCli(cluster, ["-n", NODES, "-o", "json", "check", "--min-reclaim", "0"]);
    expect(check.code).toBe(4);
    const defrag = await runCli(cluster, defragJsonArgs(NODES, "--min-reclaim", "0", "--no-snapshot"));
    expect((JSON.parse(defrag.stdout) as RunReport).result).toBe("ok");
  });

  it("a member the plan would defragment is short of disk: defrag refuses before touching anything, as plan does", async () => {
    // Found by the generated sweep: plan refused, but defrag defragmented the followers, then failed at the leader.
    const cluster = createStatefulCluster();
    cluster.knobs.diskAvailableBytes = { "172.20.0.3": 10 * MB };
    const plan = await runCli(cluster, ["-n", NODES, "-o", "json", "plan"]);
    expect((JSON.parse(plan.stdout) as RunReport).result).toBe("refused");
    expect(plan.code).toBe(3);
    const defrag = await runCli(cluster, defragJsonArgs(NODES, "--snapshot-dir", tempDir()));
    const report = JSON.parse(defrag.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join("\n")).toMatch(/not enough free disk space on 172\.20\.0\.3/);
    expect(defrag.code).toBe(3);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
  });

  it("a member over the headroom that the rule does not pick (--rule) is no recommendation", async () => {
    const cluster = createStatefulCluster(nearQuota());
    const rule = ["--rule", "dbSizeFree > 10*GiB"];
    const check = await runCli(cluster, ["-n", NODES, "-o", "json", "check", ...rule]);
    expect(check.code).not.toBe(4);
    const plan = await runCli(cluster, ["-n", NODES, "-o", "json", "plan", ...rule]);
    expect((JSON.parse(plan.stdout) as RunReport).result).toBe("nothing-to-do");
  });
});

/** `check --upgrade-to v1.11.3 -o json` on these nodes: its document. */
async function checkUpgrade(cluster: StatefulCluster, nodes: string): Promise<CheckDoc> {
  const run = await runCli(cluster, ["-n", nodes, "-o", "json", "check", "--upgrade-to", "v1.11.3"]);
  return JSON.parse(run.stdout) as CheckDoc;
}

describe("rolling reboots counts the cluster's voting members (issue 27 item 13)", () => {
  it("1 of 3 down: 3 voting members, tolerates 1", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.unreachable.add("172.20.0.4");
    const doc = await checkUpgrade(cluster, NODES);
    expect(doc.upgrade).toMatchObject({ votingMembers: 3, toleratesDown: 1 });
    expect(doc.items.find((i) => i.name === "rolling reboots")?.detail).toMatch(
      /with 3 voting members etcd tolerates 1 down/,
    );
  });

  it("a voter left out of -n still counts; a learner does not", async () => {
    const cluster = createStatefulCluster(withLearner());
    const doc = await checkUpgrade(cluster, "172.20.0.2,172.20.0.3");
    expect(doc.upgrade).toMatchObject({ votingMembers: 3, toleratesDown: 1 });
  });

  it("a learner that does not answer is still a learner, not a fourth voter", async () => {
    const members = withLearner().filter((m) => m.node !== "172.20.0.4");
    const cluster = createStatefulCluster(members);
    cluster.knobs.unreachable.add(LEARNER);
    const doc = await checkUpgrade(cluster, `172.20.0.2,172.20.0.3,${LEARNER}`);
    expect(doc.upgrade).toMatchObject({ votingMembers: 2, toleratesDown: 0 });
  });
});
