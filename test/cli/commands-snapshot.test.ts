/** `snapshot` through main(): which node, our own verification, retention that never touches foreign files. */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageVersion } from "../../src/cli/version.js";
import type { SnapshotResult } from "../../src/run/types.js";
import { snapshotManifest } from "../../src/schema/snapshot-manifest.js";
import {
  commandOf,
  createStatefulCluster,
  NODES,
  nodesOf,
  runCli,
  snapshotJsonArgs,
} from "./stateful-exec.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ted-snap-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snapshotCalls = (calls: string[][]) => calls.filter((c) => commandOf(c).startsWith("etcd snapshot"));
// Without --context a snapshot is labelled by the cluster's member IDs, whichever node it came from.
const OURS = /^talos-etcd-defrag-cluster-[0-9a-f]{8}-\d{8}T\d{6}Z(-\d+)?\.db$/;

async function snapshotOnce(cluster = createStatefulCluster(), ...extra: string[]) {
  const run = await runCli(cluster, snapshotJsonArgs(dir, ...extra));
  return { cluster, run };
}

describe("snapshot -n NODE", () => {
  it("takes it from that node, into the directory, verified, 0600", async () => {
    const { cluster, run } = await snapshotOnce();
    expect(run.code, run.stderr).toBe(0);
    const calls = snapshotCalls(cluster.calls);
    expect(calls).toHaveLength(1);
    expect(nodesOf(calls[0] ?? [])).toEqual(["172.20.0.4"]);
    const { snapshot } = JSON.parse(run.stdout) as { result: string; snapshot: SnapshotResult };
    expect(snapshot).toMatchObject({ node: "172.20.0.4", sha256Verified: true, totalKeys: 1187 });
    // talosctl writes to the unfinished name; the finished name comes only once the file verified.
    expect(calls[0]?.at(-1)).toBe(`${snapshot.path}.taking`);
    expect(snapshot.path.startsWith(`${dir}/`)).toBe(true);
    const bytes = await readFile(snapshot.path);
    expect(bytes.length).toBe(snapshot.bytes);
    expect((bytes.length - 32) % 512).toBe(0);
    expect(createHash("sha256").update(bytes.subarray(0, -32)).digest()).toEqual(bytes.subarray(-32));
    expect((await stat(snapshot.path)).mode & 0o777).toBe(0o600);
    const name = snapshot.path.slice(dir.length + 1);
    expect((await readdir(dir)).sort()).toEqual([name, `${name}.json`]);
  });

  it("writes the manifest beside it (0600): the cluster, revision, source, versions, size and whole-file SHA-256", async () => {
    const { cluster, run } = await snapshotOnce();
    expect(run.code, run.stderr).toBe(0);
    const { snapshot } = JSON.parse(run.stdout) as { snapshot: SnapshotResult };
    expect(snapshot.manifest).toBe(`${snapshot.path}.json`);
    expect((await stat(`${snapshot.path}.json`)).mode & 0o777).toBe(0o600);
    const manifest = snapshotManifest.parse(JSON.parse(await readFile(`${snapshot.path}.json`, "utf8")));
    const bytes = await readFile(snapshot.path);
    const ids = cluster.members.map((m) => m.memberId).sort();
    expect(manifest).toEqual({
      schemaVersion: 1,
      file: snapshot.path.slice(dir.length + 1),
      cluster: { label: expect.stringMatching(/^cluster-[0-9a-f]{8}$/), memberIds: ids },
      revision: snapshot.revision,
      source: {
        node: "172.20.0.4",
        memberId: cluster.members.find((m) => m.node === "172.20.0.4")?.memberId,
      },
      members: [{ node: "172.20.0.4", memberId: expect.any(String), etcdVersion: cluster.knobs.etcdVersion }],
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      takenAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      toolVersion: packageVersion(),
      adopted: false,
    });
    expect(snapshot.path).toContain(manifest.cluster.label);
  });

  it("without -n, picks a healthy follower, never the leader", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, ["-n", NODES, "snapshot", "--snapshot-dir", dir]);
    expect(run.code, run.stderr).toBe(0);
    const node = nodesOf(snapshotCalls(cluster.calls)[0] ?? [])[0];
    expect(["172.20.0.2", "172.20.0.4"]).toContain(node);
    expect(run.stdout).toMatch(/sha256 verified/);
  });

  it("creates a missing directory with mode 0700", async () => {
    const nested = join(dir, "new", "snaps");
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, ["-n", "172.20.0.4", "snapshot", "--snapshot-dir", nested]);
    expect(run.code, run.stderr).toBe(0);
    expect((await stat(nested)).mode & 0o777).toBe(0o700);
  });
});

// Found by the invariant sweep (issue 18): `-n` naming only a node that does not answer sent `etcd snapshot` to
// it anyway, labelled after an empty member list.
it("snapshot -n a node that did not answer status: refused (exit 3) without a snapshot call", async () => {
  const cluster = createStatefulCluster();
  cluster.knobs.unreachable.add("172.20.0.4");
  const run = await runCli(cluster, ["-n", "172.20.0.4", "snapshot", "--snapshot-dir", dir]);
  expect(run.code, run.stderr).toBe(3);
  expect(snapshotCalls(cluster.calls)).toEqual([]);
  expect(run.stderr).toMatch(/172\.20\.0\.4 did not answer/);
  expect(await readdir(dir)).toEqual([]);
});

describe("snapshot --keep", () => {
  it("keeps the newest 2 of our files after 3 runs and never deletes a foreign file", async () => {
    const foreign = [
      "backup.db",
      "talos-etcd-defrag-other-cluster-20200101T000000Z.db",
      "talos-etcd-defrag-172.20.0.4-20200101T000000Z.db.unverified",
      "notes.txt",
    ];
    for (const name of foreign) await writeFile(join(dir, name), "not ours\n");
    // A directory that happens to carry our name pattern is not a snapshot of ours either.
    await mkdir(join(dir, "talos-etcd-defrag-172.20.0.4-20000101T000000Z.db"));
    const cluster = createStatefulCluster();
    const paths: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { run } = await snapshotOnce(cluster, "--keep", "2");
      expect(run.code, run.stderr).toBe(0);
      paths.push((JSON.parse(run.stdout) as { snapshot: SnapshotResult }).snapshot.path);
    }
    const names = await readdir(dir);
    const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile());
    const ours = files.map((e) => e.name).filter((n) => OURS.test(n));
    expect(ours.sort()).toEqual(
      paths
        .slice(1)
        .map((p) => p.slice(dir.length + 1))
        .sort(),
    );
    for (const name of foreign) expect(names).toContain(name);
    expect(names).toContain("talos-etcd-defrag-172.20.0.4-20000101T000000Z.db");
    expect(snapshotCalls(cluster.calls)).toHaveLength(3);
  });
});

it("a truncated snapshot is refused (exit 3) and kept aside under a name retention never counts", async () => {
  const cluster = createStatefulCluster();
  cluster.knobs.truncateSnapshot = true;
  const { run } = await snapshotOnce(cluster);
  expect(run.code).toBe(3);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/failed verification: size \d+ is not 512·k \+ 32 bytes/);
  const names = await readdir(dir);
  expect(names.filter((n) => OURS.test(n))).toEqual([]);
  expect(names.filter((n) => n.endsWith(".db.unverified"))).toHaveLength(1);
});

describe("the default label is the cluster's, whatever -n names (issue 18 item 5)", () => {
  const selections = [["172.20.0.4"], ["172.20.0.2"], [NODES]];
  it("one node or all three: one label, so --keep 1 counts them as one group", async () => {
    const cluster = createStatefulCluster();
    const labels: string[] = [];
    for (const nodes of selections) {
      const run = await runCli(cluster, [
        "-n",
        ...nodes,
        "-o",
        "json",
        "snapshot",
        "--snapshot-dir",
        dir,
        "--keep",
        "1",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const { snapshot } = JSON.parse(run.stdout) as { snapshot: SnapshotResult };
      labels.push(
        /^talos-etcd-defrag-(.+)-\d{8}T\d{6}Z(-\d+)?\.db$/.exec(snapshot.path.slice(dir.length + 1))?.[1] ??
          "",
      );
    }
    expect(new Set(labels).size).toBe(1);
    expect((await readdir(dir)).filter((n) => OURS.test(n))).toHaveLength(1);
  });
});

describe("retention counts only snapshots with a manifest naming this cluster (issue 22 §1)", () => {
  it("--keep 1 deletes the older snapshot with its manifest, never a look-alike without one, and names it once", async () => {
    const cluster = createStatefulCluster();
    const first = await snapshotOnce(cluster);
    const older = (JSON.parse(first.run.stdout) as { snapshot: SnapshotResult }).snapshot.path;
    const label = /talos-etcd-defrag-(cluster-[0-9a-f]{8})-/.exec(older)?.[1] ?? "";
    // A file from before manifests: our name, this cluster's label, a valid snapshot, older than both.
    const legacy = `talos-etcd-defrag-${label}-20200101T000000Z.db`;
    await writeFile(join(dir, legacy), await readFile(older));
    const second = await snapshotOnce(cluster, "--keep", "1");
    expect(second.run.code, second.run.stderr).toBe(0);
    const { snapshot } = JSON.parse(second.run.stdout) as { snapshot: SnapshotResult };
    expect(snapshot.pruned).toEqual([older]);
    const name = snapshot.path.slice(dir.length + 1);
    expect((await readdir(dir)).sort()).toEqual([legacy, name, `${name}.json`].sort());
    expect(snapshot.warnings).toHaveLength(1);
    expect(snapshot.warnings[0]).toMatch(
      /1 snapshot file\(s\) in .* no manifest .*--keep neither counts nor deletes/,
    );
    expect(snapshot.warnings[0]).toContain(legacy);
    expect(snapshot.warnings[0]).toMatch(/snapshot adopt FILE.*delete them by hand/);
    expect(second.run.stderr.split(legacy)).toHaveLength(2);
  });
});

describe("a snapshot being taken (issue 27 item 5)", () => {
  it("never carries a finished name: list shows it as unfinished (exit 0) and check keeps the older good one", async () => {
    const cluster = createStatefulCluster();
    const first = await snapshotOnce(cluster);
    expect(first.run.code, first.run.stderr).toBe(0);
    const older = (JSON.parse(first.run.stdout) as { snapshot: SnapshotResult }).snapshot.path;
    let seen:
      | {
          names: string[];
          list: Awaited<ReturnType<typeof runCli>>;
          check: Awaited<ReturnType<typeof runCli>>;
        }
      | undefined;
    cluster.knobs.beforeSnapshot = async (path) => {
      await writeFile(`${path}.part`, Buffer.alloc(1024));
      const list = await runCli(cluster, ["snapshot", "list", "--snapshot-dir", dir]);
      const check = await runCli(cluster, [
        "-n",
        NODES,
        "-o",
        "json",
        "check",
        "--snapshot-max-age",
        "1h",
        "--snapshot-dir",
        dir,
      ]);
      seen = { names: (await readdir(dir)).sort(), list, check };
    };
    const second = await snapshotOnce(cluster);
    expect(second.run.code, second.run.stderr).toBe(0);
    const during = seen ?? expect.unreachable();
    // Only the older snapshot carried a finished name while the new one streamed.
    const finished = during.names.filter((n) => OURS.test(n));
    expect(finished).toEqual([older.slice(dir.length + 1)]);
    expect(during.list.code, during.list.stdout).toBe(0);
    expect(during.list.stdout).toMatch(/ unfinished +talos-etcd-defrag-.*\.db\.taking\n/);
    expect(during.list.stdout).not.toContain("FAILED");
    const doc = JSON.parse(during.check.stdout) as { recentSnapshot: { path: string; ok: boolean } };
    expect(doc.recentSnapshot).toMatchObject({ path: older, ok: true });
    // Once finished: no unfinished name is left behind.
    expect((await readdir(dir)).some((n) => n.includes(".taking"))).toBe(false);
  });

  it("one left by a killed run (not written for over an hour) is reported stale: exit 3, a warning, in the JSON", async () => {
    const left = join(dir, "talos-etcd-defrag-cluster-12345678-20261122T030000Z.db.taking");
    await writeFile(left, "");
    await writeFile(`${left}.part`, Buffer.alloc(2048));
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(left, old, old);
    await utimes(`${left}.part`, old, old);
    const cluster = createStatefulCluster();
    const table = await runCli(cluster, ["snapshot", "list", "--snapshot-dir", dir]);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/STALE unfinished/);
    expect(table.stderr).toContain(`warning: ${left} was left unfinished`);
    const json = await runCli(cluster, ["-o", "json", "snapshot", "list", "--snapshot-dir", dir]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      snapshots: [],
      unfinished: [{ path: left, bytes: 2048, startedAt: "2026-11-22T03:00:00.000Z", stale: true }],
      ok: false,
    });
  });
});

describe("--snapshot-dir starting with - (issue 27 item 14)", () => {
  it("./-x reaches talosctl as an absolute path, never as -x/... (read as a flag)", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const cluster = createStatefulCluster();
      const run = await runCli(cluster, snapshotJsonArgs("./-x"));
      expect(run.code, run.stderr).toBe(0);
      const [call] = snapshotCalls(cluster.calls);
      const given = call?.at(-1) ?? "";
      expect(given.startsWith("/")).toBe(true);
      expect(given).toBe(join(realpathSync(dir), "-x", `${basename(given)}`));
      expect(call?.some((arg) => arg.startsWith("-x"))).toBe(false);
      expect((await readdir(join(dir, "-x"))).length).toBe(2);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe("elapsed time while a snapshot streams (issue 27 item 17)", () => {
  it("on a terminal, a live line on stderr says the time and bytes so far, and is cleared when done", async () => {
    const cluster = createStatefulCluster();
    let stderr = "";
    cluster.knobs.beforeSnapshot = async (path) => {
      await writeFile(`${path}.part`, Buffer.alloc(4096));
      // Held until the line has been drawn once (every 5 s): an event, not a race.
      for (let i = 0; i < 300 && !stderr.includes("so far"); i++) await new Promise((r) => setTimeout(r, 50));
    };
    const run = await runCli(cluster, ["-n", "172.20.0.4", "snapshot", "--snapshot-dir", dir], {
      stderrIsTTY: true,
      stderr: (t: string) => {
        stderr += t;
      },
    });
    expect(run.code, stderr).toBe(0);
    expect(stderr).toContain("\r\u001b[2Ksnapshot from 172.20.0.4: ");
    expect(stderr).toMatch(/: \d+s, 4\.1 kB so far/);
    expect(stderr.endsWith("\r\u001b[2K")).toBe(true);
  }, 20_000);

  it("in a pipe, nothing is added to stderr", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, ["-n", "172.20.0.4", "snapshot", "--snapshot-dir", dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
  });
});
