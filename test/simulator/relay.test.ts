/**
 * The bench's relay (`--talosctl relay`, sim/relay-server.ts): a Python client of one simulator server must answer
 * each call as the process simulator does, and log it with the client's spawn time, so a run through it is the
 * same run at a real talosctl's start-up cost.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Relay, startRelay } from "../../bench/relay.js";
import { startCluster } from "../../sim/cluster.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";
import { runSim, type SimResult } from "../../sim/exec-sim.js";
import type { SimCluster } from "../../sim/types.js";
import type { RunReport } from "../../src/run/types.js";
import { CLI } from "../e2e/e2e-harness.js";

const gate = checkEtcdGate("test/simulator/relay.test.ts (the bench's talosctl relay over real etcd)");

it.runIf(gate.missingButRequired)("etcd is installed (REQUIRE_ETCD=1)", () => {
  expect.fail("REQUIRE_ETCD=1 but etcd/etcdctl are not installed: apt-get install etcd-server etcd-client");
});

describe.runIf(gate.available)("the talosctl relay over real etcd", { timeout: 60_000 }, () => {
  let cluster: SimCluster;
  let relay: Relay;
  let work: string;
  const abort = new AbortController();

  beforeAll(async () => {
    cluster = await startCluster({ release: "v1.13", ips: ["127.0.0.161", "127.0.0.162", "127.0.0.163"] });
    work = mkdtempSync(join(tmpdir(), "ted-relay-"));
    relay = await startRelay(join(work, "talosctl.sock"), abort.signal);
  });

  afterAll(async () => {
    relay?.stop();
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const viaRelay = (args: readonly string[]): Promise<SimResult> =>
    runSim(cluster, args, { talosctl: { path: relay.talosctlPath, env: relay.env } });

  it.each([
    ["members", ["-n", "127.0.0.161", "etcd", "members"]],
    ["a usage error", ["-n", "127.0.0.161,127.0.0.162", "etcd", "defrag"]],
    ["version", ["version"]],
    ["a node outside the cluster", ["-n", "127.0.0.169", "etcd", "members"]],
  ])("%s: the same output and exit code as the process simulator", async (_name, args) => {
    const [relayed, direct] = [await viaRelay(args), await runSim(cluster, args)];
    expect({ ...relayed, durationMs: 0 }).toEqual({ ...direct, durationMs: 0 });
  });

  it("logs each call with the client's spawn time, before the command's start", async () => {
    const before = Date.now();
    await viaRelay(["-n", cluster.nodes.join(","), "etcd", "status"]);
    const entry = (await cluster.callLog()).filter((e) => e.start >= before).at(-1);
    expect(entry?.command).toBe("status");
    // The kernel dates a process start in clock ticks (10 ms).
    expect(entry?.spawnedAt).toBeGreaterThanOrEqual(before - 10);
    expect(entry?.spawnedAt).toBeLessThanOrEqual(entry?.start ?? 0);
  });

  it("carries a whole defrag run of the tool", async () => {
    const run = await new Promise<SimResult>((resolve) => {
      execFile(
        process.execPath,
        [
          CLI,
          "--talosctl",
          relay.talosctlPath,
          "-n",
          cluster.nodes.join(","),
          "-o",
          "json",
          "defrag",
          "--yes",
        ].concat(["--force", "--no-snapshot", "--min-reclaim", "0", "--leader", "forfeit"]),
        { env: { ...process.env, ...cluster.env, ...relay.env, NO_COLOR: "1" }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ stdout, stderr, exitCode: error === null ? 0 : 1, durationMs: 0 }),
      );
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
    expect(report.steps.at(-1)?.leaderMovedTo).not.toBeNull();
  });
});
