/**
 * Configuration and permission faults through main(): talosctl's own refusals (talosconfig unreadable, no nodes,
 * RBAC denied, a hung call) come back as exit codes with a hint, and nothing mutating runs after them.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { UserError } from "../../src/errors.js";
import type { RunReport } from "../../src/run/types.js";
import { runProcess } from "../../src/talos/runner.js";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import { commandOf, createStatefulCluster, isMutating, NODES, runCli } from "../cli/stateful-exec.js";
import { useTempDir } from "../support/temp-dir.js";
import { failedCall, interceptExec } from "./intercept.js";

const tempDir = useTempDir("ted-config-");

const failed = failedCall;

/** Every call fails the same way, as talosctl does before it reaches any node. */
function alwaysExec(result: ExecResult) {
  return (calls: string[][]): Exec =>
    async (_file, args) => {
      calls.push([...args]);
      return result;
    };
}

// talosctl's WithClientNoNodes wraps clientconfig.Open's error this way (cmd/talosctl/pkg/talos/global/client.go).
const UNREADABLE = (path: string) =>
  `failed to open config file "${path}": open ${path}: permission denied\n`;
const PERMISSION_DENIED = "rpc error: code = PermissionDenied desc = not authorized\n";
const NO_NODES =
  "nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against\n";

describe("talosconfig unreadable (talosctl's own error)", () => {
  const path = "/home/op/.talos/talosconfig";

  it("status: exit 2 (configuration error), talosctl's error quoted, a hint naming --talosconfig, one call", async () => {
    const rec = recordIO(alwaysExec(failed(UNREADABLE(path))));
    const code = await main(["--talosctl", ANY_EXECUTABLE, "--talosconfig", path, "status"], rec.io);
    expect(code).toBe(2);
    expect(rec.stderr()).toContain(`failed to open config file "${path}"`);
    expect(rec.stderr()).toMatch(/hint: check --talosconfig/);
    // Without -n the first call is discovery (etcd members): it fails, so nothing else is asked.
    expect(rec.calls.map(commandOf)).toEqual(["etcd members"]);
  });

  it("defrag -n: exit 2 at the first calls (status, the quota read and the node reads, side by side), nothing mutating, no quota fallback", async () => {
    const rec = recordIO(alwaysExec(failed(UNREADABLE(path))));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "--talosconfig", path, "-n", NODES, "-o", "json", "defrag", "--yes"],
      rec.io,
    );
    expect(code).toBe(2);
    expect(rec.stdout()).toBe("");
    expect(rec.stderr()).not.toMatch(/warning: could not read the etcd quota/);
    expect(rec.calls.map(commandOf).sort()).toEqual([
      "etcd status",
      "get etcdspec etcd -o yaml",
      "mounts",
      "processes",
    ]);
    expect(rec.calls.filter(isMutating)).toEqual([]);
    // The node reads asked beside the first look say nothing of a run that never used them.
    expect(rec.stderr()).not.toMatch(/is unknown/);
  });

  it("the hint names --talosconfig whatever the file is called", async () => {
    const rec = recordIO(alwaysExec(failed(UNREADABLE("/home/op/.talos/config"))));
    expect(await main(["--talosctl", ANY_EXECUTABLE, "status"], rec.io)).toBe(2);
    expect(rec.stderr()).toMatch(/hint: check --talosconfig/);
  });
});

describe("no nodes configured (no -n, a context without nodes)", () => {
  it.each([["status"], ["check"], ["defrag", "--yes"], ["snapshot"], ["alarms"]])(
    "%s: exit 2 with the hint to pass -n, after the one discovery call",
    async (...args) => {
      const rec = recordIO(alwaysExec(failed(NO_NODES)));
      const code = await main(["--talosctl", ANY_EXECUTABLE, ...args], rec.io);
      expect(code).toBe(2);
      expect(rec.stderr()).toMatch(/nodes are not set for the command/);
      expect(rec.stderr()).toMatch(/hint: pass the control plane nodes with -n/);
      expect(rec.calls.length).toBeLessThanOrEqual(1);
      expect(rec.calls.filter(isMutating)).toEqual([]);
    },
  );
});

describe("RBAC denied", () => {
  it("status with a role that cannot read etcd: exit 1, every node listed with PermissionDenied", async () => {
    // Every multi-node call fails per node the way v1.13 prints it (fixtures/v1.13/permission-denied/status.stderr).
    const denied = (what: string) =>
      failed(
        `error getting ${what}: 3 errors occurred:\n${NODES.split(",")
          .map((n) => `\t* ${n}: rpc error: code = PermissionDenied desc = not authorized\n`)
          .join("")}\n`,
      );
    const rec = recordIO((calls) => {
      const fixture = fixtureExec("v1.13", "permission-denied", calls);
      return async (file, args, options) => {
        const command = commandOf(args);
        if (command === "etcd status") return fixture(file, args, options);
        calls.push([...args]);
        return command.startsWith("get ") ? failed(PERMISSION_DENIED) : denied(command);
      };
    });
    const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "json", "status"], rec.io);
    expect(code).toBe(1);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view.members).toEqual([]);
    expect(view.healthy).toBe(false);
    expect(view.unreachable.map((u) => u.node).sort()).toEqual(NODES.split(","));
    for (const u of view.unreachable) expect(u.error).toMatch(/PermissionDenied/);
  });

  it("defrag as os:reader: the snapshot is denied first, so the run is refused (exit 3) and nothing else runs", async () => {
    const cluster = createStatefulCluster();
    interceptExec(cluster, (args) =>
      /^etcd (snapshot|defrag)/.test(commandOf(args)) ? failedCall(PERMISSION_DENIED) : undefined,
    );
    const snaps = join(tempDir(), "snaps");
    const run = await runCli(cluster, [
      "-n",
      NODES,
      "-o",
      "json",
      "defrag",
      "--yes",
      "--snapshot-dir",
      snaps,
    ]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.refusedReasons.join("\n")).toMatch(/snapshot from .* failed: .*PermissionDenied/);
    expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
    expect(cluster.calls.filter(isMutating).map(commandOf)).toEqual([
      expect.stringMatching(/^etcd snapshot /),
    ]);
    // The empty placeholder reserved for the snapshot is removed again.
    expect(await readdir(snaps)).toEqual([]);
  });

  it("defrag denied (a role with snapshot but not defrag): one call, never re-issued, refused with exit 3", async () => {
    const cluster = createStatefulCluster();
    interceptExec(cluster, (args) =>
      commandOf(args) === "etcd defrag" ? failedCall(PERMISSION_DENIED) : undefined,
    );
    const run = await runCli(cluster, ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot"]);
    // The API refused before etcd saw the call: nothing changed, so this is a refusal, not a failure part-way.
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.steps.map((s) => s.outcome)).toEqual(["not-touched", "not-touched", "not-touched"]);
    expect(report.steps[0]?.error).toMatch(/PermissionDenied.*os:operator/);
    expect(cluster.calls.filter(isMutating).map(commandOf)).toEqual(["etcd defrag"]);
  });
});

it("a worker node given with -n: defrag is refused (exit 3), the node named, nothing mutating", async () => {
  const rec = recordIO((calls) => fixtureExec("v1.14", "worker-node", calls));
  const nodes = "172.20.0.2,172.20.0.3,172.20.0.4,172.20.0.6";
  const code = await main(
    ["--talosctl", ANY_EXECUTABLE, "-n", nodes, "-o", "json", "defrag", "--yes", "--no-snapshot"],
    rec.io,
  );
  expect(code).toBe(3);
  const report = JSON.parse(rec.stdout()) as RunReport;
  expect(report.refusedReasons.join("\n")).toMatch(
    /172\.20\.0\.6 did not answer: .*only available on control plane/,
  );
  expect(rec.calls.filter(isMutating)).toEqual([]);
});

describe("talosctl hangs or disappears", () => {
  it("a short call that times out: exit 1 with the --timeout hint", async () => {
    const rec = recordIO(alwaysExec(failed("", { exitCode: undefined, timedOut: true })));
    const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "--timeout", "2s", "status"], rec.io);
    expect(code).toBe(1);
    expect(rec.stderr()).toMatch(/timed out/);
    expect(rec.stderr()).toMatch(/hint: talosctl did not answer in time; .*raise --timeout/);
  });

  it("runProcess kills a hung child at its timeout and reports it as timed out, without an exit code", async () => {
    const started = Date.now();
    const result = await runProcess(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], {
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ timedOut: true, exitCode: undefined });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("runProcess on a talosctl that vanished after the lookup is a UserError with the install hint", async () => {
    const err = await runProcess(join(tempDir(), "no-such-talosctl"), ["version"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).hint).toMatch(/--talosctl PATH/);
  });
});
