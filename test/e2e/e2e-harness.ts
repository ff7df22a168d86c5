/**
 * Runs the built CLI (bin/talos-etcd-defrag.js, as a user would) against a simulated Talos control plane over
 * real etcd, and reads back what the simulator saw. `npm test` builds first.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type CallLogEntry, type ClusterOptions, type SimCluster, startCluster } from "../../sim/cluster.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";
import { expectCliJson } from "../support/json-documents.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "bin", "talos-etcd-defrag.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  cluster: SimCluster,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<CliResult> {
  const result = await execa(
    process.execPath,
    [CLI, "--talosctl", cluster.talosctlPath, "-n", cluster.nodes.join(","), ...args],
    {
      env: { ...cluster.env, NO_COLOR: "1" },
      reject: false,
      timeout: timeoutMs,
      stdin: "ignore",
    },
  );
  return checkedResult(args, {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  });
}

/**
 * A run's result after its `-o json` document (if any) was parsed with the command's schema: every e2e run that
 * prints JSON goes through here, so the documents real etcd produces are held to the contract too.
 */
export function checkedResult(args: readonly string[], result: CliResult): CliResult {
  try {
    expectCliJson(args, result.stdout);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nstderr:\n${result.stderr}`);
  }
  return result;
}

/** stdout of a run started by hand (a test that needs the child process): checked like runCli's, then parsed. */
export function checkedJson<T>(args: readonly string[], stdout: unknown): T {
  expectCliJson(args, String(stdout));
  return JSON.parse(String(stdout)) as T;
}

export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

export function snapshotDir(): string {
  return mkdtempSync(join(tmpdir(), "ted-e2e-snap-"));
}

/** The calls of one kind, in order, with the node each was aimed at. */
export function callsOf(
  log: readonly CallLogEntry[],
  command: string,
): { node: string; start: number; end: number }[] {
  return log
    .filter((e) => e.command === command)
    .map((e) => ({ node: e.nodes.join(","), start: e.start, end: e.end }));
}

/**
 * describe() for a suite over real etcd: one cluster for the file, always stopped. Without etcd the suite is
 * skipped loudly, and with REQUIRE_ETCD=1 (CI) it fails instead.
 */
export function describeWithEtcd(
  name: string,
  options: ClusterOptions,
  body: (get: () => SimCluster) => void,
): void {
  const gate = checkEtcdGate(name);
  if (gate.missingButRequired) {
    describe(name, () => {
      it("needs etcd (REQUIRE_ETCD=1): install etcd-server and etcd-client", () => {
        throw new Error("REQUIRE_ETCD=1 but etcd/etcdctl are not installed");
      });
    });
    return;
  }
  // Real clusters on a 2-core machine: a single step can take tens of seconds under load.
  describe.skipIf(!gate.available)(name, { timeout: 120_000 }, () => {
    let cluster: SimCluster | undefined;
    // Longer than startCluster's own deadlines (with a learner: election 20 s, member add 60 s, join 30 s), so
    // a slow start fails with its own message and the etcd log tails instead of a bare hook timeout.
    beforeAll(async () => {
      cluster = await startCluster(options);
    }, 180_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);
    body(() => {
      if (cluster === undefined) throw new Error("cluster did not start");
      return cluster;
    });
  });
}
