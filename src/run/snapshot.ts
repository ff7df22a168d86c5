/**
 * Take a snapshot through talosctl and trust it only after checking it ourselves. talosctl renames
 * `<path>.part` over `<path>`, so we reserve the final name with O_EXCL first: an existing file is never replaced.
 */
import { createHash } from "node:crypto";
import { renameSync, rmSync, statSync, unlinkSync } from "node:fs";
import { chmod, mkdir, open, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import { onExit } from "signal-exit";
import { packageVersion } from "../cli/version.js";
import { clusterMemberIds } from "../cluster/identity.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import { SNAPSHOT_SLOW_BYTES_PER_SECOND, SNAPSHOT_TIMEOUT_FLOOR_MS } from "../policy.js";
import type { SnapshotManifest } from "../schema/snapshot-manifest.js";
import type { Talosctl } from "../talos/talosctl.js";
import {
  formatSnapshotName,
  PruneError,
  type PruneResult,
  pruneSnapshots,
  toSnapshotLabel,
  verifySnapshotFile,
} from "./snapshot-file.js";
import { createManifest, writeManifest } from "./snapshot-manifest.js";
import type { SnapshotOptions, SnapshotResult } from "./types.js";

export { verifySnapshotFile } from "./snapshot-file.js";

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

/**
 * Without a context name, a cluster is named by its member list's IDs (cluster/identity.ts), never by the members
 * of the nodes asked: stable across leader changes and across -n choices (snapshot -n one node, defrag -n all),
 * so --keep counts every snapshot of the cluster together.
 */
export function defaultSnapshotLabel(view: ClusterView): string {
  const ids = clusterMemberIds(view);
  return `cluster-${createHash("sha256").update(ids.join(",")).digest("hex").slice(0, 8)}`;
}

/** A voting follower without errors, most caught up first; the leader only when it is alone. */
/** The snapshot call's default timeout: the source member's file at a slow link's rate, with a floor (policy.ts). */
export function snapshotTimeoutFor(view: ClusterView, node: string): number {
  const dbSize = view.members.find((m) => m.node === node)?.dbSize ?? 0;
  return Math.max(SNAPSHOT_TIMEOUT_FLOOR_MS, Math.ceil((dbSize / SNAPSHOT_SLOW_BYTES_PER_SECOND) * 1000));
}

export function pickSnapshotNode(view: ClusterView): MemberView | undefined {
  const healthy = view.members.filter((m) => !m.isLearner && m.otherErrors.length === 0);
  const followers = healthy
    .filter((m) => !m.isLeader)
    .sort((a, b) => b.raftAppliedIndex - a.raftAppliedIndex || a.node.localeCompare(b.node));
  return followers[0] ?? healthy.find((m) => m.isLeader);
}

export async function takeSnapshot(
  talosctl: Talosctl,
  view: ClusterView,
  options: SnapshotOptions,
  now: () => number,
): Promise<SnapshotResult> {
  const node = options.node ?? pickSnapshotNode(view)?.node;
  if (node === undefined) throw new SnapshotError("no healthy member to take a snapshot from");
  // A learner may trail the cluster, and etcd 3.4 refuses its snapshot stream: a backup comes from a voter.
  if (view.members.some((m) => m.node === node && m.isLearner))
    throw new SnapshotError(
      `${node} is an etcd learner (not yet a voting member): a snapshot is taken from a voting member only; pass one with -n, or leave -n out to let the tool choose`,
    );
  // A node named with -n that did not report status is not known to be a member at all: never stream from it.
  if (!view.members.some((m) => m.node === node)) {
    const failure = view.unreachable.find((f) => f.node === node);
    throw new SnapshotError(
      `${node} did not answer${failure === undefined ? " with its status" : `: ${failure.error}`}; a snapshot is taken only from a voting member that answered`,
    );
  }
  const label = options.label ?? defaultSnapshotLabel(view);
  // When the snapshot was asked for: the time in its name and in its manifest (one clock reading, never two).
  const takenAt = new Date(now());
  // The directory is the operator's: a missing parent, a file in the way or no permission is a refusal, not a bug.
  const { warnings, path } = await inDir(options.dir, async () => ({
    warnings: await prepareDir(options.dir),
    path: await reserveName(options.dir, label, takenAt),
  }));
  let report: Awaited<ReturnType<Talosctl["snapshot"]>>;
  // A second Ctrl-C exits while talosctl writes: what it leaves (its .part file, our placeholder) goes with us.
  const removeExitHook = onExit(() => abandonSync(path));
  try {
    report = await talosctl.snapshot(node, path, options.timeoutMs ?? snapshotTimeoutFor(view, node));
  } catch (err) {
    // talosctl writes `<path>.part` and renames it when done; killed (a signal, a timeout), it leaves the part.
    await rm(`${path}.part`, { force: true }).catch(() => undefined);
    const kept = await setAsideUnlessEmpty(path);
    throw new SnapshotError(
      `snapshot from ${node} failed: ${err instanceof Error ? err.message : String(err)}${kept ? `; the file talosctl wrote is kept as ${kept}` : ""}`,
    );
  } finally {
    removeExitHook();
  }
  await chmod(path, 0o600);
  const check = await verifySnapshotFile(path);
  if (!check.sha256Verified) {
    // Keep the evidence under a name outside our pattern, so retention never counts or deletes it.
    await rename(path, `${path}.unverified`);
    throw new SnapshotError(
      `snapshot ${path} failed verification: ${check.problem ?? "unknown"}; kept as ${path}.unverified`,
    );
  }
  const revision = report.revision ?? null;
  const manifest = await recordManifest(
    createManifest({
      path,
      label: toSnapshotLabel(label),
      view,
      node,
      revision,
      check,
      takenAt,
      toolVersion: options.toolVersion ?? packageVersion(),
    }),
    path,
    warnings,
  );
  const pruned = await pruneOlder(
    options.dir,
    label,
    Math.max(1, options.keep),
    clusterMemberIds(view),
    warnings,
  );
  return {
    path,
    bytes: check.bytes,
    sha256Verified: true,
    revision,
    totalKeys: report.totalKeys ?? null,
    node,
    manifest,
    pruned,
    warnings,
  };
}

/**
 * The manifest is the snapshot's record, written once the file verified. The snapshot is good without it, so a
 * failure is a warning (the run goes on); retention will not count that snapshot until a manifest exists.
 */
async function recordManifest(
  manifest: SnapshotManifest,
  path: string,
  warnings: string[],
): Promise<string | null> {
  try {
    return await writeManifest(path, manifest);
  } catch (err) {
    warnings.push(
      `the snapshot ${path} is good, but its manifest could not be written (${err instanceof Error ? err.message : String(err)}): --keep will neither count nor delete it; write one with \`talos-etcd-defrag snapshot adopt ${path}\``,
    );
    return null;
  }
}

/** Retention is housekeeping after a good, verified snapshot: its failure is a warning, never a lost snapshot. */
async function pruneOlder(
  dir: string,
  label: string,
  keep: number,
  memberIds: readonly string[],
  warnings: string[],
): Promise<string[]> {
  let result: PruneResult;
  try {
    result = await pruneSnapshots(dir, label, keep, memberIds);
  } catch (err) {
    warnings.push(
      `the new snapshot is good, but older ones beyond --keep ${keep} were not all removed: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (!(err instanceof PruneError)) return [];
    result = { removed: err.removed, unmanaged: err.unmanaged };
  }
  if (result.unmanaged.length > 0) warnings.push(unmanagedWarning(dir, result.unmanaged));
  return result.removed;
}

/** Said once per run, naming every such file: what they are, and the two ways to settle them. */
export function unmanagedWarning(dir: string, paths: readonly string[]): string {
  const names = paths.map((p) => basename(p)).join(", ");
  return `${paths.length} snapshot file(s) in ${dir} carry our name but no manifest naming this cluster (taken before manifests were written, or not by this tool), so --keep neither counts nor deletes them: ${names}. To let --keep manage them: talos-etcd-defrag snapshot adopt FILE... (verifies each file and writes its manifest); otherwise delete them by hand`;
}

async function prepareDir(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { mode } = await stat(dir);
  if ((mode & 0o077) === 0) return [];
  return [
    `snapshot directory ${dir} is readable by others (mode ${(mode & 0o777).toString(8)}); snapshots hold secrets`,
  ];
}

/** Creates an empty placeholder with O_EXCL; a clash within the same second gets a sequence number. */
async function reserveName(dir: string, label: string, at: Date): Promise<string> {
  for (let seq = 0; seq < 100; seq++) {
    const path = join(dir, formatSnapshotName(label, at, seq));
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.close();
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  throw new SnapshotError(`no free snapshot name in ${dir} for this second`);
}

/**
 * After a failed call: an empty placeholder is ours to remove; a file talosctl wrote but we never verified is set
 * aside under a name outside our pattern, so retention neither counts it as a good snapshot nor deletes it.
 */
async function setAsideUnlessEmpty(path: string): Promise<string | null> {
  try {
    if ((await stat(path)).size === 0) {
      await unlink(path);
      return null;
    }
    await rename(path, `${path}.unverified`);
    return `${path}.unverified`;
  } catch {
    // Already gone: nothing of ours to clean up.
    return null;
  }
}

/**
 * setAsideUnlessEmpty and the .part removal, synchronously: run from an exit hook, while talosctl is being ended
 * (src/talos/runner.ts signals its process group from the same kind of hook).
 */
function abandonSync(path: string): void {
  try {
    rmSync(`${path}.part`, { force: true });
    if (statSync(path).size === 0) unlinkSync(path);
    else renameSync(path, `${path}.unverified`);
  } catch {
    // Gone already, or not ours to tidy: exiting goes on.
  }
}

async function inDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(
      `cannot write snapshots to ${dir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
