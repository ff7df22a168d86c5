/**
 * Nothing lost after success: a metrics path that cannot work is refused before anything is done (exit 2), and a
 * side output that fails after the work (metrics file, snapshot retention, lock release, stdout, stderr) is a
 * warning at most; the run keeps its exit code. File-system failures root cannot provoke (EACCES on unlink) are
 * injected by path through a pass-through mock of node:fs/promises.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { acquireLock } from "../../src/run/lock.js";
import { PruneError, pruneSnapshots } from "../../src/run/retention.js";
import { formatSnapshotName } from "../../src/run/snapshot-file.js";
import type { RunReport } from "../../src/run/types.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import { commandOf, createStatefulCluster, NODES, nodesOf, runCli } from "../cli/stateful-exec.js";
import { writeSnapshot } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";

const faults = vi.hoisted(() => ({ rules: [] as { op: "unlink" | "open"; path: RegExp; code: string }[] }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const failing =
    <A extends unknown[], R>(op: "unlink" | "open", fn: (path: string, ...rest: A) => Promise<R>) =>
    async (path: string, ...rest: A): Promise<R> => {
      const rule = faults.rules.find((r) => r.op === op && r.path.test(String(path)));
      if (rule !== undefined)
        throw Object.assign(new Error(`${rule.code}: injected, ${op} '${path}'`), { code: rule.code });
      return fn(path, ...rest);
    };
  const mocked = {
    ...real,
    unlink: failing("unlink", real.unlink as (path: string) => Promise<void>),
    open: failing("open", real.open as (path: string, ...rest: unknown[]) => ReturnType<typeof real.open>),
  };
  return { ...mocked, default: mocked };
});

const tempDir = useTempDir("ted-side-");
const injected = (rules: typeof faults.rules) => {
  faults.rules = rules;
};

const exactly = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
const defragNodes = (calls: string[][]) =>
  calls.filter((c) => commandOf(c) === "etcd defrag").flatMap((c) => nodesOf(c));
const defragJson = (...extra: string[]) => ["-n", NODES, "-o", "json", "defrag", "--yes", ...extra];
const ALL = ["172.20.0.4", "172.20.0.2", "172.20.0.3"];

describe("a --metrics-file that cannot be written is refused before anything is done (exit 2)", () => {
  const commands: [string, string[]][] = [
    ["status", ["status"]],
    ["check", ["check"]],
    ["defrag", ["defrag", "--yes", "--no-snapshot"]],
    ["defrag --dry-run", ["defrag", "--dry-run"]],
  ];
  const paths: [string, (dir: string) => Promise<string>, RegExp][] = [
    ["its directory is missing", async (d) => join(d, "missing", "x.prom"), /does not exist/],
    [
      "its directory is a file",
      async (d) => {
        await writeFile(join(d, "file"), "");
        return join(d, "file", "x.prom");
      },
      /below a file|not a directory/,
    ],
    [
      "it is a directory",
      async (d) => {
        await mkdir(join(d, "dir.prom"));
        return join(d, "dir.prom");
      },
      /it is a directory/,
    ],
    [
      "files cannot be created in its directory (EROFS)",
      async (d) => {
        injected([{ op: "open", path: /\.tmp$/, code: "EROFS" }]);
        return join(d, "x.prom");
      },
      /cannot create files in .*EROFS/,
    ],
  ];
  const cases = commands.flatMap(([name, args]) =>
    paths.map(([why, make, msg]) => [name, why, args, make, msg] as const),
  );
  it.each(cases)("%s: %s", async (_name, _why, args, make, message) => {
    injected([]);
    const path = await make(tempDir());
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, ["-n", NODES, ...args, "--metrics-file", path]);
    injected([]);
    expect(run.code, run.stderr).toBe(2);
    expect(cluster.calls).toEqual([]);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^error: --metrics-file .* cannot be written: /m);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^hint: /m);
    // The probe leaves nothing behind in the collector's directory.
    expect((await readdir(tempDir())).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("a run that did its job keeps its exit code when a side output fails afterwards", () => {
  it("defrag: the metrics directory vanishes during the run: exit 0, every member done, a warning in JSON and on stderr", async () => {
    const dir = join(tempDir(), "collector");
    await mkdir(dir);
    const cluster = createStatefulCluster();
    cluster.knobs.beforeDefrag = async (node) => {
      if (node === "172.20.0.3") await rm(dir, { recursive: true });
    };
    const run = await runCli(cluster, defragJson("--no-snapshot", "--metrics-file", join(dir, "d.prom")));
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("ok");
    expect(report.warnings.join("\n")).toMatch(/metrics not written, the defrag result stands: .*ENOENT/);
    expect(run.stderr).toMatch(/^warning: metrics not written/m);
    expect(defragNodes(cluster.calls)).toEqual(ALL);
  });

  it.each([
    ["status", ["status"]],
    ["check", ["check"]],
  ])(
    "%s: the metrics write fails after the read: same exit code as without metrics, JSON warnings",
    async (_, args) => {
      const plain = recordIO((calls) => fixtureExec("v1.14", "fragmented", calls));
      const expected = await main(
        ["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "json", ...args],
        plain.io,
      );
      const dir = join(tempDir(), "collector");
      await mkdir(dir);
      // The directory disappears between the check before the run and the write after it.
      const rec = recordIO((calls) => {
        const exec = fixtureExec("v1.14", "fragmented", calls);
        return async (file, argv, options) => {
          await rm(dir, { recursive: true, force: true });
          return exec(file, argv, options);
        };
      });
      const code = await main(
        [
          "--talosctl",
          ANY_EXECUTABLE,
          "-n",
          NODES,
          "-o",
          "json",
          ...args,
          "--metrics-file",
          join(dir, "s.prom"),
        ],
        rec.io,
      );
      expect(code, rec.stderr()).toBe(expected);
      const doc = JSON.parse(rec.stdout()) as { warnings?: string[] };
      expect(doc.warnings?.join("\n")).toMatch(/metrics not written/);
      expect(rec.stderr()).toMatch(/^warning: metrics not written/m);
      expect(JSON.parse(plain.stdout())).not.toHaveProperty("warnings");
    },
  );

  it("defrag: the run lock cannot be removed at the end: exit 0, a warning naming the lock", async () => {
    injected([{ op: "unlink", path: /\.lock$/, code: "EACCES" }]);
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragJson("--no-snapshot"));
    injected([]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("ok");
    expect(report.warnings.join("\n")).toMatch(/could not remove the run lock .*\.lock .*EACCES.*stale/);
    expect(run.stderr).toMatch(/^warning: could not remove the run lock/m);
    expect(defragNodes(cluster.calls)).toEqual(ALL);
  });

  it("defrag: older snapshots cannot be pruned after a good one: exit 0, every member done, a warning", async () => {
    const snaps = join(tempDir(), "snaps");
    const first = await runCli(createStatefulCluster(), [
      "-n",
      NODES,
      "-o",
      "json",
      "snapshot",
      "--snapshot-dir",
      snaps,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const old = (JSON.parse(first.stdout) as { snapshot: { path: string } }).snapshot.path;
    injected([{ op: "unlink", path: exactly(old), code: "EACCES" }]);
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragJson("--snapshot-dir", snaps, "--keep", "1"));
    injected([]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("ok");
    expect(report.snapshot?.sha256Verified).toBe(true);
    expect(report.warnings.join("\n")).toMatch(
      /new snapshot is good, but older ones beyond --keep 1 .*EACCES/,
    );
    expect(defragNodes(cluster.calls)).toEqual(ALL);
    // Both snapshots, each with its manifest: the one that could not be deleted is still counted next time.
    expect((await readdir(snaps)).sort()).toHaveLength(4);
  });

  it("defrag: the snapshot's manifest cannot be written: exit 0, every member done, the snapshot reported, a warning", async () => {
    const snaps = join(tempDir(), "snaps");
    injected([{ op: "open", path: /\.db\.json\.[0-9a-f]+\.tmp$/, code: "EROFS" }]);
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragJson("--snapshot-dir", snaps));
    injected([]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.snapshot).toMatchObject({ sha256Verified: true, manifest: null });
    expect(report.warnings.join("\n")).toMatch(
      /is good, but its manifest could not be written .*EROFS.*snapshot adopt/,
    );
    expect(defragNodes(cluster.calls)).toEqual(ALL);
    // No half-written manifest, no temporary file left behind.
    expect(await readdir(snaps)).toEqual([(report.snapshot?.path ?? "").slice(snaps.length + 1)]);
  });

  it("snapshot: older snapshots cannot be pruned: exit 0 (not an internal error), the snapshot reported, a warning", async () => {
    const snaps = join(tempDir(), "snaps");
    const args = ["-n", "172.20.0.2", "-o", "json", "snapshot", "--snapshot-dir", snaps, "--keep", "1"];
    const first = await runCli(createStatefulCluster(), args);
    const old = (JSON.parse(first.stdout) as { snapshot: { path: string } }).snapshot.path;
    injected([{ op: "unlink", path: exactly(old), code: "EACCES" }]);
    const run = await runCli(createStatefulCluster(), args);
    injected([]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { result: string; warnings: string[]; snapshot: { path: string } };
    expect(doc.result).toBe("ok");
    expect(doc.snapshot.path).not.toBe(old);
    expect(doc.warnings.join("\n")).toMatch(/older ones beyond --keep 1 were not all removed: .*EACCES/);
    expect(run.stderr).toMatch(/^warning: the new snapshot is good/m);
    expect(await readFile(old)).toBeTruthy();
  });

  it("defrag -o json with stdout closed (EPIPE): exit 0, every member done, the loss said on stderr", async () => {
    const epipe = () => {
      throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    };
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragJson("--no-snapshot"), { stdout: epipe });
    expect(run.code, run.stderr).toBe(0);
    expect(defragNodes(cluster.calls)).toEqual(ALL);
    expect(run.stderr).toMatch(/^warning: stdout is closed \(EPIPE\)/m);
  });

  it("defrag with stderr closed from the first progress line (EPIPE): exit 0, every member done, the JSON whole", async () => {
    const epipe = () => {
      throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    };
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, defragJson("--no-snapshot"), { stderr: epipe });
    expect(run.code).toBe(0);
    expect(defragNodes(cluster.calls)).toEqual(ALL);
    expect((JSON.parse(run.stdout) as RunReport).result).toBe("ok");
  });
});

describe("the pieces underneath", () => {
  it("pruneSnapshots tries every old file: one that cannot be deleted does not keep the others", async () => {
    const dir = tempDir();
    const names = [1, 2, 3, 4].map((d) => formatSnapshotName("prod", new Date(Date.UTC(2026, 10, d))));
    for (const name of names) await writeSnapshot(dir, name);
    const stuck = join(dir, names[1] ?? "");
    injected([{ op: "unlink", path: exactly(stuck), code: "EACCES" }]);
    const error = await pruneSnapshots(dir, {
      keep: 1,
      memberIds: ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"],
    }).catch((e: unknown) => e);
    injected([]);
    expect(error).toBeInstanceOf(PruneError);
    expect((error as PruneError).message).toMatch(/EACCES/);
    expect((error as PruneError).result.removed.sort()).toEqual(
      [names[0], names[2]].map((n) => join(dir, n ?? "")).sort(),
    );
    // The one that could not be deleted keeps its manifest: it is still ours, and counted next time.
    expect((await readdir(dir)).sort()).toEqual([names[1], names[3]].flatMap((n) => [n, `${n}.json`]).sort());
  });

  it("lock release throws when our lock cannot be removed (the caller makes it a warning), and never when it is gone", async () => {
    const key = { memberIds: ["8e9e05c52164694d"] };
    const handle = await acquireLock(key, { dir: tempDir(), releaseOnExit: false });
    injected([{ op: "unlink", path: /\.lock$/, code: "EACCES" }]);
    await expect(handle.release()).rejects.toMatchObject({ code: "EACCES" });
    injected([{ op: "unlink", path: /\.lock$/, code: "ENOENT" }]);
    await expect(handle.release()).resolves.toBeUndefined();
    injected([]);
  });
});
