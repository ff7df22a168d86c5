/**
 * One snapshot file judged as `snapshot verify` and `snapshot list` show it: the file's own check (size 512·k + 32,
 * the SHA-256 trailer), then, when a manifest is beside it, the file against its manifest (size, SHA-256 of the
 * whole file). `listSnapshots` does it for every snapshot in a directory, newest first; `check --upgrade-to`'s
 * recent-snapshot item can read the same records.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { SNAPSHOT_STALE_AFTER_MS } from "../policy.js";
import type { SnapshotManifest } from "../schema/snapshot-manifest.js";
import {
  parseSnapshotName,
  type SnapshotFailure,
  stampToIso,
  TAKING_SUFFIX,
  verifySnapshotFile,
} from "./snapshot-file.js";
import { manifestMismatch, readManifest } from "./snapshot-manifest.js";

/** One file's verdict; the `snapshot verify` and `snapshot list` JSON documents hold these as they are. */
export interface SnapshotVerdict {
  path: string;
  /** Size on disk; null when it could not be read. */
  bytes: number | null;
  /** The file verified, and matches its manifest when it has one. */
  ok: boolean;
  sha256Verified: boolean;
  /** The full reason when not ok, else null. */
  error: string | null;
  /** The manifest beside the file (`<path>.json`), null when there is none. */
  manifest: string | null;
  /** From a valid manifest, else null: the cluster label, etcd revision, when taken, and from which member. */
  cluster: string | null;
  revision: number | null;
  takenAt: string | null;
  source: { node: string; memberId: string | null } | null;
}

export interface CheckedSnapshot extends SnapshotVerdict {
  /** The parsed manifest, null when none or not valid. */
  record: SnapshotManifest | null;
  /** A few words for a table (at most 12 columns); empty when ok. */
  label: string;
  /** The path was wrong (missing, a directory, unreadable): the operator's to fix, exit 2. */
  usage: boolean;
}

const FAILURE_LABELS: Record<SnapshotFailure, string> = {
  size: "bad size",
  sha256: "bad SHA-256",
  shrank: "changed",
  "not-a-file": "not a file",
};

export function toVerdict(checked: CheckedSnapshot): SnapshotVerdict {
  const { record: _record, label: _label, usage: _usage, ...verdict } = checked;
  return verdict;
}

export async function checkSnapshot(path: string): Promise<CheckedSnapshot> {
  const base = {
    path,
    manifest: null,
    cluster: null,
    revision: null,
    takenAt: null,
    source: null,
    record: null,
  };
  const fail = (
    label: string,
    error: string,
    usage: boolean,
    bytes: number | null = null,
  ): CheckedSnapshot => ({
    ...base,
    bytes,
    ok: false,
    sha256Verified: false,
    error,
    label,
    usage,
  });
  // stat first: opening a FIFO or a device to read it could block or never end.
  const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (info instanceof Error) return fail(errnoLabel(info), describe(info), true);
  if (info.isDirectory()) return fail("directory", "is a directory", true);
  if (!info.isFile()) return fail("not a file", "not a regular file", true);
  let check: Awaited<ReturnType<typeof verifySnapshotFile>>;
  try {
    check = await verifySnapshotFile(path);
  } catch (error) {
    const errno = error as NodeJS.ErrnoException;
    // Unreadable is the operator's to fix; a read error half way is a backup that cannot be trusted.
    const usage = errno.code === "EACCES" || errno.code === "EPERM" || errno.code === "ENOENT";
    return fail(usage ? errnoLabel(errno) : "read error", describe(errno), usage, info.size);
  }
  const reading = await readManifest(path);
  const fromManifest =
    reading.kind === "ok"
      ? {
          manifest: reading.path,
          cluster: reading.manifest.cluster.label,
          revision: reading.manifest.revision,
          takenAt: reading.manifest.takenAt,
          source: reading.manifest.source,
          record: reading.manifest,
        }
      : { ...base, manifest: reading.kind === "invalid" ? reading.path : null };
  const judged = { ...base, ...fromManifest, bytes: check.bytes, sha256Verified: check.sha256Verified };
  if (!check.sha256Verified) {
    const label = check.failure === undefined ? "failed" : FAILURE_LABELS[check.failure];
    return { ...judged, ok: false, error: check.problem ?? label, label, usage: false };
  }
  if (reading.kind === "invalid")
    return { ...judged, ok: false, error: reading.problem, label: "bad manifest", usage: false };
  const mismatch = reading.kind === "ok" ? manifestMismatch(check, reading.manifest) : null;
  if (mismatch !== null) return { ...judged, ok: false, error: mismatch, label: "≠ manifest", usage: false };
  return { ...judged, ok: true, error: null, label: "", usage: false };
}

/**
 * The snapshots in a directory, newest first, each checked: files with our name pattern and files with a
 * manifest beside them (`*.unverified`, `*.part` and the manifests themselves are not snapshots). Newest by the
 * manifest's time, else the time in the name, else the file's mtime. A missing or unreadable directory throws.
 */
export async function listSnapshots(dir: string): Promise<CheckedSnapshot[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const candidates = entries
    .filter((e) => e.isFile() && !e.name.endsWith(".json"))
    .filter((e) => parseSnapshotName(e.name) !== null || names.has(`${e.name}.json`))
    .map((e) => join(dir, e.name));
  const listed: { checked: CheckedSnapshot; at: number }[] = [];
  for (const path of candidates) {
    const checked = await checkSnapshot(path);
    listed.push({ checked, at: await takenAtMs(path, checked) });
  }
  return listed
    .sort((a, b) => b.at - a.at || b.checked.path.localeCompare(a.checked.path))
    .map((l) => l.checked);
}

/** A snapshot being taken (`<our name>.taking`), or left unfinished by a run that ended without finishing it. */
export interface UnfinishedSnapshot {
  path: string;
  /** Bytes written so far (talosctl's `.part` file, else the placeholder). */
  bytes: number;
  /** When it was started (the time in its name), ISO 8601 UTC. */
  startedAt: string;
  /** When its files were last written, ISO 8601 UTC. */
  modifiedAt: string;
  /** Not written for longer than SNAPSHOT_STALE_AFTER_MS: left by a run that was killed; delete it. */
  stale: boolean;
}

/** The unfinished snapshots in a directory, oldest start first. A missing or unreadable directory throws. */
export async function listUnfinished(dir: string, nowMs: number): Promise<UnfinishedSnapshot[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: UnfinishedSnapshot[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(TAKING_SUFFIX)) continue;
    const parsed = parseSnapshotName(entry.name.slice(0, -TAKING_SUFFIX.length));
    if (parsed === null) continue;
    const path = join(dir, entry.name);
    const files = [await stat(`${path}.part`).catch(() => null), await stat(path).catch(() => null)];
    const seen = files.filter((f) => f !== null);
    if (seen.length === 0) continue;
    const modifiedMs = Math.max(...seen.map((f) => f.mtimeMs));
    found.push({
      path,
      bytes: seen[0]?.size ?? 0,
      startedAt: new Date(stampToIso(parsed.stamp)).toISOString(),
      modifiedAt: new Date(modifiedMs).toISOString(),
      stale: nowMs - modifiedMs > SNAPSHOT_STALE_AFTER_MS,
    });
  }
  return found.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.path.localeCompare(b.path));
}

async function takenAtMs(path: string, checked: CheckedSnapshot): Promise<number> {
  if (checked.takenAt !== null) return Date.parse(checked.takenAt);
  const stamp = parseSnapshotName(path.slice(path.lastIndexOf("/") + 1))?.stamp;
  if (stamp !== undefined) return Date.parse(stampToIso(stamp));
  return (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
}

function errnoLabel(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return "missing";
  if (error.code === "EACCES" || error.code === "EPERM") return "no access";
  return "read error";
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return "no such file";
  if (error.code === "EACCES" || error.code === "EPERM") return "permission denied";
  return error.message;
}
