/**
 * Issue 20 §2 on the executor: the reclaim floor skips a member the rule picks but a defrag cannot help (plan and
 * run agree, --force and --min-reclaim 0 bypass it), a member that did not shrink is a warning, and a dry run
 * makes the free-disk check that a real run makes.
 */
import { describe, expect, it } from "vitest";
import { neededForDefrag } from "../../src/plan/disk-check.js";
import { createNodeResourceReader } from "../../src/read/node-resources.js";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";
import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** .4 near the quota (2 GiB) with its file full of live data: the default rule picks it, a defrag frees 10 MiB. */
function liveFull() {
  const cluster = threeMembers();
  const big = cluster.member(N.big);
  big.dbSize = Math.round(1.8 * GiB);
  big.dbSizeInUse = big.dbSize - 10 * MiB;
  return cluster;
}

describe("the reclaim floor", () => {
  it("skips a member the rule picks when a defrag would free less than --min-reclaim, saying what would help", async () => {
    const cluster = liveFull();
    const report = await runDefrag(harness(cluster).deps, options());
    const step = report.steps.find((s) => s.node === N.big);
    expect(step).toMatchObject({ action: "skip", outcome: "skipped" });
    expect(step?.reason).toMatch(
      /^rule: .*; skipped: below --min-reclaim 32 MiB: live data fills 90 % of the quota: raise quota-backend-bytes in cluster\.etcd\.extraArgs; a defrag would free 10 MB$/,
    );
    expect(defragOrder(cluster)).toEqual([N.small, N.leader]);
  });

  it("a dry run gives the same reason as the run", async () => {
    const plan = await runDefrag(harness(liveFull()).deps, options({ dryRun: true }));
    const run = await runDefrag(harness(liveFull()).deps, options());
    const reason = (r: typeof plan) => r.steps.find((s) => s.node === N.big)?.reason;
    expect(reason(plan)).toBe(reason(run));
  });

  it.each([
    ["--force", options({ force: true })],
    ["--min-reclaim 0", options({ minReclaimBytes: 0 })],
  ])("%s defragments it anyway", async (_, opts) => {
    const cluster = liveFull();
    const report = await runDefrag(harness(cluster).deps, opts);
    expect(report.steps.find((s) => s.node === N.big)).toMatchObject({ action: "defrag", outcome: "done" });
    expect(defragOrder(cluster)).toContain(N.big);
  });

  it("a lower floor lets it through; a floor above every member's free bytes skips them all", async () => {
    const low = await runDefrag(harness(liveFull()).deps, options({ minReclaimBytes: 5 * MiB }));
    expect(low.steps.find((s) => s.node === N.big)?.action).toBe("defrag");
    const high = await runDefrag(harness(threeMembers()).deps, options({ minReclaimBytes: 100 * GiB }));
    expect(high.result).toBe("nothing-to-do");
    expect(high.steps.map((s) => s.reason)).toEqual(
      high.steps.map(() =>
        expect.stringMatching(
          /skipped: below --min-reclaim 100 GiB: a defrag would free only \d+(\.\d)? [MG]B$/,
        ),
      ),
    );
  });
});

describe("a member that did not shrink", () => {
  it("is a warning in the report when its file lost less than a tenth of what was free", async () => {
    const cluster = threeMembers();
    // .4: 1500 MiB with 47 MiB live; its defrag gives back only 100 MiB of the 1453 MiB free.
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.member(node).dbSize = 1400 * MiB;
    };
    const report = await runDefrag(harness(cluster).deps, options());
    expect(report.result).toBe("ok");
    const warned = report.warnings.filter((w) => /did not shrink as expected/.test(w));
    expect(warned).toEqual([
      `${N.big}: the database did not shrink as expected (1.6 GB -> 1.5 GB, 1572864000 -> 1468006400 bytes; 1.5 GB was free before): the defrag freed less than a tenth of that`,
    ]);
  });

  it("members that shrank as expected give no such warning", async () => {
    const report = await runDefrag(harness(threeMembers()).deps, options());
    expect(report.warnings.filter((w) => /did not shrink/.test(w))).toEqual([]);
  });
});

describe("a dry run checks free disk as a real run does", () => {
  it("a member short of space refuses the plan (exit 3), names it, and touches nothing", async () => {
    const cluster = threeMembers();
    cluster.member(N.small).diskAvailableBytes = neededForDefrag(45 * MiB) - 1;
    const { deps } = harness(cluster, { resources: createNodeResourceReader(cluster) });
    const report = await runDefrag(deps, options({ dryRun: true }));
    expect(report.result).toBe("refused");
    expect(exitCodeForResult(report.result)).toBe(3);
    expect(report.refusedReasons).toEqual([
      expect.stringMatching(/^not enough free disk space on 172\.20\.0\.2 /),
    ]);
    expect(report.steps.find((s) => s.node === N.small)?.error).toMatch(/not enough free disk space/);
    expect(report.steps.every((s) => s.outcome === "planned")).toBe(true);
    expect(cluster.callsOf("mounts")).toHaveLength(1);
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(cluster.callsOf("snapshot")).toEqual([]);
  });

  it("enough space: the plan stands; unknown free space is a warning, as in a real run", async () => {
    const ok = threeMembers();
    const plan = await runDefrag(
      harness(ok, { resources: createNodeResourceReader(ok) }).deps,
      options({ dryRun: true }),
    );
    expect(plan.result).toBe("ok");
    const denied = threeMembers();
    denied.script.mounts = "denied";
    const blind = await runDefrag(
      harness(denied, { resources: createNodeResourceReader(denied) }).deps,
      options({ dryRun: true }),
    );
    expect(blind.result).toBe("ok");
    expect(blind.warnings.some((w) => /free disk space on .* is unknown/.test(w))).toBe(true);
  });
});
