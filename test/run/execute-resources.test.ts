/** runDefrag with etcd's memory and the free-disk check: RSS before/after, refusals for lack of space, optional data. */
import { describe, expect, it } from "vitest";
import { neededForDefrag } from "../../src/plan/disk-check.js";
import { createNodeResourceReader } from "../../src/read/node-resources.js";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";
import type { FakeCluster } from "./fake-cluster.js";
import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

const MiB = 1024 * 1024;

function withMemory(cluster: FakeCluster): FakeCluster {
  for (const m of cluster.fleet) m.rssBytes = m.dbSize + 60 * MiB;
  return cluster;
}

const run = (cluster: FakeCluster) =>
  runDefrag(harness(cluster, { resources: createNodeResourceReader(cluster) }).deps, options());

describe("runDefrag: etcd's memory before and after each member", () => {
  it("reads RSS for every member before the first defrag and after the last: two processes calls", async () => {
    // Given three bloated members whose etcd maps its whole db file
    const cluster = withMemory(threeMembers());
    // When all three are defragmented
    const report = await run(cluster);
    // Then every step has RSS before and after, and the after is the smaller
    expect(report.result).toBe("ok");
    for (const step of report.steps) {
      expect(step.before.rssBytes).toBeGreaterThan(step.after?.rssBytes ?? Number.POSITIVE_INFINITY);
      expect(step.after?.rssBytes).toBe(step.before.dbSizeInUse + 40 * MiB);
    }
    expect(report.steps[0]?.before.rssBytes).toBe(1560 * MiB);
    // One call before the first defrag (every member's "before") and one when the run ends (every "after").
    expect(cluster.callsOf("processes")).toHaveLength(2);
    expect(cluster.callsOf("mounts")).toHaveLength(1);
    expect(cluster.callsOf("processes").every((c) => c.nodes?.length === 3)).toBe(true);
    expect(report.warnings).toEqual([]);
  });

  it("asks the memory 'after' as soon as the last defrag call returns, beside that member's verification", async () => {
    // Given three members to defragment
    const cluster = withMemory(threeMembers());
    // When the run goes through
    const report = await run(cluster);
    // Then the second processes call comes right after the last defrag, before the look that verifies it
    expect(report.result).toBe("ok");
    const methods = cluster.calls.map((c) => c.method);
    const lastDefrag = methods.lastIndexOf("defrag");
    expect(methods.slice(lastDefrag, lastDefrag + 3)).toEqual(["defrag", "processes", "status"]);
    expect(cluster.callsOf("processes")).toHaveLength(2);
  });

  it("reads memory again after a stop too: the members done so far get their 'after'", async () => {
    // Given the stop arrives during the first member's defrag
    const cluster = withMemory(threeMembers());
    const { deps, controller } = harness(cluster, { resources: createNodeResourceReader(cluster) });
    cluster.script.afterDefrag = () => controller.abort();
    const report = await runDefrag(deps, options());
    // Then the run is interrupted, and the member it did has its memory after (a read, never a touch)
    expect(report.result).toBe("interrupted");
    expect(cluster.callsOf("processes")).toHaveLength(2);
    expect(report.steps[0]).toMatchObject({ node: N.big, outcome: "done" });
    expect(report.steps[0]?.after?.rssBytes).toBe(47 * MiB + 40 * MiB);
  });

  it("a memory reading that fails after a stop changes nothing: still interrupted", async () => {
    const cluster = withMemory(threeMembers());
    const { deps, controller } = harness(cluster, { resources: createNodeResourceReader(cluster) });
    cluster.script.afterDefrag = () => {
      controller.abort();
      cluster.script.processes = "denied";
    };
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("interrupted");
    expect(report.steps[0]?.after?.rssBytes).toBeNull();
  });

  it("a role that cannot list processes: RSS null, ONE warning, the run still succeeds", async () => {
    const cluster = withMemory(threeMembers());
    cluster.script.processes = "denied";
    const report = await run(cluster);
    expect(report.result).toBe("ok");
    expect(report.steps.map((s) => [s.before.rssBytes, s.after?.rssBytes])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    const about = report.warnings.filter((w) => /memory/.test(w));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/talosctl processes.*PermissionDenied/);
  });

  it("nodes without an etcd row: RSS null and one warning naming them", async () => {
    const report = await run(threeMembers());
    expect(report.result).toBe("ok");
    expect(report.steps.every((s) => s.before.rssBytes === null)).toBe(true);
    expect(report.warnings.filter((w) => /memory/.test(w))).toEqual([
      `etcd's memory on ${N.leader}, ${N.small}, ${N.big} is unknown: no etcd process in its process list`,
    ]);
  });
});

describe("runDefrag: free disk for the defrag's copy", () => {
  it("the first member short of space: refused (exit 3), nothing touched, the message says how much and where", async () => {
    // Given .4 (first in the plan, 47 MiB live) has 20 MB free on /var
    const cluster = threeMembers();
    cluster.member(N.big).diskAvailableBytes = 20_000_000;
    // When the run starts
    const report = await run(cluster);
    // Then no defrag was issued and the refusal names the need and the mount point
    expect(report.result).toBe("refused");
    expect(exitCodeForResult(report.result)).toBe(3);
    expect(defragOrder(cluster)).toEqual([]);
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      [N.big, "not-touched"],
      [N.small, "not-touched"],
      [N.leader, "not-touched"],
    ]);
    const message = report.steps[0]?.error ?? "";
    expect(message).toMatch(new RegExp(`^not enough free disk space on ${N.big.replace(/\./g, "\\.")}`));
    expect(message).toContain("on /var (the volume holding /var/lib/etcd");
    expect(message).toContain("needs 126 MB free");
    expect(message).toContain("20 MB available");
    expect(report.refusedReasons).toEqual([message]);
    expect(cluster.callsOf("forfeit")).toEqual([]);
  });

  it("the leader short of space: refused before anything is touched, as the plan is (issue 27)", async () => {
    // It used to defragment the followers first, then stop at the leader (exit 1) while `plan` said refused.
    const cluster = withMemory(threeMembers());
    cluster.member(N.leader).diskAvailableBytes = neededForDefrag(40 * MiB) - 1;
    const report = await run(cluster);
    expect(report.result).toBe("refused");
    expect(exitCodeForResult(report.result)).toBe(3);
    expect(defragOrder(cluster)).toEqual([]);
    expect(report.steps.map((s) => s.outcome)).toEqual(["not-touched", "not-touched", "not-touched"]);
    expect(report.refusedReasons.join("\n")).toMatch(/not enough free disk space on 172\.20\.0\.3/);
    expect(cluster.callsOf("forfeit")).toEqual([]);
  });

  it("exactly enough space is enough", async () => {
    const cluster = threeMembers();
    cluster.member(N.big).diskAvailableBytes = neededForDefrag(47 * MiB);
    expect((await run(cluster)).result).toBe("ok");
  });

  it("free space unknown (mounts refused): a warning per member, never a refusal", async () => {
    const cluster = threeMembers();
    cluster.script.mounts = "denied";
    const report = await run(cluster);
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.warnings.filter((w) => /talosctl mounts/.test(w))).toHaveLength(1);
    expect(report.warnings.filter((w) => /goes ahead without the free-space check/.test(w))).toHaveLength(3);
  });
});
