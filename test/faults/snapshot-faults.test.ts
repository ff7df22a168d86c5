/**
 * Snapshots that cannot be written or trusted, through main(): the run is refused (exit 3) before any defrag, and
 * nothing is left under a name that retention would count as a good snapshot.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { takeSnapshot } from "../../src/run/snapshot.js";
import { parseSnapshotName } from "../../src/run/snapshot-file.js";
import type { RunReport } from "../../src/run/types.js";
import { commandOf, createStatefulCluster, isMutating, NODES, runCli } from "../cli/stateful-exec.js";
import { threeMembers } from "../run/run-harness.js";
import { failedCall, interceptExec } from "./intercept.js";

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ted-snapfault-"));
  vi.stubEnv("TALOS_ETCD_DEFRAG_LOCK_DIR", tmp);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await chmod(join(tmp, "ro"), 0o700).catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
});

const defrag = (dir: string) => ["-n", NODES, "-o", "json", "defrag", "--yes", "--snapshot-dir", dir];
const ours = async (dir: string) => (await readdir(dir)).filter((n) => parseSnapshotName(n) !== null);
const isRoot = process.getuid?.() === 0;

describe("the snapshot directory cannot be written", () => {
  it("a path through a regular file (ENOTDIR): defrag is refused (exit 3) before talosctl is asked anything mutating", async () => {
    await writeFile(join(tmp, "file"), "not a directory\n");
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defrag(join(tmp, "file", "snaps")));
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join("\n")).toMatch(/ENOTDIR/);
    expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
  });

  it.skipIf(isRoot)(
    "a read-only directory (0500): defrag is refused (exit 3), nothing mutating",
    async () => {
      const dir = join(tmp, "ro");
      await mkdir(dir, { mode: 0o500 });
      const cluster = createStatefulCluster();
      const run = await runCli(cluster, defrag(dir));
      expect(run.code).toBe(3);
      expect((JSON.parse(run.stdout) as RunReport).refusedReasons.join("\n")).toMatch(/EACCES/);
      expect(cluster.calls.filter(isMutating)).toEqual([]);
    },
  );

  // Once a bug (fixed): a raw fs error from mkdir/open (ENOTDIR, EACCES, EROFS) reached main() as "internal error".
  // takeSnapshot now wraps the directory's errors in SnapshotError, so the snapshot command refuses like defrag.
  it("the snapshot command refuses it with exit 3 and the --snapshot-dir hint, not as a bug", async () => {
    await writeFile(join(tmp, "file"), "not a directory\n");
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, [
      "-n",
      NODES,
      "snapshot",
      "--snapshot-dir",
      join(tmp, "file", "snaps"),
    ]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(3);
  });
});

it("a directory others can read: a warning, and its mode is left as the operator set it", async () => {
  const dir = join(tmp, "shared");
  await mkdir(dir);
  await chmod(dir, 0o755);
  const cluster = threeMembers();
  const snap = await takeSnapshot(cluster, await cluster.readView(), { dir, keep: 5, label: "p" }, Date.now);
  expect(snap.warnings.join("\n")).toMatch(/readable by others \(mode 755\)/);
  expect((await stat(dir)).mode & 0o777).toBe(0o755);
  expect((await stat(snap.path)).mode & 0o777).toBe(0o600);
});

describe("the snapshot cannot be completed", () => {
  it("disk full while talosctl writes: refused (exit 3), our placeholder removed, no defrag", async () => {
    const dir = join(tmp, "snaps");
    const cluster = createStatefulCluster();
    interceptExec(cluster, (args) =>
      commandOf(args).startsWith("etcd snapshot")
        ? failedCall(`error: write ${args.at(-1)}.part: no space left on device\n`)
        : undefined,
    );
    const run = await runCli(cluster, defrag(dir));
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.refusedReasons.join("\n")).toMatch(/snapshot from \S+ failed: .*no space left on device/);
    expect(report.snapshot).toBeNull();
    expect(cluster.calls.filter(isMutating).map(commandOf)).toEqual([
      expect.stringMatching(/^etcd snapshot /),
    ]);
    expect(await ours(dir)).toEqual([]);
  });

  it("talosctl killed by a signal mid-snapshot: refused (exit 3), said so, its .part file and our placeholder removed", async () => {
    const dir = join(tmp, "snaps");
    const cluster = createStatefulCluster();
    interceptExec(cluster, async (args) => {
      if (!commandOf(args).startsWith("etcd snapshot")) return undefined;
      // What talosctl leaves when a signal ends it: the partial download beside the final name.
      await writeFile(`${args.at(-1)}.part`, "");
      return {
        stdout: "",
        stderr: "",
        exitCode: undefined,
        signal: "SIGINT",
        timedOut: false,
        durationMs: 5,
      };
    });
    const run = await runCli(cluster, defrag(dir));
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.refusedReasons.join("\n")).toMatch(/snapshot from \S+ failed: .*was killed by SIGINT/);
    expect(report.refusedReasons.join("\n")).not.toMatch(/code unknown/);
    expect(await readdir(dir)).toEqual([]);
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toEqual([]);
  });

  it.each([
    ["sized from the source member's file, at least 2 minutes", [], 120_000],
    ["from --snapshot-timeout", ["--snapshot-timeout", "45s"], 45_000],
  ] as const)(
    "a snapshot that hangs times out (%s): refused (exit 3), no defrag (chaos run)",
    async (_, flags, ms) => {
      // Found by npm run chaos on etcd 3.5: the member streaming the snapshot was killed, talosctl never returned,
      // and the run waited until something killed it. A snapshot now has a client timeout.
      const dir = join(tmp, "snaps");
      const cluster = createStatefulCluster();
      const timeouts: (number | undefined)[] = [];
      interceptExec(cluster, (args, options) => {
        if (!commandOf(args).startsWith("etcd snapshot")) return undefined;
        timeouts.push(options.timeoutMs);
        return failedCall("", { exitCode: undefined, timedOut: true, durationMs: options.timeoutMs ?? 0 });
      });
      const run = await runCli(cluster, [...defrag(dir), ...flags]);
      expect(run.code).toBe(3);
      const report = JSON.parse(run.stdout) as RunReport;
      expect(report.refusedReasons.join("\n")).toMatch(/snapshot from \S+ failed: .*timed out/);
      expect(timeouts).toEqual([ms]);
      expect(await ours(dir)).toEqual([]);
      expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toEqual([]);
    },
  );

  it("the file is written but talosctl's report is garbage: refused (exit 3), no defrag", async () => {
    const dir = join(tmp, "snaps");
    const cluster = createStatefulCluster();
    garbleSnapshotReport(cluster);
    const run = await runCli(cluster, defrag(dir));
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.refusedReasons.join("\n")).toMatch(/cannot parse output of `talosctl etcd snapshot`/);
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toEqual([]);
  });

  // BUG (src/run/snapshot.ts takeSnapshot): when talosctl.snapshot() throws AFTER talosctl has written the file (here a
  // ParseError on its report), removeIfEmpty keeps the non-empty, never-verified file under OUR name, so --keep counts
  // it as a good snapshot and may prune a verified older one. Fix: on any failure after the call, rename a non-empty
  // file to `${path}.unverified` as the verification failure path already does.
  it("...and nothing unverified is left under a name retention counts", async () => {
    const dir = join(tmp, "snaps");
    const cluster = createStatefulCluster();
    garbleSnapshotReport(cluster);
    await runCli(cluster, defrag(dir));
    expect(await ours(dir)).toEqual([]);
  });

  it("a truncated file is refused (exit 3) and set aside as .unverified, 0600", async () => {
    const dir = join(tmp, "snaps");
    const cluster = createStatefulCluster();
    cluster.knobs.truncateSnapshot = true;
    const run = await runCli(cluster, defrag(dir));
    expect(run.code).toBe(3);
    expect((JSON.parse(run.stdout) as RunReport).refusedReasons.join("\n")).toMatch(/not 512·k \+ 32 bytes/);
    expect(await ours(dir)).toEqual([]);
    const [aside] = (await readdir(dir)).filter((n) => n.endsWith(".db.unverified"));
    expect((await stat(join(dir, aside ?? "missing"))).mode & 0o777).toBe(0o600);
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toEqual([]);
  });
});

/** talosctl writes the file as usual, then prints something no release prints. */
function garbleSnapshotReport(cluster: ReturnType<typeof createStatefulCluster>): void {
  const real = cluster.exec;
  cluster.exec = async (file, args, options) => {
    const result = await real(file, args, options);
    if (!commandOf(args).startsWith("etcd snapshot")) return result;
    return { ...result, stdout: "Snapshot OK\u001b[0m (see above)\n" };
  };
}
