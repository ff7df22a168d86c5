/**
 * `snapshot adopt FILE...` through main(): a snapshot from before manifests gets one (after it verifies), so that
 * --keep counts and prunes it from then on. No talosctl anywhere.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { pruneSnapshots } from "../../src/run/snapshot-file.js";
import { snapshotManifest } from "../../src/schema/snapshot-manifest.js";
import { snapshotBytes, writeSnapshot } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import { recordIO } from "./fixture-exec.js";

const tempDir = useTempDir("ted-adopt-");
const name = (stamp: string) => `talos-etcd-defrag-prod-${stamp}.db`;

async function adopt(...args: string[]) {
  const rec = recordIO(() => async () => {
    throw new Error("snapshot adopt must never run talosctl");
  });
  const code = await main(["snapshot", "adopt", ...args], rec.io);
  return { code, stdout: rec.stdout(), stderr: rec.stderr() };
}

describe("snapshot adopt", () => {
  it("writes a manifest (0600) for a verified file of ours, and --keep counts it from then on", async () => {
    const dir = join(tempDir(), "snaps");
    await mkdir(dir);
    const old = await writeSnapshot(dir, name("20200101T000000Z"), null);
    for (const stamp of ["20261121T030000Z", "20261122T030000Z"]) await writeSnapshot(dir, name(stamp));
    const run = await adopt(old);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`adopted  ${old}\n`);
    expect((await stat(`${old}.json`)).mode & 0o777).toBe(0o600);
    const manifest = snapshotManifest.parse(JSON.parse(await readFile(`${old}.json`, "utf8")));
    expect(manifest).toMatchObject({
      file: name("20200101T000000Z"),
      cluster: { label: "prod", memberIds: [] },
      revision: null,
      source: null,
      members: [],
      takenAt: "2020-01-01T00:00:00.000Z",
      adopted: true,
    });
    const { removed, unmanaged } = await pruneSnapshots(dir, "prod", 2);
    expect(removed).toEqual([old]);
    expect(unmanaged).toEqual([]);
    expect(await readdir(dir)).not.toContain(`${name("20200101T000000Z")}.json`);
  });

  it("adopts nothing that does not verify (exit 3), leaves a manifest alone, and refuses a name not ours (exit 2)", async () => {
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
    const foreign = join(dir, "etcd-backup.db");
    await writeFile(foreign, snapshotBytes());
    const refused = await adopt(foreign);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^FAILED .*etcd-backup\.db: not a name of ours/);
  });

  it("-o json: one entry per file", async () => {
    const dir = tempDir();
    const old = await writeSnapshot(dir, name("20200101T000000Z"), null);
    const run = await adopt("-o", "json", old);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      schemaVersion: 1,
      files: [{ path: old, adopted: true, manifest: `${old}.json`, error: null }],
      ok: true,
    });
  });
});
