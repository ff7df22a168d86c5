/**
 * The newest snapshot of this cluster in a directory, for `check`'s "recent snapshot" item, judged as retention
 * and `snapshot verify` judge it: ours when its manifest's member IDs overlap the cluster's (never by label or
 * --context), dated by its manifest, and verified against its manifest (size 512·k + 32, SHA-256 trailer, the
 * whole file's size and SHA-256). Unfinished snapshots (`.taking`) never carry our finished name, so they are
 * never considered. Reads only: nothing is created, renamed or deleted.
 */

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { newerName, ownedBy } from "../cluster/retention.js";
import type { SnapshotFinding } from "../cluster/snapshot-item.js";
import { describeError } from "../errors.js";
import { checkSnapshot } from "./snapshot-check.js";
import { parseSnapshotName, stampToIso } from "./snapshot-file.js";
import { readManifest } from "./snapshot-manifest.js";

export async function findNewestSnapshot(
  dir: string,
  label: string,
  memberIds: readonly string[],
): Promise<SnapshotFinding> {
  const base = { dir, label, unmanaged: 0 };
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && parseSnapshotName(e.name) !== null)
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...base, newest: null, error: null };
    return { ...base, newest: null, error: describeError(error) };
  }
  const ours: { path: string; takenAt: Date }[] = [];
  let unmanaged = 0;
  for (const name of names.sort()) {
    const path = join(dir, name);
    const reading = await readManifest(path);
    if (reading.kind !== "ok" || reading.manifest.cluster.memberIds.length === 0) unmanaged++;
    else if (ownedBy(reading.manifest.cluster.memberIds, memberIds))
      ours.push({ path, takenAt: new Date(reading.manifest.takenAt) });
  }
  ours.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || newerName(a.path, b.path));
  const newest = ours[0];
  if (newest === undefined) return { ...base, unmanaged, newest: null, error: null };
  const checked = await checkSnapshot(newest.path);
  return {
    ...base,
    unmanaged,
    newest: {
      path: newest.path,
      takenAt: newest.takenAt,
      bytes: checked.bytes,
      sha256Verified: checked.ok,
      error: checked.ok ? null : (checked.error ?? "failed verification"),
    },
    error: null,
  };
}

/** `20261122T101500Z` -> that instant, UTC; an invalid date for anything else (month 13 included). */
export function stampToDate(stamp: string): Date {
  return parseSnapshotName(`talos-etcd-defrag-x-${stamp}.db`) === null
    ? new Date(Number.NaN)
    : new Date(stampToIso(stamp));
}
