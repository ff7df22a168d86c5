/**
 * `snapshot adopt`: makes a snapshot this cluster's, so that `--keep` counts (and in time prunes) it and `check`
 * takes it as a recent snapshot. The cluster has been read by the caller: its member IDs go into the manifest
 * (ownership is by members, src/cluster/retention.ts). A file named by hand is renamed to our name scheme
 * (`talos-etcd-defrag-<label>-<its mtime, UTC>.db`; link, never replacing a file, then the old name goes): every
 * snapshot retention manages carries our name. A manifest adopted before adopt read the cluster (no member IDs)
 * is given the members, once the file still matches it.
 */
import { link, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { checkSnapshot } from "./snapshot-check.js";
import { formatSnapshotName, parseSnapshotName, stampToIso, verifySnapshotFile } from "./snapshot-file.js";
import { adoptedManifest, manifestPathFor, readManifest, writeManifest } from "./snapshot-manifest.js";

export interface AdoptOutcome {
  path: string;
  /** A manifest was written now. */
  adopted: boolean;
  /** The file's name now, when adopt renamed it (a name given by hand); else null. */
  renamedTo: string | null;
  /** The manifest beside the file after the command (written now or already there); null when none. */
  manifest: string | null;
  /** Why it was not adopted (also "it has a manifest already"); null when adopted. */
  error: string | null;
  /** usage: the path is the operator's to fix (exit 2); refused: the file cannot be trusted (exit 3). */
  kind: "adopted" | "kept" | "usage" | "refused";
}

export async function adoptSnapshot(
  path: string,
  cluster: { label: string; memberIds: readonly string[]; toolVersion: string },
): Promise<AdoptOutcome> {
  const failed = (
    error: string,
    kind: "usage" | "refused",
    manifest: string | null = null,
  ): AdoptOutcome => ({
    path,
    adopted: false,
    renamedTo: null,
    manifest,
    error,
    kind,
  });
  if (cluster.memberIds.length === 0)
    return failed("the cluster's member IDs could not be read: nothing to record", "refused");
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) return failed("no such file", "usage");
  const reading = await readManifest(path);
  if (reading.kind === "invalid")
    return failed(`${reading.problem}; move it away to adopt the file`, "refused", reading.path);
  if (reading.kind === "ok" && reading.manifest.cluster.memberIds.length > 0)
    return {
      path,
      adopted: false,
      renamedTo: null,
      manifest: reading.path,
      error: "it has a manifest already",
      kind: "kept",
    };
  if (reading.kind === "ok") {
    // Adopted before adopt read the cluster: the file must still be what that manifest says.
    const checked = await checkSnapshot(path);
    if (!checked.ok) return failed(checked.error ?? "it does not verify", "refused", reading.path);
    const manifest = {
      ...reading.manifest,
      cluster: { ...reading.manifest.cluster, memberIds: [...cluster.memberIds] },
      toolVersion: cluster.toolVersion,
    };
    return write(path, null, manifest);
  }
  let check: Awaited<ReturnType<typeof verifySnapshotFile>>;
  try {
    check = await verifySnapshotFile(path);
  } catch (error) {
    return failed((error as Error).message, "usage");
  }
  if (!check.sha256Verified) return failed(check.problem ?? "it does not verify", "refused");
  const name = parseSnapshotName(basename(path));
  const takenAt =
    name === null ? new Date(Math.floor(info.mtimeMs / 1000) * 1000) : new Date(stampToIso(name.stamp));
  let target = path;
  if (name === null) {
    try {
      target = await linkToOurName(path, cluster.label, takenAt);
    } catch (error) {
      return failed(`cannot give it our name in ${dirname(path)}: ${(error as Error).message}`, "refused");
    }
  }
  const manifest = adoptedManifest({
    path: target,
    label: name?.label ?? cluster.label,
    memberIds: cluster.memberIds,
    takenAt,
    check,
    toolVersion: cluster.toolVersion,
  });
  return write(path, target === path ? null : target, manifest);
}

async function write(
  path: string,
  renamedTo: string | null,
  manifest: Parameters<typeof writeManifest>[1],
): Promise<AdoptOutcome> {
  const target = renamedTo ?? path;
  try {
    await writeManifest(target, manifest);
  } catch (error) {
    // Undo the new name: the file stays as it was given.
    if (renamedTo !== null) await undoName(path, renamedTo);
    return {
      path,
      adopted: false,
      renamedTo: null,
      manifest: null,
      error: `cannot write ${manifestPathFor(target)}: ${(error as Error).message}`,
      kind: "refused",
    };
  }
  // The new name holds the file and its manifest: only now does the name given by hand go.
  if (renamedTo !== null) await unlink(path).catch(() => undefined);
  return { path, adopted: true, renamedTo, manifest: manifestPathFor(target), error: null, kind: "adopted" };
}

async function undoName(path: string, renamedTo: string): Promise<void> {
  const stillThere = (await stat(path).catch(() => null)) !== null;
  await (stillThere ? unlink(renamedTo) : rename(renamedTo, path)).catch(() => undefined);
}

/** A second name of ours for the file, beside it; a name already taken gets the next sequence number. */
async function linkToOurName(path: string, label: string, at: Date): Promise<string> {
  for (let seq = 0; seq < 100; seq++) {
    const target = join(dirname(path), formatSnapshotName(label, at, seq));
    try {
      await link(path, target);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") continue;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw error;
      // No hard links here: a rename, after checking the name is free.
      if ((await stat(target).catch(() => null)) !== null) continue;
      await rename(path, target);
      return target;
    }
  }
  throw new Error("no free name of ours for its time");
}
