/**
 * `--keep` retention as a pure function over a description of the snapshot folder, so that it can be reasoned
 * about and property-tested apart from the disk (src/run/snapshot-file.ts reads the folder and deletes).
 *
 * Ownership is the cluster's, never the label's: a snapshot is ours when its manifest's member IDs overlap the
 * cluster's current member IDs (one member in common: the same cluster with members replaced since). The label
 * in a file name only names files. A manifest without member IDs (adopted before adopt read the cluster) is
 * nobody's: never counted, never deleted, reported so that `snapshot adopt` can give it its members.
 *
 * Among ours, only snapshots that verify (the file on its own and against its manifest, as `snapshot verify`
 * judges it) are counted and may be deleted; one that does not verify is reported, never counted, never deleted.
 * The ranking cannot be fooled by time stamps: the snapshot this run just took always comes first, and the
 * newest verified one by its manifest's time is always kept too (a clock that ran ahead can make an older
 * snapshot look newer; keeping one more is the safe error).
 */

/** One snapshot file in the folder, as retention sees it. */
export interface RetentionEntry {
  path: string;
  /** The manifest beside it: none, one that cannot be trusted, or a valid one (its member IDs and time). */
  manifest: "none" | "invalid" | { memberIds: readonly string[]; takenAt: string };
  /** The file verifies on its own and against its manifest; only read for snapshots that are ours. */
  verified: boolean;
  /** Why it does not verify (null when it does or was not checked). */
  problem: string | null;
}

export interface RetentionInput {
  entries: readonly RetentionEntry[];
  /** The cluster's current member IDs (cluster/identity.ts). Empty: nothing can be judged ours. */
  memberIds: readonly string[];
  /** --keep, at least 1. */
  keep: number;
  /** The file this run just took (its path as in `entries`); null when the run took none. */
  justTaken: string | null;
}

export interface RetentionPlan {
  /** Ours and verified, kept, in rank order (the just-taken first). */
  kept: string[];
  /** Ours and verified, beyond --keep: to delete with their manifests. */
  remove: string[];
  /** Ours (or a manifest that cannot be read) but not verifying: reported, neither counted nor deleted. */
  unverified: { path: string; problem: string }[];
  /** No manifest, or one without member IDs: whose it is cannot be told; reported, neither counted nor deleted. */
  unmanaged: string[];
}

/** A manifest names this cluster when one of its member IDs is one of the cluster's. */
export function ownedBy(manifestMemberIds: readonly string[], clusterMemberIds: readonly string[]): boolean {
  return manifestMemberIds.some((id) => clusterMemberIds.includes(id));
}

/** Whether retention needs the file verified: only a snapshot that is ours is counted, so only it is hashed. */
export function needsVerification(entry: Pick<RetentionEntry, "manifest">, memberIds: readonly string[]) {
  return typeof entry.manifest === "object" && ownedBy(entry.manifest.memberIds, memberIds);
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const keep = Math.max(1, Math.floor(input.keep));
  const unverified: RetentionPlan["unverified"] = [];
  const unmanaged: string[] = [];
  const candidates: { path: string; at: number }[] = [];
  for (const entry of input.entries) {
    const { manifest } = entry;
    if (manifest === "none") unmanaged.push(entry.path);
    else if (manifest === "invalid")
      unverified.push({ path: entry.path, problem: entry.problem ?? "its manifest is not valid" });
    else if (manifest.memberIds.length === 0) unmanaged.push(entry.path);
    else if (!ownedBy(manifest.memberIds, input.memberIds)) {
      // Another cluster's: not ours to count, delete or report.
    } else if (!entry.verified)
      unverified.push({ path: entry.path, problem: entry.problem ?? "it does not verify" });
    else candidates.push({ path: entry.path, at: timeOf(manifest.takenAt) });
  }
  const byTime = [...candidates].sort((a, b) => b.at - a.at || newerName(a.path, b.path));
  const ranked = [
    ...byTime.filter((c) => c.path === input.justTaken),
    ...byTime.filter((c) => c.path !== input.justTaken),
  ];
  const keepSet = new Set(ranked.slice(0, keep).map((c) => c.path));
  const newest = byTime[0];
  if (newest !== undefined) keepSet.add(newest.path);
  if (input.justTaken !== null) keepSet.add(input.justTaken);
  return {
    kept: ranked.filter((c) => keepSet.has(c.path)).map((c) => c.path),
    remove: ranked.filter((c) => !keepSet.has(c.path)).map((c) => c.path),
    unverified,
    unmanaged,
  };
}

/** A manifest's time; one that cannot be read ranks last (the schema makes that rare). */
function timeOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : Number.NEGATIVE_INFINITY;
}

/**
 * For two snapshots of the same time: the later name first (`…Z-1.db` was taken after `…Z.db` in the same second),
 * then by path, so the order never depends on the folder's listing order.
 */
export function newerName(a: string, b: string): number {
  const seq = (p: string) => Number(/Z-(\d{1,3})\.db$/.exec(p)?.[1] ?? 0);
  const stem = (p: string) => p.replace(/-\d{1,3}\.db$/, ".db");
  const sa = stem(a);
  const sb = stem(b);
  if (sa !== sb) return sa < sb ? 1 : -1;
  return seq(b) - seq(a);
}
