/**
 * SIGHUP for real (issue 27 item 9): a closed terminal or a dropped SSH session sends it. The built CLI runs as a
 * child process over the simulator's model backend (no etcd), behind a talosctl wrapper that holds the first
 * `etcd defrag` until the test lets it go; SIGHUP arrives while that defrag runs. Before the fix Node's default
 * action killed the tool there: no verification, no report, the lock files left. `npm test` builds first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertSimBuilt } from "../../sim/exec-sim.js";
import { fragmentModelCluster, startModelCluster } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "bin", "talos-etcd-defrag.js");

const tempDir = useTempDir("ted-sighup-");
let cluster: SimCluster;
beforeEach(async () => {
  cluster = await startModelCluster({ release: "v1.13", dir: tempDir() });
  assertSimBuilt(cluster);
  fragmentModelCluster(cluster);
});
afterEach(async () => {
  await cluster?.stop();
});

/** The simulator behind a wrapper: an `etcd defrag` marks that it started, then waits (bounded) for `go`. */
function holdingTalosctl(marks: string): string {
  const path = join(marks, "talosctl");
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      'case " $* " in *" etcd defrag "*)',
      `  : > ${JSON.stringify(join(marks, "defrag-started"))}`,
      "  i=0",
      `  while [ ! -e ${JSON.stringify(join(marks, "go"))} ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done ;;`,
      "esac",
      `exec ${JSON.stringify(cluster.talosctlPath)} "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Resolves once check() holds, polling a bounded number of times; false when the child closed first. */
async function until(child: ChildProcess, check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1200; i++) {
    if (check()) return true;
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("SIGHUP during a run (issue 27 item 9)", () => {
  it("is a stop signal like SIGTERM: the running defrag is verified, the report written, the lock released, exit 130", async () => {
    const marks = tempDir();
    const talosctl = holdingTalosctl(marks);
    // Given a run whose first defrag is running
    const child = spawn(
      process.execPath,
      [
        CLI,
        "--talosctl",
        talosctl,
        "-n",
        cluster.nodes.join(","),
        "-o",
        "json",
        "defrag",
        "--yes",
        "--no-snapshot",
        "--force",
      ],
      {
        env: { ...process.env, ...cluster.env, NO_COLOR: "1", TALOS_ETCD_DEFRAG_LOCK_DIR: tempDir() },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const out = { stdout: "", stderr: "" };
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      out.stdout += c;
    });
    child.stderr?.setEncoding("utf8").on("data", (c: string) => {
      out.stderr += c;
    });
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    try {
      expect(await until(child, () => existsSync(join(marks, "defrag-started"))), out.stderr).toBe(true);
      // When the terminal goes away
      child.kill("SIGHUP");
      await until(child, () => out.stderr.includes("SIGHUP: stopping after"));
      writeFileSync(join(marks, "go"), "");
      const { code, signal } = await closed;
      // Then the run stops as on SIGTERM: the running defrag finished and verified, nothing else touched
      expect({ code, signal }, out.stderr).toEqual({ code: 130, signal: null });
      expect(out.stderr).toMatch(/SIGHUP: stopping after the defrag of \S+ finishes and is verified/);
      const report = JSON.parse(out.stdout) as RunReport;
      expect(report.result).toBe("interrupted");
      expect(report.steps.map((s) => s.outcome)).toEqual(["done", "not-touched", "not-touched"]);
      expect(report.steps[0]?.verified).toBe(true);
      const defrags = (await cluster.callLog()).filter((e) => e.command === "defrag");
      expect(defrags).toHaveLength(1);
      // And the lock is released
      expect(readdirSync(tempDir()).filter((f) => f.endsWith(".lock"))).toEqual([]);
    } finally {
      writeFileSync(join(marks, "go"), "");
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await closed;
    }
  }, 60_000);
});
