/** Snapshot files with (or without) manifests, as the tool writes them, for retention and listing tests. */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotManifest } from "../../src/run/snapshot-manifest.js";
import { manifestPathFor } from "../../src/run/snapshot-manifest.js";
import { SCHEMA_VERSION } from "../../src/schema/version.js";

/** A valid etcd snapshot: whole 512-byte pages and the SHA-256 trailer. */
export function snapshotBytes(pages = 2): Buffer {
  const body = randomBytes(512 * pages);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

export function manifestFor(
  name: string,
  bytes: Buffer,
  over: Partial<SnapshotManifest> = {},
): SnapshotManifest {
  return {
    schemaVersion: SCHEMA_VERSION,
    file: name,
    cluster: { label: "prod", memberIds: ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"] },
    revision: 53391,
    source: { node: "172.20.0.2", memberId: "a49c021e76e707db" },
    members: [{ node: "172.20.0.2", memberId: "a49c021e76e707db", etcdVersion: "3.6.5" }],
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    takenAt: "2026-11-22T03:00:00.000Z",
    toolVersion: "0.1.0",
    adopted: false,
    ...over,
  };
}

/** Writes a snapshot into dir; with a manifest unless `manifest` is null. Returns its path. */
export async function writeSnapshot(
  dir: string,
  name: string,
  manifest: Partial<SnapshotManifest> | null = {},
  bytes = snapshotBytes(),
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  if (manifest !== null)
    await writeFile(manifestPathFor(path), JSON.stringify(manifestFor(name, bytes, manifest)));
  return path;
}
