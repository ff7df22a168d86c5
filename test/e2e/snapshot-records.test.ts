/**
 * Snapshot records over real etcd (issue 22 §1): a real run's snapshot has a valid manifest (the revision etcd
 * reported, the member it came from, the whole file's SHA-256), and `--keep 1` prunes the older snapshot with its
 * manifest but never a look-alike without one. Addresses 127.0.0.141–143 (test/README.md).
 */
import { createHash } from "node:crypto";
import { copyFile, readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { expect, it } from "vitest";
import { fragmentCluster } from "../../sim/data.js";
import type { SnapshotVerdict } from "../../src/run/snapshot-check.js";
import type { RunReport, SnapshotResult } from "../../src/run/types.js";
import { snapshotManifest } from "../../src/schema/snapshot-manifest.js";
import { describeWithEtcd, parseJson, runCli, snapshotDir } from "./e2e-harness.js";

describeWithEtcd(
  "e2e: snapshot manifests and retention",
  { release: "v1.13", ips: ["127.0.0.141", "127.0.0.142", "127.0.0.143"] },
  (cluster) => {
    it("a real run's snapshot has a valid manifest; --keep 1 prunes the older one with its manifest, never a look-alike", async () => {
      const c = cluster();
      const dir = snapshotDir();
      // Some data, so the snapshots hold a revision past the first.
      await fragmentCluster(c.endpoints((await c.leaderNode()) ?? c.nodes[0] ?? ""), {
        targetBytes: 2_000_000,
      });
      // Given a first snapshot, and a look-alike of it (our name, its label, older, a valid file) without a manifest
      const first = await runCli(c, ["-o", "json", "snapshot", "--snapshot-dir", dir]);
      expect(first.code, first.stderr).toBe(0);
      const older = parseJson<{ snapshot: SnapshotResult }>(first).snapshot;
      const label =
        /^talos-etcd-defrag-(.+)-\d{8}T\d{6}Z(?:-\d+)?\.db$/.exec(basename(older.path))?.[1] ?? "";
      const lookAlike = join(dir, `talos-etcd-defrag-${label}-20200101T000000Z.db`);
      await copyFile(older.path, lookAlike);

      // When a real defrag run takes its snapshot with --keep 1
      const run = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--force",
        "--snapshot-dir",
        dir,
        "--keep",
        "1",
      ]);
      expect(run.code, run.stderr).toBe(0);
      const report = parseJson<RunReport>(run);
      const snap = report.snapshot;
      if (snap === null) throw new Error("the run took no snapshot");

      // Then its manifest is valid and says what the file is
      expect(snap.manifest).toBe(`${snap.path}.json`);
      const manifest = snapshotManifest.parse(JSON.parse(await readFile(`${snap.path}.json`, "utf8")));
      const bytes = await readFile(snap.path);
      // etcdctl gives member IDs in decimal; talosctl (and so the manifest) in hex.
      const members = (await c.memberList()).map((m) => BigInt(m.id).toString(16).padStart(16, "0"));
      expect(manifest).toMatchObject({
        file: basename(snap.path),
        cluster: { label, memberIds: [...members].sort() },
        revision: snap.revision,
        source: { node: snap.node },
        bytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        adopted: false,
      });
      expect(manifest.revision).toBeGreaterThan(0);
      expect(members).toContain(manifest.source?.memberId);
      expect(manifest.members.map((m) => m.etcdVersion)).toEqual([
        expect.any(String),
        expect.any(String),
        expect.any(String),
      ]);

      // And the older snapshot went with its manifest; the look-alike stays, named once in a warning
      const left = (await readdir(dir)).sort();
      expect(left).toEqual([basename(lookAlike), basename(snap.path), `${basename(snap.path)}.json`].sort());
      expect(report.warnings.filter((w) => w.includes(basename(lookAlike)))).toHaveLength(1);

      // And verify and list read the manifest back
      const verify = await runCli(c, ["-o", "json", "snapshot", "verify", snap.path]);
      expect(verify.code, verify.stderr).toBe(0);
      expect(parseJson<{ files: SnapshotVerdict[] }>(verify).files[0]).toMatchObject({
        ok: true,
        revision: snap.revision,
        source: { node: snap.node },
      });
      const list = await runCli(c, ["-o", "json", "snapshot", "list", "--snapshot-dir", dir]);
      expect(list.code, list.stderr).toBe(0);
      expect(parseJson<{ snapshots: SnapshotVerdict[] }>(list).snapshots.map((s) => [s.path, s.ok])).toEqual([
        [snap.path, true],
        [lookAlike, true],
      ]);
    });
  },
);
