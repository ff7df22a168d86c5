/**
 * `--keep` on disk: reads the snapshot folder into the description src/cluster/retention.ts judges (each file
 * of our name pattern, its manifest, and for snapshots of this cluster whether the file verifies against its
 * manifest, as `snapshot verify` does), then deletes what the plan says, each snapshot with its manifest (the
 * snapshot first: a manifest left behind is harmless, a snapshot left without its manifest would look like a
 * stranger's). Tries every file even when one cannot be deleted (then throws PruneError naming them); a file
 * already gone was pruned by someone else.
 */
import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { needsVerification, planRetention, type RetentionEntry } from "../cluster/retention.js";
import { checkSnapshot } from "./snapshot-check.js";
import { parseSnapshotName } from "./snapshot-file.js";
import { manifestPathFor, readManifest } from "./snapshot-manifest.js";

export interface PruneResult {
  removed: string[];
  /** Files named as ours whose manifest is missing or names no members: neither counted nor deleted. */
  unmanaged: string[];
  /** Snapshots of this cluster that do not verify (or whose manifest cannot be trusted): never counted or deleted. */
  unverified: { path: string; error: string }[];
}

export class PruneError extends Error {
  constructor(
    message: string,
    readonly result: PruneResult,
  ) {
    super(message);
    this.name = "PruneError";
  }
}

/** The folder as retention sees it: every finished file with our name, its manifest, and (ours only) its check. */
export async function describeFolder(dir: string, memberIds: readonly string[]): Promise<RetentionEntry[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && parseSnapshotName(e.name) !== null)
    .map((e) => e.name)
    .sort();
  const entries: RetentionEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const reading = await readManifest(path);
    const manifest: RetentionEntry["manifest"] =
      reading.kind === "ok"
        ? { memberIds: reading.manifest.cluster.memberIds, takenAt: reading.manifest.takenAt }
        : reading.kind;
    const entry: RetentionEntry = {
      path,
      manifest,
      verified: false,
      problem: reading.kind === "invalid" ? reading.problem : null,
    };
    if (needsVerification(entry, memberIds)) {
      const checked = await checkSnapshot(path);
      entry.verified = checked.ok;
      entry.problem = checked.error;
    }
    entries.push(entry);
  }
  return entries;
}

export async function pruneSnapshots(
  dir: string,
  options: { keep: number; memberIds: readonly string[]; justTaken?: string | null },
): Promise<PruneResult> {
  const entries = await describeFolder(dir, options.memberIds);
  const plan = planRetention({
    entries,
    memberIds: options.memberIds,
    keep: options.keep,
    justTaken: options.justTaken ?? null,
  });
  const result: PruneResult = {
    removed: [],
    unmanaged: plan.unmanaged,
    unverified: plan.unverified.map(({ path, problem }) => ({ path, error: problem })),
  };
  const failed: string[] = [];
  for (const path of plan.remove) {
    try {
      await unlinkIfThere(path);
      await unlinkIfThere(manifestPathFor(path));
      result.removed.push(path);
    } catch (err) {
      failed.push(`${path}: ${(err as Error).message}`);
    }
  }
  if (failed.length > 0) throw new PruneError(`could not delete ${failed.join("; ")}`, result);
  return result;
}

async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
}
