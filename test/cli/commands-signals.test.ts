import { expect, it } from "vitest";
import type { RunReport } from "../../src/run/types.js";
import { interceptExec } from "../faults/intercept.js";
import { useTempDir } from "../support/temp-dir.js";
import { commandOf, createStatefulCluster, NODES, nodesOf, runCli } from "./stateful-exec.js";

const _tempDir = useTempDir("ted-signal-");

/** A cluster whose first defrag (172.20.0.4) hangs until released, and a CLI run with a capturable stop handler. */
function startHeldRun() {
  const cluster = createStatefulCluster();
  let started = () => {};
  let release = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  cluster.knobs.beforeDefrag = async (node) => {
    if (node !== "172.20.0.4") return;
    started();
    await gate;
  };
  let handler: ((signal: string) => void) | undefined;
  let stderr = "";
  const exits: number[] = [];
  const args = ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot", "--wait-timeout", "2s"];
  const done = runCli(cluster, args, {
    onStopSignal: (h) => {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    exitNow: (code) => exits.push(code),
    stderr: (text) => {
      stderr += text;
    },
  });
  const signal = (name: string) => {
    if (handler === undefined) throw new Error("no stop handler registered");
    handler(name);
  };
  return { cluster, running, release, done, signal, exits, stderr: () => stderr, handler: () => handler };
}

const defragNodes = (calls: string[][]) =>
  calls.filter((c) => commandOf(c) === "etcd defrag").flatMap((c) => nodesOf(c));

it("a second stop signal during a defrag exits at once (130) and names the node", async () => {
  const run = startHeldRun();
  await run.running;
  run.signal("SIGINT");
  expect(run.exits).toEqual([]);
  expect(run.stderr()).toMatch(/SIGINT: stopping after the defrag of 172\.20\.0\.4 finishes and is verified/);
  run.signal("SIGINT");
  expect(run.exits).toEqual([130]);
  expect(run.stderr()).toMatch(/SIGINT again: exiting now\. A defrag may still be running on 172\.20\.0\.4/);
  expect(run.stderr()).toContain("talosctl -n 172.20.0.4 etcd status");
  // exitNow is a no-op here: let the run wind down so nothing is left pending.
  run.release();
  expect((await run.done).code).toBe(130);
  expect(run.handler()).toBeUndefined();
});

it("one stop signal: the running defrag finishes and is verified, then the run stops with the rest untouched", async () => {
  const run = startHeldRun();
  await run.running;
  run.signal("SIGTERM");
  run.release();
  const result = await run.done;
  expect(result.code).toBe(130);
  expect(run.exits).toEqual([]);
  expect(defragNodes(run.cluster.calls)).toEqual(["172.20.0.4"]);
  expect(run.cluster.calls.filter((c) => commandOf(c) === "etcd forfeit-leadership")).toEqual([]);
  const report = JSON.parse(result.stdout) as RunReport;
  expect(report.result).toBe("interrupted");
  expect(report.steps.map((s) => [s.node, s.outcome, s.verified])).toEqual([
    ["172.20.0.4", "done", true],
    ["172.20.0.2", "not-touched", false],
    ["172.20.0.3", "not-touched", false],
  ]);
  expect(report.steps[0]?.after?.dbSize).toBe(47_000_000);
  // A verification poll ran after the held defrag returned.
  const lastDefrag = run.cluster.calls.findIndex((c) => commandOf(c) === "etcd defrag");
  expect(run.cluster.calls.slice(lastDefrag + 1).some((c) => commandOf(c) === "etcd status")).toBe(true);
  expect(run.cluster.members.map((m) => m.dbSize)).toEqual([310e6, 420e6, 47e6]);
});

it("a defrag call that a signal ended is reported by that signal, never as 'exited with code unknown'", async () => {
  // Given talosctl dies by SIGKILL during the first defrag (the OOM killer, an operator's kill), nothing done
  const cluster = createStatefulCluster();
  interceptExec(cluster, (args) =>
    commandOf(args) === "etcd defrag"
      ? { stdout: "", stderr: "", exitCode: undefined, signal: "SIGKILL", timedOut: false, durationMs: 3 }
      : undefined,
  );
  const args = ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot", "--wait-timeout", "2s"];
  const result = await runCli(cluster, args);
  // Then the step's error names the signal
  const report = JSON.parse(result.stdout) as RunReport;
  const text = [report.error, ...report.steps.map((s) => s.error)].join("\n");
  expect(text).toMatch(/talosctl -n 172\.20\.0\.4 etcd defrag was killed by SIGKILL/);
  expect(text).not.toMatch(/code unknown/);
});
