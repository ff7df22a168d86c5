/** The simulator over the model backend: runs everywhere (no etcd), through the real executable. */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSimBuilt, runSim } from "../../sim/exec-sim.js";
import { fragmentModelCluster, startModelCluster, updateModelState } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";
import { verifySnapshotFile } from "../../src/run/snapshot-file.js";

let cluster: SimCluster;
let all: string;

beforeAll(async () => {
  cluster = await startModelCluster({ release: "v1.13", quotaBytes: 4 * 1024 ** 3 });
  assertSimBuilt(cluster);
  all = cluster.nodes.join(",");
  fragmentModelCluster(cluster, { targetBytes: 40_000_000, reclaimableRatio: 0.7 });
});

afterAll(async () => {
  await cluster?.stop();
});

const cell = (line: string | undefined, index: number): string | undefined => line?.split(/ {3,}/)[index];

describe("model backend through bin/talosctl", () => {
  it("status: one row per node, header per release", async () => {
    await cluster.setRelease("v1.10");
    const v110 = await runSim(cluster, ["-n", all, "etcd", "status"]);
    await cluster.setRelease("v1.13");
    const v113 = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(v110.stdout).not.toContain("PROTOCOL");
    expect(v113.stdout.split("\n")[0]).toMatch(/LEARNER {3}PROTOCOL {3}STORAGE {3}ERRORS$/);
    expect(v113.stdout.trimEnd().split("\n")).toHaveLength(4);
    expect(cell(v113.stdout.split("\n")[1], 0)).toBe("127.0.0.11");
    expect(cell(v113.stdout.split("\n")[1], 3)).toMatch(/^\d+(\.\d)? MB \(\d+\.\d\d%\)$/);
  });

  it("forfeit-leadership on the leader moves it to the first other member of the list", async () => {
    const leader = await cluster.leaderNode();
    const members = await runSim(cluster, ["-n", leader ?? "", "etcd", "members"]);
    const rows = members.stdout.trimEnd().split("\n").slice(1);
    const leaderId = (await runSim(cluster, ["-n", leader ?? "", "etcd", "status"])).stdout
      .split("\n")[1]
      ?.split(/ +/)[1];
    const expected = rows
      .map((r) => r.split(/ +/))
      .find((r) => r[1] !== leaderId)?.[4]
      ?.replace(/^https:\/\/|:2379$/g, "");
    expect((await runSim(cluster, ["-n", leader ?? "", "etcd", "forfeit-leadership"])).exitCode).toBe(0);
    expect(await cluster.leaderNode()).toBe(expected);
    const notLeader = cluster.nodes.find((n) => n !== expected) ?? "";
    await runSim(cluster, ["-n", notLeader, "etcd", "forfeit-leadership"]);
    expect(await cluster.leaderNode()).toBe(expected);
  });

  it("defrag takes exactly one node and shrinks that member", async () => {
    const node = cluster.nodes[1] ?? "";
    const several = await runSim(cluster, ["-n", all, "etcd", "defrag"]);
    expect(several.exitCode).toBe(1);
    expect(several.stderr).toMatch(/^command "etcd defrag" is not supported with multiple nodes\n\nUsage:/);
    const before = cell((await runSim(cluster, ["-n", node, "etcd", "status"])).stdout.split("\n")[1], 2);
    expect((await runSim(cluster, ["-n", node, "etcd", "defrag"])).exitCode).toBe(0);
    const after = cell((await runSim(cluster, ["-n", node, "etcd", "status"])).stdout.split("\n")[1], 2);
    expect(Number.parseFloat(after ?? "")).toBeLessThan(Number.parseFloat(before ?? "") * 0.5);
  });

  it("snapshot writes 512k+32 bytes with a valid sha256 trailer, mode 0600, no .part left", async () => {
    const path = join(cluster.dir, "snap.db");
    const out = await runSim(cluster, ["-n", cluster.nodes[0] ?? "", "etcd", "snapshot", path]);
    expect(out.exitCode).toBe(0);
    const check = await verifySnapshotFile(path);
    expect(check.sha256Verified, check.problem).toBe(true);
    expect(check.bytes % 512).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(out.stdout).toMatch(
      new RegExp(
        `^etcd snapshot saved to "${path}" \\(${check.bytes} bytes\\)\nsnapshot info: hash [0-9a-f]{8}, revision \\d+, total keys \\d+, total size \\d+\n$`,
      ),
    );
  });

  it("alarms: nothing without alarms, rows per node with them, disarm clears all", async () => {
    expect((await runSim(cluster, ["-n", all, "etcd", "alarm", "list"])).stdout).toBe("");
    updateModelState(cluster, (s) => {
      s.alarms = [{ memberId: s.members[0]?.id ?? "0", alarm: "NOSPACE" }];
    });
    const list = await runSim(cluster, ["-n", all, "etcd", "alarm", "list"]);
    expect(list.stdout.trimEnd().split("\n")).toHaveLength(4);
    expect(list.stdout).toMatch(/^NODE {9}MEMBER {13}ALARM\n127\.0\.0\.11 {3}[0-9a-f]{16} {3}NOSPACE\n/);
    const status = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(status.stdout).toMatch(/memberID:\d+ alarm:NOSPACE\n/);
    const disarm = await runSim(cluster, ["-n", all, "etcd", "alarm", "disarm"]);
    expect(disarm.stdout.trimEnd().split("\n")).toHaveLength(2);
    expect((await runSim(cluster, ["-n", all, "etcd", "alarm", "list"])).stdout).toBe("");
  });

  it("etcdspec shows the quota in the release's shape", async () => {
    const node = cluster.nodes[0] ?? "";
    await cluster.setRelease("v1.10");
    const old = await runSim(cluster, [
      "-n",
      node,
      "get",
      "etcdspec",
      "etcd",
      "--namespace",
      "etcd",
      "-o",
      "yaml",
    ]);
    await cluster.setRelease("v1.13");
    const current = await runSim(cluster, ["-n", node, "get", "etcdspec", "etcd", "-o", "yaml"]);
    expect(old.stdout).toContain('    extraArgs:\n        quota-backend-bytes: "4294967296"\n');
    expect(current.stdout).toContain(
      '        quota-backend-bytes:\n            values:\n                - "4294967296"\n',
    );
  });

  it("without -n uses the default node; with no nodes at all it says so", async () => {
    const one = await runSim(cluster, ["etcd", "status"]);
    expect(one.stdout.trimEnd().split("\n")).toHaveLength(2);
    const configPath = cluster.env.TALOS_SIM_CONFIG ?? "";
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    writeFileSync(configPath, JSON.stringify({ ...config, defaultNodes: [] }));
    const none = await runSim(cluster, ["etcd", "status"]);
    writeFileSync(configPath, JSON.stringify(config));
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/^nodes are not set for the command: please use `--nodes` flag/);
  });

  it("unknown flags and commands fail with exit 1 and usage", async () => {
    const flag = await runSim(cluster, ["--frobnicate", "etcd", "status"]);
    expect([flag.exitCode, flag.stderr.split("\n")[0]]).toEqual([1, "unknown flag: --frobnicate"]);
    const command = await runSim(cluster, ["etcd", "explode"]);
    expect([command.exitCode, command.stderr.split("\n")[0]]).toEqual([
      1,
      'unknown command "explode" for "talosctl etcd"',
    ]);
  });
});
