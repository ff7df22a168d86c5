/**
 * Take a snapshot through talosctl and trust it only after checking it ourselves. While it is being taken the
 * snapshot carries an unfinished name, `<final>.taking` (talosctl writes `<final>.taking.part` and renames it over
 * our O_EXCL placeholder): nothing that reads the folder (list, check, retention) can take it for a finished
 * snapshot. Only once it verified is it linked to its final name (link never replaces an existing file).
 */
import { createHash } from "node:crypto";
import { renameSync, rmSync, statSync, unlinkSync } from "node:fs";
import { access, chmod, link, mkdir, open, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { onExit } from "signal-exit";
import { packageVersion } from "../cli/version.js";
import { clusterMemberIds } from "../cluster/identity.js";
import type { ClusterView, MemberView } from "../cluster/types.js";
import {
  SNAPSHOT_PROGRESS_EVERY_MS,
  SNAPSHOT_SLOW_BYTES_PER_SECOND,
  SNAPSHOT_TIMEOUT_FLOOR_MS,
} from "../policy.js";
import type { SnapshotManifest } from "../schema/snapshot-manifest.js";
import type { Talosctl } from "../talos/talosctl.js";
import { PruneError, type PruneResult, pruneSnapshots } from "./retention.js";
import { formatSnapshotName, TAKING_SUFFIX, toSnapshotLabel, verifySnapshotFile } from "./snapshot-file.js";
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
  const { warnings, final } = await inDir(options.dir, async () => ({
    warnings: await prepareDir(options.dir),
    final: await reserveName(options.dir, label, takenAt),
  }));
  const taking = `${final}${TAKING_SUFFIX}`;
  let report: Awaited<ReturnType<Talosctl["snapshot"]>>;
  // A second Ctrl-C exits while talosctl writes: what it leaves (its .part file, our placeholder) goes with us.
  const removeExitHook = onExit(() => abandonSync(taking, final));
  const stopProgress = startProgress(options, node, taking, now);
  try {
    // Absolute: a relative folder such as `./-x` would otherwise reach talosctl as `-x/...`, read as a flag.
    report = await talosctl.snapshot(
      node,
      resolve(taking),
      options.timeoutMs ?? snapshotTimeoutFor(view, node),
    );
  } catch (err) {
    // talosctl writes `<path>.part` and renames it when done; killed (a signal, a timeout), it leaves the part.
    await rm(`${taking}.part`, { force: true }).catch(() => undefined);
    const kept = await setAsideUnlessEmpty(taking, final);
    throw new SnapshotError(
      `snapshot from ${node} failed: ${err instanceof Error ? err.message : String(err)}${kept ? `; the file talosctl wrote is kept as ${kept}` : ""}`,
    );
  } finally {
    stopProgress();
    removeExitHook();
  }
  await chmod(taking, 0o600);
  const check = await verifySnapshotFile(taking);
  if (!check.sha256Verified) {
    // Keep the evidence under a name outside our pattern, so retention never counts or deletes it.
    await rename(taking, `${final}.unverified`);
    throw new SnapshotError(
      `snapshot ${final} failed verification: ${check.problem ?? "unknown"}; kept as ${final}.unverified`,
    );
  }
  const path = await finish(taking, options.dir, label, takenAt);
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
  const { removed: pruned, unverified } = await pruneOlder(
    options.dir,
    Math.max(1, options.keep),
    clusterMemberIds(view),
    path,
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
    unverified,
    warnings,
  };
}

/**
 * The verified file gets its finished name: a hard link (never replaces a file that appeared meanwhile: then
 * the next sequence number), then the unfinished name goes. A folder without hard links gets a rename instead.
 */
async function finish(taking: string, dir: string, label: string, at: Date): Promise<string> {
  for (let seq = 0; seq < 100; seq++) {
    const path = join(dir, formatSnapshotName(label, at, seq));
    try {
      await link(taking, path);
      await unlink(taking);
      return path;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST") continue;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV") throw err;
      if (await exists(path)) continue;
      await rename(taking, path);
      return path;
    }
  }
  throw new SnapshotError(`no free snapshot name in ${dir} for this second`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The elapsed time and bytes so far, every few seconds while talosctl streams, to `options.progress` (the CLI
 * gives one on a terminal only). Returns the function that stops it.
 */
function startProgress(
  options: SnapshotOptions,
  node: string,
  taking: string,
  now: () => number,
): () => void {
  const report = options.progress;
  if (report === undefined) return () => {};
  const started = now();
  // A stat still under way when the call ends must not draw after the end.
  let stopped = false;
  const tell = (bytes: number | null) => {
    if (!stopped) report({ node, elapsedMs: now() - started, bytes });
  };
  const timer = setInterval(() => {
    stat(`${taking}.part`).then(
      (info) => tell(info.size),
      () => tell(null),
    );
  }, options.progressEveryMs ?? SNAPSHOT_PROGRESS_EVERY_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
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
  keep: number,
  memberIds: readonly string[],
  justTaken: string,
  warnings: string[],
): Promise<Pick<PruneResult, "removed" | "unverified">> {
  let result: PruneResult;
  try {
    result = await pruneSnapshots(dir, { keep, memberIds, justTaken });
  } catch (err) {
    warnings.push(
      `the new snapshot is good, but older ones beyond --keep ${keep} were not all removed: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (!(err instanceof PruneError)) return { removed: [], unverified: [] };
    result = err.result;
  }
  if (result.unmanaged.length > 0) warnings.push(unmanagedWarning(dir, result.unmanaged));
  if (result.unverified.length > 0) warnings.push(unverifiedWarning(dir, result.unverified));
  return result;
}

/** Said once per run: snapshots of this cluster that --keep neither counts nor deletes because they fail. */
export function unverifiedWarning(dir: string, files: readonly { path: string; error: string }[]): string {
  const each = files.map((f) => `${basename(f.path)} (${f.error})`).join(", ");
  return `${files.length} snapshot(s) of this cluster in ${dir} do not verify, so --keep neither counts nor deletes them: ${each}. Check them with \`talos-etcd-defrag snapshot verify\`; a restore must not start from one`;
}

/** Said once per run, naming every such file: what they are, and the two ways to settle them. */
export function unmanagedWarning(dir: string, paths: readonly string[]): string {
  const names = paths.map((p) => basename(p)).join(", ");
  return `${paths.length} snapshot file(s) in ${dir} carry our name but no manifest naming any member (taken before manifests were written, adopted before adopt recorded members, or not by this tool), so --keep neither counts nor deletes them: ${names}. To let --keep manage them: talos-etcd-defrag snapshot adopt FILE... (verifies each file, reads the cluster and records its members); otherwise delete them by hand`;
}

async function prepareDir(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { mode } = await stat(dir);
  if ((mode & 0o077) === 0) return [];
  return [
    `snapshot directory ${dir} is readable by others (mode ${(mode & 0o777).toString(8)}); snapshots hold secrets`,
  ];
}

/**
 * The unfinished name's placeholder, created with O_EXCL, for a final name not yet taken; a clash within the
 * same second gets a sequence number. Returns the final name the snapshot will carry once it verified.
 */
async function reserveName(dir: string, label: string, at: Date): Promise<string> {
  for (let seq = 0; seq < 100; seq++) {
    const path = join(dir, formatSnapshotName(label, at, seq));
    if (await exists(path)) continue;
    try {
      const handle = await open(`${path}${TAKING_SUFFIX}`, "wx", 0o600);
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
async function setAsideUnlessEmpty(taking: string, final: string): Promise<string | null> {
  try {
    if ((await stat(taking)).size === 0) {
      await unlink(taking);
      return null;
    }
    await rename(taking, `${final}.unverified`);
    return `${final}.unverified`;
  } catch {
    // Already gone: nothing of ours to clean up.
    return null;
  }
}

/**
 * setAsideUnlessEmpty and the .part removal, synchronously: run from an exit hook, while talosctl is being ended
 * (src/talos/runner.ts signals its process group from the same kind of hook).
 */
function abandonSync(taking: string, final: string): void {
  try {
    rmSync(`${taking}.part`, { force: true });
    if (statSync(taking).size === 0) unlinkSync(taking);
    else renameSync(taking, `${final}.unverified`);
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
