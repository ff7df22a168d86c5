/**
 * Closed pipes for real: the built CLI (bin/talos-etcd-defrag.js) as a child process over the simulator's model
 * backend (no etcd), with the read end of its stdout or stderr closed before it writes anything, as `| head -1` or
 * a log shipper that went away would leave it. Node reports such a write as an EPIPE "error" event; unheard, that
 * is an uncaught exception that kills the process, between members or after a finished run. `npm test` builds first.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertSimBuilt } from "../../sim/exec-sim.js";
import { fragmentModelCluster, startModelCluster } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";
import type { RunReport } from "../../src/run/types.js";
import { expectCliJson } from "../support/json-documents.js";
import { useTempDir } from "../support/temp-dir.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "bin", "talos-etcd-defrag.js");

const tempDir = useTempDir("ted-pipe-");
let cluster: SimCluster;
beforeEach(async () => {
  if (!existsSync(join(ROOT, "dist", "cli", "main.js")))
    throw new Error("dist/ is missing: run `npm run build`");
  cluster = await startModelCluster({ release: "v1.13", dir: tempDir() });
  assertSimBuilt(cluster);
  fragmentModelCluster(cluster);
});
afterEach(async () => {
  await cluster?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with one of its output pipes closed on our side before the child can write to it. */
function runWithClosed(closed: "stdout" | "stderr", args: string[]): Promise<Run> {
  const child = spawn(
    process.execPath,
    [CLI, "--talosctl", cluster.talosctlPath, "-n", cluster.nodes.join(","), ...args],
    {
      env: { ...process.env, ...cluster.env, NO_COLOR: "1", TALOS_ETCD_DEFRAG_LOCK_DIR: tempDir() },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child[closed].destroy();
  const out = { stdout: "", stderr: "" };
  const open = closed === "stdout" ? "stderr" : "stdout";
  child[open].setEncoding("utf8").on("data", (chunk: string) => {
    out[open] += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      try {
        // With stdout open the document must be whole, and the contract's (a closed stdout has none to check).
        if (closed === "stderr") expectCliJson(args, out.stdout);
        resolve({ code, ...out });
      } catch (error) {
        reject(error);
      }
    });
  });
}

const defragged = async () =>
  (await cluster.callLog()).filter((e) => e.command === "defrag").flatMap((e) => e.nodes);

describe("a closed output pipe never turns a finished run into a failure", () => {
  it("defrag -o json with stdout closed: exit 0, every member defragmented, the loss said on stderr", async () => {
    const run = await runWithClosed("stdout", ["-o", "json", "defrag", "--yes", "--no-snapshot", "--force"]);
    expect(run.stderr).not.toMatch(/EPIPE\n\s+at |internal error|Unhandled/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^warning: stdout is closed \(EPIPE\)/m);
    expect((await defragged()).sort()).toEqual([...cluster.nodes].sort());
  }, 120_000);

  it("defrag with stderr closed (every progress line fails): exit 0, every member defragmented, the JSON whole", async () => {
    const run = await runWithClosed("stderr", ["-o", "json", "defrag", "--yes", "--no-snapshot", "--force"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("ok");
    expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
    expect((await defragged()).sort()).toEqual([...cluster.nodes].sort());
  }, 120_000);
});
