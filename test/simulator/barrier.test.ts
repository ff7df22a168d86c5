/**
 * The simulator's barrier (sim/barrier.ts), on the model backend: calls that must be in flight together to
 * answer, which is how test/e2e/calls.test.ts proves that the tool sends its first round at once, with no clock.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { barrierArrivals } from "../../sim/barrier.js";
import { assertSimBuilt, runSim } from "../../sim/exec-sim.js";
import { startModelCluster } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";

let cluster: SimCluster;
beforeAll(async () => {
  cluster = await startModelCluster({ release: "v1.13" });
  assertSimBuilt(cluster);
});
afterAll(async () => {
  await cluster?.stop();
});

const fresh = () => mkdtempSync(join(tmpdir(), "ted-barrier-"));

it("calls sent together pass it, and it stays open for later calls", async () => {
  const barrier = { commands: ["status" as const, "mounts" as const], dir: fresh() };
  await cluster.setBarrier(barrier);
  try {
    const n = cluster.nodes.join(",");
    const [status, mounts] = await Promise.all([
      runSim(cluster, ["-n", n, "etcd", "status"]),
      runSim(cluster, ["-n", n, "mounts"]),
    ]);
    expect([status.exitCode, mounts.exitCode], `${status.stderr}${mounts.stderr}`).toEqual([0, 0]);
    expect(barrierArrivals(barrier)).toEqual(["status", "mounts"]);
    expect((await runSim(cluster, ["-n", n, "etcd", "status"])).exitCode).toBe(0);
  } finally {
    await cluster.setBarrier(null);
  }
});

it("a call sent alone waits for the others, which never come, and fails saying so", async () => {
  const barrier = { commands: ["status" as const, "mounts" as const], dir: fresh(), timeoutMs: 500 };
  await cluster.setBarrier(barrier);
  try {
    const alone = await runSim(cluster, ["-n", cluster.nodes.join(","), "etcd", "status"]);
    expect(alone.exitCode).toBe(1);
    expect(alone.stderr).toMatch(/simulator barrier: status waited 500 ms for mounts/);
    // Calls of other commands are not held.
    expect((await runSim(cluster, ["-n", cluster.nodes[0] ?? "", "etcd", "members"])).exitCode).toBe(0);
  } finally {
    await cluster.setBarrier(null);
  }
});
