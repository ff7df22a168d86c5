/**
 * Snapshot files on disk: our name pattern and our own integrity check. Retention (which of them are counted or
 * deleted) is src/cluster/retention.ts, applied by src/run/retention.ts.
 */
import { createHash } from "node:crypto";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { hashPrefixInto } from "./hash-file.js";

/** etcd appends a SHA-256 of the database to the stream; the database itself is whole 512-byte pages. */
const TRAILER_BYTES = 32;
const PAGE_BYTES = 512;

const NAME = /^talos-etcd-defrag-([a-z0-9][a-z0-9.-]{0,62})-(\d{8}T\d{6}Z)(?:-(\d{1,3}))?\.db$/;

/**
 * A snapshot still being taken: `<our name>.taking` (talosctl writes `<that>.part` beside it). Never one of our
 * finished names, so retention and `check` never count it; `snapshot list` shows it as unfinished.
 */
export const TAKING_SUFFIX = ".taking";

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

/**
 * Our name, with a time stamp that is a real instant (no month 13, no 31 April): a name whose stamp is not is
 * not one of ours, so nothing downstream dates a file to an invalid time.
 */
export function parseSnapshotName(name: string): SnapshotName | null {
  const match = NAME.exec(name);
  if (match === null) return null;
  const [, label = "", stamp = "", seq] = match;
  if (!isRealStamp(stamp)) return null;
  return { label, stamp, seq: seq === undefined ? 0 : Number(seq) };
}

/** The stamp names an instant that prints back as itself (Date would roll month 13 into the next year). */
function isRealStamp(stamp: string): boolean {
  const at = Date.parse(stampToIso(stamp));
  return (
    Number.isFinite(at) &&
    new Date(at)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d{3}Z$/, "Z") === stamp
  );
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
