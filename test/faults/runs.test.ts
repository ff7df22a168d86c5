/**
 * Concurrency and stop signals through main(): a second run while one is running, and SIGINT/SIGTERM during the
 * snapshot and between members. The stateful cluster answers as talosctl v1.13 would.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/run/types.js";
import {
  commandOf,
  createStatefulCluster,
  fragmentedMembers,
  isMutating,
  NODES,
  nodesOf,
  runCli,
} from "../cli/stateful-exec.js";
import { useTempDir } from "../support/temp-dir.js";
import { interceptExec } from "./intercept.js";

const tempDir = useTempDir("ted-runs-");

const defragArgs = (...extra: string[]) => ["-n", NODES, "-o", "json", "defrag", "--yes", ...extra];
const defragNodes = (calls: string[][]) =>
  calls.filter((c) => commandOf(c) === "etcd defrag").flatMap((c) => nodesOf(c));

it("a second run while one is running: refused (exit 3) by the lock, not one mutating call, the first finishes", async () => {
  // Given a first run holding its first defrag (172.20.0.4) open
  const cluster = createStatefulCluster();
  let started = () => {};
  let release = () => {};
  const running = new Promise<void>((r) => {
    started = r;
  });
  const gate = new Promise<void>((r) => {
    release = r;
  });
  cluster.knobs.beforeDefrag = async (node) => {
    if (node !== "172.20.0.4") return;
    started();
    await gate;
  };
  const first = runCli(cluster, defragArgs("--no-snapshot"));
  await running;
  // When a second run for the same cluster starts
  const from = cluster.calls.length;
  const second = await runCli(cluster, defragArgs("--snapshot-dir", join(tempDir(), "snaps")));
  // Then it is refused before its snapshot or any defrag
  expect(second.code).toBe(3);
  const report = JSON.parse(second.stdout) as RunReport;
  expect(report.result).toBe("refused");
  expect(report.refusedReasons.join("\n")).toMatch(/another talos-etcd-defrag run holds the lock .*pid \d+/);
  expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
  expect(cluster.calls.slice(from).filter(isMutating)).toEqual([]);
  await expect(readdir(join(tempDir(), "snaps"))).rejects.toThrow(/ENOENT/);
  // One lock per member, all the first run's.
  expect((await readdir(tempDir())).filter((f) => f.endsWith(".lock"))).toHaveLength(3);
  // And the first run is not disturbed
  release();
  const done = await first;
  expect(done.code, done.stderr).toBe(0);
  expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4", "172.20.0.2", "172.20.0.3"]);
  // The lock was the first run's, and it is gone with it.
  expect((await readdir(tempDir())).filter((f) => f.endsWith(".lock"))).toEqual([]);
});

describe("stop signals", () => {
  /** A run whose stop handler is captured, so the test can send SIGINT at an exact call. */
  function withSignals() {
    let handler: ((signal: string) => void) | undefined;
    const exits: number[] = [];
    const io = {
      onStopSignal: (h: (signal: string) => void) => {
        handler = h;
        return () => {
          handler = undefined;
        };
      },
      exitNow: (code: number) => void exits.push(code),
    };
    return { io, exits, send: (name: string) => handler?.(name), registered: () => handler !== undefined };
  }

  it("SIGINT during the snapshot: the snapshot finishes and is verified, no member is touched, exit 130", async () => {
    const cluster = createStatefulCluster();
    const stop = withSignals();
    interceptExec(cluster, (args) => {
      if (commandOf(args).startsWith("etcd snapshot")) stop.send("SIGINT");
      return undefined;
    });
    const run = await runCli(cluster, defragArgs("--snapshot-dir", join(tempDir(), "snaps")), stop.io);
    expect(run.code).toBe(130);
    expect(stop.exits).toEqual([]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("interrupted");
    expect(report.snapshot).toMatchObject({ sha256Verified: true });
    expect(report.steps.map((s) => s.outcome)).toEqual(["not-touched", "not-touched", "not-touched"]);
    expect(cluster.calls.filter(isMutating).map(commandOf)).toEqual([
      expect.stringMatching(/^etcd snapshot /),
    ]);
    expect(run.stderr).toMatch(/SIGINT: stopping after/);
  });

  it("SIGTERM between members (while the first is verified): no further member, exit 130, handler removed", async () => {
    const cluster = createStatefulCluster();
    const stop = withSignals();
    let defrags = 0;
    interceptExec(cluster, (args) => {
      if (commandOf(args) === "etcd defrag") defrags++;
      else if (commandOf(args) === "etcd status" && defrags === 1) stop.send("SIGTERM");
      return undefined;
    });
    const run = await runCli(cluster, defragArgs("--no-snapshot"), stop.io);
    expect(run.code).toBe(130);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      ["172.20.0.4", "done"],
      ["172.20.0.2", "not-touched"],
      ["172.20.0.3", "not-touched"],
    ]);
    expect(defragNodes(cluster.calls)).toEqual(["172.20.0.4"]);
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd forfeit-leadership")).toEqual([]);
    expect(stop.registered()).toBe(false);
  });

  it("SIGINT before confirmation is answered: nothing touched, exit 130 once the run starts", async () => {
    const cluster = createStatefulCluster();
    const stop = withSignals();
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "defrag", "--no-snapshot"], {
      ...stop.io,
      stdinIsTTY: true,
      confirm: async () => {
        stop.send("SIGINT");
        return true;
      },
    });
    expect(run.code).toBe(130);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
  });
});

describe("the lock is the cluster's, however it is named (issue 18 item 2)", () => {
  const namings: [string, string[]][] = [
    ["--context spelled out", ["--context", "admin@homelab", ...defragArgs()]],
    ["--talosconfig given", ["--talosconfig", "/etc/talos/config", ...defragArgs()]],
    ["--endpoints given", ["-e", "172.20.0.2", ...defragArgs()]],
  ];
  it.each(namings)("%s: the second run is refused (exit 3) and sends nothing mutating", async (_, args) => {
    // Given a first run holding its first defrag open
    const cluster = createStatefulCluster();
    let started = () => {};
    let release = () => {};
    const running = new Promise<void>((r) => {
      started = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    cluster.knobs.beforeDefrag = async () => {
      if (held) return;
      held = true;
      started();
      await gate;
    };
    const first = runCli(cluster, defragArgs("--no-snapshot"));
    await running;
    // When a second run names the same cluster differently
    const from = cluster.calls.length;
    const second = await runCli(cluster, [...args, "--no-snapshot"]);
    // Then it is refused before any mutating call
    expect(second.code, second.stderr).toBe(3);
    expect((JSON.parse(second.stdout) as RunReport).refusedReasons.join("\n")).toMatch(/holds the lock/);
    expect(cluster.calls.slice(from).filter(isMutating)).toEqual([]);
    release();
    expect((await first).code).toBe(0);
    expect(defragNodes(cluster.calls)).toHaveLength(3);
  });
});

it("another cluster (other member IDs) under the same -n and context is not held back by the first run's lock", async () => {
  // Given a first run holding its first defrag open on one cluster
  const cluster = createStatefulCluster();
  let started = () => {};
  let release = () => {};
  const running = new Promise<void>((r) => {
    started = r;
  });
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let held = false;
  cluster.knobs.beforeDefrag = async () => {
    if (held) return;
    held = true;
    started();
    await gate;
  };
  const first = runCli(cluster, ["--context", "admin@talos-default", ...defragArgs("--no-snapshot")]);
  await running;
  // When a run for another cluster (same addresses and context name, other members) starts
  const other = createStatefulCluster(
    fragmentedMembers().map((m, i) => ({ ...m, memberId: `${i + 1}`.repeat(16) })),
  );
  const second = await runCli(other, ["--context", "admin@talos-default", ...defragArgs("--no-snapshot")]);
  // Then it runs: the lock is the cluster's members, not its name
  expect(second.code, second.stderr).toBe(0);
  expect(defragNodes(other.calls)).toHaveLength(3);
  release();
  expect((await first).code).toBe(0);
});
