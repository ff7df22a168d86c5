/**
 * `snapshot --keep` through main() against folders an adversary prepared (issue 27 items 1-3): retention counts
 * only snapshots that verify against their manifests, never deletes the newest verified one nor the one the run
 * just took, and decides ownership by the cluster's member IDs, never by the label or --context.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SnapshotResult } from "../../src/run/types.js";
import { snapshotBytes, writeSnapshot } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import {
  createStatefulCluster,
  defragJsonArgs,
  NODES,
  runCli,
  type StatefulCluster,
  snapshotJsonArgs,
} from "./stateful-exec.js";

const tempDir = useTempDir("ted-retain-");

async function snap(cluster: StatefulCluster, dir: string, ...extra: string[]) {
  const run = await runCli(cluster, snapshotJsonArgs(dir, ...extra));
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout) as { snapshot: SnapshotResult & { unverified?: unknown } };
  return { run, snapshot: doc.snapshot };
}

const idsOf = (cluster: StatefulCluster) => cluster.members.map((m) => m.memberId).sort();
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The label the tool gives this cluster's files without --context (learnt from one run). */
async function labelOf(cluster: StatefulCluster, dir: string): Promise<string> {
  const { snapshot } = await snap(cluster, dir);
  return /talos-etcd-defrag-(cluster-[0-9a-f]{8})-/.exec(snapshot.path)?.[1] ?? "";
}

describe("retention counts only snapshots that verify (issue 27 item 1)", () => {
  it("--keep 3 keeps the good older snapshots and reports two newer ones whose SHA-256 differs from their manifests", async () => {
    const cluster = createStatefulCluster();
    const dir = tempDir();
    const label = await labelOf(cluster, dir);
    const memberIds = idsOf(cluster);
    const name = (stamp: string) => `talos-etcd-defrag-${label}-${stamp}.db`;
    const good = await writeSnapshot(dir, name("20200101T000000Z"), {
      cluster: { label, memberIds },
      takenAt: "2020-01-01T00:00:00.000Z",
    });
    const tampered: string[] = [];
    for (const stamp of ["20991230T000000Z", "20991231T000000Z"]) {
      // A manifest written for other bytes: the file no longer is what its manifest says.
      const path = await writeSnapshot(dir, name(stamp), {
        cluster: { label, memberIds },
        takenAt: `${stamp.slice(0, 4)}-12-${stamp.slice(6, 8)}T00:00:00.000Z`,
        sha256: "0".repeat(64),
      });
      tampered.push(path);
    }
    const { run, snapshot } = await snap(cluster, dir, "--keep", "3");
    expect(await exists(good)).toBe(true);
    for (const path of tampered) expect(await exists(path)).toBe(true);
    expect(snapshot.pruned).toEqual([]);
    expect(snapshot.unverified).toEqual(
      tampered
        .slice()
        .sort()
        .map((path) => ({ path, error: "its SHA-256 differs from its manifest's" })),
    );
    expect(run.stderr).toMatch(/2 snapshot\(s\) .* do not verify/);
  });
});

describe("retention never prunes the file this run just took (issue 27 item 2)", () => {
  it("a snapshot of ours stamped in the future does not make --keep 1 delete the new one", async () => {
    const cluster = createStatefulCluster();
    const dir = tempDir();
    const label = await labelOf(cluster, dir);
    const future = await writeSnapshot(dir, `talos-etcd-defrag-${label}-20991231T000000Z.db`, {
      cluster: { label, memberIds: idsOf(cluster) },
      takenAt: "2099-12-31T00:00:00.000Z",
    });
    const { snapshot } = await snap(cluster, dir, "--keep", "1");
    expect(await exists(snapshot.path)).toBe(true);
    expect(snapshot.pruned).not.toContain(snapshot.path);
    // The newest verified by its manifest's time is kept too: a clock that ran ahead costs one file, never a backup.
    expect(await exists(future)).toBe(true);
  });
});

describe("ownership is the cluster's member IDs, not the label or --context (issue 27 item 3)", () => {
  it("with and without --context the same cluster's snapshots are one --keep group", async () => {
    const cluster = createStatefulCluster();
    const dir = tempDir();
    const first = await snap(cluster, dir);
    const second = await snap(cluster, dir, "--keep", "1");
    const viaContext = await runCli(cluster, [
      "--context",
      "homelab",
      ...snapshotJsonArgs(dir, "--keep", "1"),
    ]);
    expect(viaContext.code, viaContext.stderr).toBe(0);
    const taken = (JSON.parse(viaContext.stdout) as { snapshot: SnapshotResult }).snapshot;
    expect(taken.path).toContain("talos-etcd-defrag-homelab-");
    expect(taken.pruned).toEqual([second.snapshot.path]);
    expect(await exists(first.snapshot.path)).toBe(false);
  });

  it("another cluster's snapshots under the same label are never pruned, nor an adopted manifest without member IDs", async () => {
    const cluster = createStatefulCluster();
    const dir = tempDir();
    const name = (stamp: string) => `talos-etcd-defrag-homelab-${stamp}.db`;
    const stranger = await writeSnapshot(dir, name("20200101T000000Z"), {
      cluster: { label: "homelab", memberIds: ["1111111111111111"] },
      takenAt: "2020-01-01T00:00:00.000Z",
    });
    const adoptedLong = await writeSnapshot(dir, name("20200102T000000Z"), {
      cluster: { label: "homelab", memberIds: [] },
      takenAt: "2020-01-02T00:00:00.000Z",
      revision: null,
      source: null,
      members: [],
      adopted: true,
    });
    const run = await runCli(cluster, ["--context", "homelab", ...snapshotJsonArgs(dir, "--keep", "1")]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { snapshot: SnapshotResult }).snapshot.pruned).toEqual([]);
    expect(await exists(stranger)).toBe(true);
    expect(await exists(adoptedLong)).toBe(true);
    expect(run.stderr).toContain("talos-etcd-defrag-homelab-20200102T000000Z.db");
    expect(run.stderr).not.toContain("talos-etcd-defrag-homelab-20200101T000000Z.db");
    expect((await readdir(dir)).filter((n) => n.endsWith(".db"))).toHaveLength(3);
  });
});

describe("snapshots that do not verify are counted in a metric (issue 27 item 1)", () => {
  it("defrag's metrics file says how many of this cluster's snapshots retention found not verifying", async () => {
    const cluster = createStatefulCluster();
    const dir = tempDir();
    const label = await labelOf(cluster, dir);
    await writeSnapshot(dir, `talos-etcd-defrag-${label}-20200101T000000Z.db`, {
      cluster: { label, memberIds: idsOf(cluster) },
      takenAt: "2020-01-01T00:00:00.000Z",
      sha256: "0".repeat(64),
    });
    const metrics = join(tempDir(), "defrag.prom");
    const run = await runCli(cluster, [
      ...defragJsonArgs(NODES, "--snapshot-dir", dir, "--metrics-file", metrics),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { snapshot: { unverified: { path: string }[] } };
    expect(report.snapshot.unverified).toHaveLength(1);
    expect(await readFile(metrics, "utf8")).toContain(
      'talos_etcd_defrag_run_snapshots_unverified{command="defrag"} 1\n',
    );
  });
});

void snapshotBytes;
