/**
 * Snapshot files on disk: our name pattern, our own integrity check and retention. Only files that match
 * OUR pattern exactly are ever counted or deleted; anything else in the directory is left alone.
 */
import { open, readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { hashFilePrefix } from "./hash-file.js";

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
    const actual = await hashFilePrefix(handle, body);
    const expected = Buffer.alloc(TRAILER_BYTES);
    const { bytesRead } = await handle.read(expected, 0, TRAILER_BYTES, body);
    if (actual === null || bytesRead !== TRAILER_BYTES)
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
    return { bytes: size, sha256Verified: true };
  } finally {
    await handle.close();
  }
}

/** Some old snapshots could not be deleted; `removed` holds those that were. */
export class PruneError extends Error {
  constructor(
    message: string,
    readonly removed: string[],
  ) {
    super(message);
    this.name = "PruneError";
  }
}

/**
 * Deletes our files for this label beyond the newest `keep`; returns the deleted paths. Tries every file even when
 * one cannot be deleted (then throws PruneError naming them); a file already gone was pruned by someone else.
 */
export async function pruneSnapshots(dir: string, label: string, keep: number): Promise<string[]> {
  const wanted = toSnapshotLabel(label);
  const ours = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => ({ name: entry.name, parsed: parseSnapshotName(entry.name) }))
    .filter(
      (f): f is { name: string; parsed: SnapshotName } => f.parsed !== null && f.parsed.label === wanted,
    )
    .sort((a, b) => b.parsed.stamp.localeCompare(a.parsed.stamp) || b.parsed.seq - a.parsed.seq);
  const doomed = ours.slice(Math.max(0, keep)).map((f) => join(dir, f.name));
  const removed: string[] = [];
  const failed: string[] = [];
  for (const path of doomed) {
    try {
      await unlink(path);
      removed.push(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") failed.push(`${path}: ${(err as Error).message}`);
    }
  }
  if (failed.length > 0) throw new PruneError(`could not delete ${failed.join("; ")}`, removed);
  return removed;
}
