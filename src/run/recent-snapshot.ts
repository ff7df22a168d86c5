/**
 * The newest snapshot of ours for one cluster in a directory, for `check`'s "recent snapshot" item: found by our
 * file name pattern and label (snapshot-file.ts), dated by the UTC stamp in its name, and verified as `snapshot
 * verify` does (size 512·k + 32, SHA-256 trailer). Reads only: nothing is created, renamed or deleted.
 * One place to change when snapshots carry a manifest beside them.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotFinding } from "../cluster/snapshot-item.js";
import { describeError } from "../errors.js";
import {
  parseSnapshotName,
  type SnapshotName,
  toSnapshotLabel,
  verifySnapshotFile,
} from "./snapshot-file.js";

export async function findNewestSnapshot(dir: string, label: string): Promise<SnapshotFinding> {
  const wanted = toSnapshotLabel(label);
  const base = { dir, label: wanted };
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...base, newest: null, error: null };
    return { ...base, newest: null, error: describeError(error) };
  }
  const ours = names
    .map((name) => ({ name, parsed: parseSnapshotName(name) }))
    .filter((f): f is { name: string; parsed: SnapshotName } => f.parsed?.label === wanted)
    .sort((a, b) => b.parsed.stamp.localeCompare(a.parsed.stamp) || b.parsed.seq - a.parsed.seq);
  const newest = ours[0];
  if (newest === undefined) return { ...base, newest: null, error: null };
  const path = join(dir, newest.name);
  const takenAt = stampToDate(newest.parsed.stamp);
  try {
    const check = await verifySnapshotFile(path);
    return {
      ...base,
      newest: {
        path,
        takenAt,
        bytes: check.bytes,
        sha256Verified: check.sha256Verified,
        error: check.sha256Verified ? null : (check.problem ?? "failed verification"),
      },
      error: null,
    };
  } catch (error) {
    return {
      ...base,
      newest: { path, takenAt, bytes: null, sha256Verified: false, error: describeError(error) },
      error: null,
    };
  }
}

/** `20261122T101500Z` -> that instant, UTC. */
export function stampToDate(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (m === null) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}
