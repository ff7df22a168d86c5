/**
 * `processes` and `mounts` through bin/talosctl over the model backend (no etcd needed), read back with the
 * product's parsers: two independent readings of the Talos sources must agree, per release.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELEASES } from "../../sim/config.js";
import { assertSimBuilt, runSim } from "../../sim/exec-sim.js";
import { startModelCluster, updateModelState } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";
import { pickEtcdMemory, pickEtcdVolumes } from "../../src/talos/etcd-resources.js";
import { parseNodeFailures } from "../../src/talos/parse-failures.js";
import { parseMounts } from "../../src/talos/parse-mounts.js";
import { parseProcesses } from "../../src/talos/parse-processes.js";
import { formatSize } from "../../src/talos/size.js";

let cluster: SimCluster;
let all: string;

beforeAll(async () => {
  cluster = await startModelCluster({ release: "v1.13" });
  assertSimBuilt(cluster);
  all = cluster.nodes.join(",");
  updateModelState(cluster, (state) => {
    for (const m of state.members) m.dbSize = (cluster.nodes.indexOf(m.node) + 1) * 100_000_000;
  });
});

afterAll(async () => {
  await cluster?.stop();
});

const node = (i: number) => cluster.nodes[i] ?? "";

describe.each(RELEASES)("%s", (release) => {
  it("processes: one etcd row per node, RSS following the db, in the release's layout", async () => {
    await cluster.setRelease(release);
    await cluster.setFaults({});
    const out = await runSim(cluster, ["-n", all, "processes"]);
    expect(out.exitCode).toBe(0);
    const header = out.stdout.split("\n")[0] ?? "";
    // ≤ v1.13 columnize glues cells with two spaces; v1.14's tabwriter pads with three.
    expect(header).toMatch(release === "v1.14" ? /^NODE {9}PID {3}/ : /^NODE {8}PID {2}/);
    const rows = parseProcesses(out.stdout);
    const memory = pickEtcdMemory(cluster.nodes, { rows, failures: [] });
    expect(memory.readings.map((r) => r.node)).toEqual(cluster.nodes);
    for (const reading of memory.readings) {
      const i = cluster.nodes.indexOf(reading.node);
      expect(formatSize(reading.rssBytes)).toBe(formatSize(45_000_000 + (i + 1) * 100_000_000));
    }
    const etcdLabels = rows.filter((r) => r.command.startsWith("/usr/local/bin/etcd ")).map((r) => r.label);
    expect(new Set(etcdLabels)).toEqual(new Set([release === "v1.10" ? "" : "system_u:system_r:etcd_t:s0"]));
  });

  it("mounts: /var holds the data dir; the short-of-disk switch shows on that node only", async () => {
    await cluster.setRelease(release);
    await cluster.setFaults({ [node(1)]: { diskAvailableBytes: 1_000_000 } });
    const out = await runSim(cluster, ["-n", all, "mounts"]);
    expect(out.exitCode).toBe(0);
    const volumes = pickEtcdVolumes({ rows: parseMounts(out.stdout), failures: [] });
    expect(volumes.readings.map((v) => [v.node, v.mountedOn])).toEqual(cluster.nodes.map((n) => [n, "/var"]));
    expect(volumes.readings[1]?.availableBytes).toBe(0); // 1 MB prints as 0.00 GB
    expect(volumes.readings[0]?.availableBytes).toBeGreaterThan(10_000_000_000);
  });

  it("a node that fails: ≤ v1.13 processes prints no table; mounts keeps the others", async () => {
    await cluster.setRelease(release);
    await cluster.setFaults({ [node(2)]: { unreachable: true } });
    const ps = await runSim(cluster, ["-n", all, "processes"]);
    const mounts = await runSim(cluster, ["-n", all, "mounts"]);
    expect(parseNodeFailures(ps.stderr).map((f) => f.node)).toEqual([node(2)]);
    expect(parseNodeFailures(mounts.stderr).map((f) => f.node)).toEqual([node(2)]);
    expect(ps.exitCode).toBe(1);
    expect(parseProcesses(ps.stdout).length > 0).toBe(release === "v1.14");
    expect(mounts.exitCode).toBe(release === "v1.14" ? 1 : 0);
    expect(new Set(parseMounts(mounts.stdout).map((r) => r.node))).toEqual(new Set([node(0), node(1)]));
  });
});

describe("nodes without a running etcd", () => {
  it("a worker and a stopped member list processes, without an etcd row", async () => {
    await cluster.setRelease("v1.14");
    await cluster.setFaults({ [node(0)]: { worker: true } });
    await cluster.stopMember(node(1));
    try {
      const out = await runSim(cluster, ["-n", all, "ps"]);
      expect(out.exitCode).toBe(0);
      const rows = parseProcesses(out.stdout);
      expect(new Set(rows.map((r) => r.node))).toEqual(new Set(cluster.nodes));
      const memory = pickEtcdMemory(cluster.nodes, { rows, failures: [] });
      expect(memory.readings.map((r) => r.node)).toEqual([node(2)]);
    } finally {
      await cluster.startMember(node(1));
    }
  });
});
