/**
 * `snapshot adopt FILE...` through main(): reads the cluster (talosctl, like `status`) and makes each verified
 * file this cluster's: its manifest records the cluster's member IDs (what --keep and check go by), and a file
 * named by hand is renamed to our scheme (issue 27 item 3).
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pruneSnapshots } from "../../src/run/retention.js";
import { snapshotManifest } from "../../src/schema/snapshot-manifest.js";
import { snapshotBytes, writeSnapshot } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import { createStatefulCluster, runCli } from "./stateful-exec.js";

const tempDir = useTempDir("ted-adopt-");
const name = (stamp: string) => `talos-etcd-defrag-prod-${stamp}.db`;

async function adopt(...args: string[]) {
  const cluster = createStatefulCluster();
  const run = await runCli(cluster, ["-n", "172.20.0.2", "snapshot", "adopt", ...args]);
  return { ...run, ids: cluster.members.map((m) => m.memberId).sort(), cluster };
}

const manifestOf = async (path: string) =>
  snapshotManifest.parse(JSON.parse(await readFile(`${path}.json`, "utf8")));

describe("snapshot adopt", () => {
  it("writes a manifest (0600) with the cluster's member IDs, and --keep counts it from then on", async () => {
    const dir = tempDir();
    const old = await writeSnapshot(dir, name("20200101T000000Z"), null);
    const run = await adopt(old);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`adopted  ${old}\n`);
    expect((await stat(`${old}.json`)).mode & 0o777).toBe(0o600);
    expect(await manifestOf(old)).toMatchObject({
      file: name("20200101T000000Z"),
      cluster: { label: "prod", memberIds: run.ids },
      revision: null,
      source: null,
      members: [],
      takenAt: "2020-01-01T00:00:00.000Z",
      adopted: true,
    });
    for (const stamp of ["20261121T030000Z", "20261122T030000Z"])
      await writeSnapshot(dir, name(stamp), {
        cluster: { label: "prod", memberIds: run.ids },
        takenAt: `${stamp.slice(0, 4)}-11-${stamp.slice(6, 8)}T03:00:00.000Z`,
      });
    const { removed, unmanaged } = await pruneSnapshots(dir, { keep: 2, memberIds: run.ids });
    expect(removed).toEqual([old]);
    expect(unmanaged).toEqual([]);
    expect(await readdir(dir)).not.toContain(`${name("20200101T000000Z")}.json`);
  });

  it("a file named by hand is renamed to our scheme (its mtime as the time) and adopted, not refused", async () => {
    const dir = tempDir();
    const byHand = join(dir, "etcd-backup.db");
    const bytes = snapshotBytes();
    await writeFile(byHand, bytes);
    const run = await adopt("-o", "json", byHand);
    expect(run.code, run.stderr).toBe(0);
    const [file] = (JSON.parse(run.stdout) as { files: { renamedTo: string }[] }).files;
    expect(file?.renamedTo).toMatch(/\/talos-etcd-defrag-cluster-[0-9a-f]{8}-\d{8}T\d{6}Z\.db$/);
    const renamed = file?.renamedTo ?? "";
    expect(await readFile(renamed)).toEqual(bytes);
    expect(await readdir(dir)).not.toContain("etcd-backup.db");
    expect((await manifestOf(renamed)).cluster.memberIds).toEqual(run.ids);
  });

  it("an adopted manifest from before adopt read the cluster (no member IDs) is given them", async () => {
    const dir = tempDir();
    const legacy = await writeSnapshot(dir, name("20200101T000000Z"), {
      cluster: { label: "prod", memberIds: [] },
      adopted: true,
      source: null,
      members: [],
      revision: null,
    });
    const run = await adopt(legacy);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`adopted  ${legacy}\n`);
    expect((await manifestOf(legacy)).cluster.memberIds).toEqual(run.ids);
  });

  it("adopts nothing that does not verify (exit 3) and leaves a manifest alone", async () => {
    const dir = tempDir();
    const bad = snapshotBytes();
    bad[3] = (bad[3] ?? 0) ^ 1;
    const damaged = await writeSnapshot(dir, name("20200101T000000Z"), null, bad);
    const managed = await writeSnapshot(dir, name("20200102T000000Z"));
    const before = await readFile(`${managed}.json`, "utf8");
    const run = await adopt(damaged, managed);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe(
      `FAILED   ${damaged}: the SHA-256 of the database does not match its trailer\nkept     ${managed}: it has a manifest already\n`,
    );
    expect(await readdir(dir)).not.toContain(`${name("20200101T000000Z")}.json`);
    expect(await readFile(`${managed}.json`, "utf8")).toBe(before);
    const missing = await adopt(join(dir, "nothing.db"));
    expect(missing.code).toBe(2);
  });

  it("-o json: one entry per file", async () => {
    const dir = tempDir();
    const old = await writeSnapshot(dir, name("20200101T000000Z"), null);
    const run = await adopt("-o", "json", old);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      schemaVersion: 1,
      files: [{ path: old, adopted: true, renamedTo: null, manifest: `${old}.json`, error: null }],
      ok: true,
    });
  });
});

describe("an impossible time stamp in a name (issue 27 item 15)", () => {
  it("month 13 is not a name of ours: adopted as a file named by hand, never an internal error", async () => {
    const dir = tempDir();
    const odd = join(dir, name("20261301T000000Z"));
    await writeFile(odd, snapshotBytes());
    const run = await adopt(odd);
    expect(run.stderr).not.toMatch(/internal error|RangeError/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^adopted {2}.*20261301T000000Z\.db -> .*\/talos-etcd-defrag-cluster-[0-9a-f]{8}-\d{8}T\d{6}Z\.db\n$/,
    );
  });
});
