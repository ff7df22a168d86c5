/**
 * The newest snapshot of ours for one cluster in a directory, for `check`'s "recent snapshot" item: found by our
 * file name pattern and label (snapshot-file.ts), dated by the UTC stamp in its name, and verified as `snapshot
 * verify` does (size 512·k + 32, SHA-256 trailer). Reads only: nothing is created, renamed or deleted.
 * One place to change when snapshots carry a manifest beside them.
 */
import type { SnapshotFinding } from "../cluster/snapshot-item.js";
import { describeError } from "../errors.js";
import { namedSnapshots, stampToIso, toSnapshotLabel, verifySnapshotFile } from "./snapshot-file.js";

export async function findNewestSnapshot(dir: string, label: string): Promise<SnapshotFinding> {
  const wanted = toSnapshotLabel(label);
  const base = { dir, label: wanted };
  let ours: Awaited<ReturnType<typeof namedSnapshots>>;
  try {
    ours = await namedSnapshots(dir, wanted);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...base, newest: null, error: null };
    return { ...base, newest: null, error: describeError(error) };
  }
  const newest = ours[0];
  if (newest === undefined) return { ...base, newest: null, error: null };
  const { path } = newest;
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

/** `20261122T101500Z` -> that instant, UTC; an invalid date for anything else. */
export function stampToDate(stamp: string): Date {
  return /^\d{8}T\d{6}Z$/.test(stamp) ? new Date(stampToIso(stamp)) : new Date(Number.NaN);
}
