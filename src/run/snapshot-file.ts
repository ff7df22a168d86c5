/**
 * Snapshot files on disk: our name pattern, our own integrity check and retention. Only files that match OUR
 * pattern exactly AND have a manifest naming this cluster (snapshot-manifest.ts) are ever counted or deleted;
 * anything else in the directory is left alone.
 */
import { createHash } from "node:crypto";
import { open, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { hashPrefixInto } from "./hash-file.js";
import { manifestPathFor, readManifest, type SnapshotManifest } from "./snapshot-manifest.js";

/** etcd appends a SHA-256 of the database to the stream; the database itself is whole 512-byte pages. */
const TRAILER_BYTES = 32;
const PAGE_BYTES = 512;

const NAME = /^talos-etcd-defrag-([a-z0-9][a-z0-9.-]{0,62})-(\d{8}T\d{6}Z)(?:-(\d{1,3}))?\.db$/;

export interface SnapshotName {
  label: string;
  stamp: string;
  seq: number;
}

export interface SnapshotCheck {
  bytes: number;
  sha256Verified: boolean;
  /** SHA-256 of the whole file, lowercase hex; present when verified. */
  sha256?: string;
  /** Why it failed, for a person; absent when verified. */
  problem?: string;
  /** Why it failed, for a program (short labels in tables); absent when verified. */
  failure?: SnapshotFailure;
}

/** size: not 512·k + 32 bytes; sha256: trailer mismatch; shrank: the file got shorter while being read. */
export type SnapshotFailure = "size" | "sha256" | "shrank" | "not-a-file";

/** A label safe for a file name: lower case, [a-z0-9.-], never empty. */
export function toSnapshotLabel(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63)
    .replace(/[-.]+$/, "");
  return cleaned === "" ? "cluster" : cleaned;
}

/** `talos-etcd-defrag-<label>-YYYYMMDDTHHMMSSZ[-N].db`, UTC. */
export function formatSnapshotName(label: string, at: Date, seq = 0): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `talos-etcd-defrag-${toSnapshotLabel(label)}-${stamp}${seq > 0 ? `-${seq}` : ""}.db`;
}

export function parseSnapshotName(name: string): SnapshotName | null {
  const match = NAME.exec(name);
  if (match === null) return null;
  const [, label = "", stamp = "", seq] = match;
  return { label, stamp, seq: seq === undefined ? 0 : Number(seq) };
}

/**
 * Reads the file once, through one handle (so a file swapped underneath mid-check cannot mix two files), with
 * two reused 1 MiB buffers: memory stays constant whatever the size. Opening or reading errors (ENOENT,
 * EACCES, EIO) are thrown; everything about the content is a returned failure.
 */
/**
 * The files in `dir` named as our snapshots of `label` (already a file-name label), newest first by the time and
 * sequence in their names. Whether a manifest makes them ours is the caller's to judge. A readdir error throws.
 */
export async function namedSnapshots(
  dir: string,
  label: string,
): Promise<{ path: string; parsed: SnapshotName }[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => ({ path: join(dir, entry.name), parsed: parseSnapshotName(entry.name) }))
    .filter((f): f is { path: string; parsed: SnapshotName } => f.parsed !== null && f.parsed.label === label)
    .sort((a, b) => b.parsed.stamp.localeCompare(a.parsed.stamp) || b.parsed.seq - a.parsed.seq);
}

/** `20261122T030000Z` (a name's stamp, as parseSnapshotName gives it) -> `2026-11-22T03:00:00Z`. */
export function stampToIso(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
}

export async function verifySnapshotFile(path: string): Promise<SnapshotCheck> {
  const handle = await open(path, "r");
  try {
    const info = await handle.stat();
    const size = info.size;
    if (!info.isFile())
      return { bytes: size, sha256Verified: false, problem: "not a regular file", failure: "not-a-file" };
    const body = size - TRAILER_BYTES;
    if (body < PAGE_BYTES || body % PAGE_BYTES !== 0)
      return {
        bytes: size,
        sha256Verified: false,
        problem: `size ${size} is not 512·k + 32 bytes (truncated?)`,
        failure: "size",
      };
    const hash = createHash("sha256");
    const whole = await hashPrefixInto(handle, body, hash);
    const actual = hash.copy().digest();
    const expected = Buffer.alloc(TRAILER_BYTES);
    const { bytesRead } = await handle.read(expected, 0, TRAILER_BYTES, body);
    if (!whole || bytesRead !== TRAILER_BYTES)
      return {
        bytes: size,
        sha256Verified: false,
        problem: "the file got shorter while it was being read",
        failure: "shrank",
      };
    if (!actual.equals(expected))
      return {
        bytes: size,
        sha256Verified: false,
        problem: "the SHA-256 of the database does not match its trailer",
        failure: "sha256",
      };
    // The whole file's digest (what `sha256sum` prints), for the manifest: the trailer completes it, no second read.
    return { bytes: size, sha256Verified: true, sha256: hash.update(expected).digest("hex") };
  } finally {
    await handle.close();
  }
}

export interface PruneResult {
  /** Snapshots deleted, each with its manifest. */
  removed: string[];
  /**
   * Files with our name and this label but no manifest naming this cluster (taken before manifests were written,
   * or not by this tool): never counted, never deleted; the caller says so once.
   */
  unmanaged: string[];
}

/** Some old snapshots could not be deleted; `removed` holds those that were. */
export class PruneError extends Error {
  constructor(
    message: string,
    readonly removed: string[],
    readonly unmanaged: string[],
  ) {
    super(message);
    this.name = "PruneError";
  }
}

/**
 * Deletes this label's snapshots beyond the newest `keep`, counting only those whose manifest is valid, describes
 * the file and names this cluster (its label, and a member in common when `memberIds` are given); each goes with its manifest (the snapshot first: a manifest left behind is
 * harmless, a snapshot left without its manifest would look like a stranger's). Tries every file even when one
 * cannot be deleted (then throws PruneError naming them); a file already gone was pruned by someone else.
 */
export async function pruneSnapshots(
  dir: string,
  label: string,
  keep: number,
  memberIds: readonly string[] = [],
): Promise<PruneResult> {
  const wanted = toSnapshotLabel(label);
  const named = await namedSnapshots(dir, wanted);
  const ours: string[] = [];
  const unmanaged: string[] = [];
  for (const file of named) {
    const reading = await readManifest(file.path);
    if (reading.kind === "ok" && namesThisCluster(reading.manifest, wanted, memberIds)) ours.push(file.path);
    else unmanaged.push(file.path);
  }
  const removed: string[] = [];
  const failed: string[] = [];
  for (const path of ours.slice(Math.max(0, keep))) {
    try {
      await unlinkIfThere(path);
      await unlinkIfThere(manifestPathFor(path));
      removed.push(path);
    } catch (err) {
      failed.push(`${path}: ${(err as Error).message}`);
    }
  }
  if (failed.length > 0) throw new PruneError(`could not delete ${failed.join("; ")}`, removed, unmanaged);
  return { removed, unmanaged };
}

/**
 * The label, and (when both sides know them) at least one member in common: two clusters whose talosconfig
 * contexts have the same name (`admin@talos-default`) share a label, never a member; one member in common is the
 * same cluster with members replaced since. An adopted manifest knows no members: the label decides.
 */
function namesThisCluster(manifest: SnapshotManifest, label: string, memberIds: readonly string[]): boolean {
  if (manifest.cluster.label !== label) return false;
  if (manifest.cluster.memberIds.length === 0 || memberIds.length === 0) return true;
  return manifest.cluster.memberIds.some((id) => memberIds.includes(id));
}

async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}
