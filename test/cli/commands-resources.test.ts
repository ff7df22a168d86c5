/** status, check and defrag through main() with etcd's memory and free disk (talosctl processes / mounts). */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import { commandOf, createStatefulCluster, NODES, runCli } from "./stateful-exec.js";

const tempDir = useTempDir("ted-resources-");

describe("status", () => {
  it("JSON carries rssBytes and diskAvailableBytes per member; the table shows RSS", async () => {
    const cluster = createStatefulCluster();
    const json = await runCli(cluster, ["-n", NODES, "-o", "json", "status"]);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as ClusterView;
    const byNode = Object.fromEntries(view.members.map((m) => [m.node, [m.rssBytes, m.diskAvailableBytes]]));
    expect(byNode).toEqual({
      "172.20.0.2": [350_000_000, 7_410_000_000],
      "172.20.0.3": [460_000_000, 7_410_000_000],
      "172.20.0.4": [1_500_000_000, 7_410_000_000],
    });
    // One processes and one mounts call for all nodes.
    expect(cluster.calls.filter((c) => commandOf(c) === "processes")).toHaveLength(1);
    expect(cluster.calls.filter((c) => commandOf(c) === "mounts")).toHaveLength(1);
    expect(json.stderr).toBe("");

    // MEM is a -o wide column: the default table keeps to 80 columns.
    const table = await runCli(cluster, ["-n", NODES, "-o", "wide", "status"]);
    expect(table.stdout.split("\n")[0]).toMatch(/ DB SIZE +MEM /);
    expect(table.stdout).toMatch(/172\.20\.0\.4 .* 1\.5 GB +1\.5 GB /);
  });

  it("a role that cannot list processes: rssBytes null, one warning, exit 0", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.denyProcesses = true;
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "status"]);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.map((m) => m.rssBytes)).toEqual([null, null, null]);
    expect(view.members.every((m) => m.diskAvailableBytes === 7_410_000_000)).toBe(true);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^warning: etcd's memory is unknown: `talosctl processes` failed .*PermissionDenied/,
      ),
    ]);
  });

  it("≤ v1.13 processes with a node down prints no table: every RSS unknown, the run of status goes on", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.unreachable.add("172.20.0.4");
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "status"]);
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.map((m) => m.rssBytes)).toEqual([null, null]);
    expect(view.members.map((m) => m.diskAvailableBytes)).toEqual([7_410_000_000, 7_410_000_000]);
  });
});

describe("check", () => {
  it("has a disk space item: a member short of space is a no-go (exit 3) naming node and mount", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.diskAvailableBytes = { "172.20.0.3": 60_000_000 };
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "check"]);
    expect(run.code).toBe(3);
    const checklist = JSON.parse(run.stdout) as Checklist;
    expect(checklist.items.find((i) => i.name === "disk space")).toEqual({
      name: "disk space",
      status: "fail",
      detail: "172.20.0.3: a defrag needs 127 MB free on /var, 60 MB available",
    });
  });
});

describe("defrag", () => {
  it("the first member short of disk: refused (exit 3) before any defrag, the message says how much and where", async () => {
    const cluster = createStatefulCluster();
    cluster.knobs.diskAvailableBytes = { "172.20.0.4": 100_000_000 };
    const args = ["-n", NODES, "-o", "json", "defrag", "--yes", "--snapshot-dir", join(tempDir(), "s")];
    const run = await runCli(cluster, args);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toEqual([]);
    expect(report.refusedReasons[0]).toMatch(
      /^not enough free disk space on 172\.20\.0\.4 .*needs 124 MB free on \/var .*100 MB available/,
    );
    expect(run.stderr).toMatch(/\[1\/3\] 172\.20\.0\.4 follower: not touched: not enough free disk space/);
  });

  it("the table report shows memory before -> after per member and the total released", async () => {
    const cluster = createStatefulCluster();
    const args = ["-n", NODES, "defrag", "--yes", "--no-snapshot", "--wait-timeout", "2s"];
    const run = await runCli(cluster, args);
    expect(run.code, run.stderr).toBe(0);
    // 1.5 GB + 350 MB + 460 MB before, 87 + 88 + 90 MB after.
    expect(run.stdout.replace(/\s+/g, " ")).toContain(
      "memory (etcd RSS before -> after): #1 1.5 GB -> 87 MB, #2 350 MB -> 88 MB, #3 460 MB -> 90 MB; released 2.0 GB over 3 member(s)",
    );
    const wide = await runCli(createStatefulCluster(), [...args, "-o", "wide"]);
    expect(wide.stdout.split("\n")[0]).toMatch(/ DB SIZE +MEMORY /);
    expect(wide.stdout).toMatch(/1\.5 GB -> 47 MB +1\.5 GB -> 87 MB/);
  });

  it("defrag reads etcdspec, processes and mounts beside its first status, and the members once it names the voters", async () => {
    // Given talosctl calls that each take a moment, recorded as they start and end
    const cluster = createStatefulCluster();
    const answer = cluster.exec;
    const events: string[] = [];
    cluster.exec = async (file, args, options) => {
      events.push(`start ${commandOf(args)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${commandOf(args)}`);
      return answer(file, args, options);
    };
    // When a run defragments with --yes and no snapshot
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot"]);
    expect(run.code, run.stderr).toBe(0);
    // Then the first round asks status, the etcdspec and the node reads together; the member list follows status
    // (a learner is never asked what it refuses, and status names the learners); nothing is asked twice
    const beforeDefrag = events.slice(0, events.indexOf("start etcd defrag"));
    const firstEnd = beforeDefrag.findIndex((e) => e.startsWith("end "));
    expect(beforeDefrag.slice(0, firstEnd).sort()).toEqual([
      "start etcd status",
      "start get etcdspec etcd -o yaml",
      "start mounts",
      "start processes",
    ]);
    expect(beforeDefrag.indexOf("start etcd members")).toBeGreaterThan(
      beforeDefrag.indexOf("end etcd status"),
    );
    expect(beforeDefrag.filter((e) => e.startsWith("start "))).toHaveLength(5);
  });
});
