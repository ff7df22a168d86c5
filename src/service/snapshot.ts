/** Snapshots as `defrag` and `snapshot` both take them: one default directory, one label, one refusal. */

import { packageVersion } from "../cli/version.js";
import { clusterMemberIds } from "../cluster/identity.js";
import { compileRule, DEFAULT_RULE } from "../cluster/rule.js";
import { EXIT, UserError } from "../errors.js";
import { DEFAULT_SNAPSHOT_DIR } from "../policy.js";
import { defaultSnapshotLabel, SnapshotError, takeSnapshot } from "../run/snapshot.js";
import { type AdoptOutcome, adoptSnapshot } from "../run/snapshot-adopt.js";
import { toSnapshotLabel } from "../run/snapshot-file.js";
import type { SnapshotOptions, SnapshotResult } from "../run/types.js";
import type { TalosTarget } from "../talos/types.js";
import { openReader, type ServiceContext } from "./context.js";

export { DEFAULT_SNAPSHOT_DIR };

/**
 * Snapshots are named after the talosconfig context when one is given, else after the cluster's member IDs: the
 * label only names files; which snapshots are the cluster's is decided by the member IDs in their manifests.
 */
export function snapshotOptions(
  target: TalosTarget,
  request: { dir: string; keep: number; node?: string; timeoutMs?: number },
): SnapshotOptions {
  return {
    ...request,
    ...(target.context === undefined ? {} : { label: target.context }),
  };
}

/** The `snapshot` command: read the cluster, take and verify one snapshot; a failure is a refusal (exit 3). */
export async function snapshotCluster(
  ctx: Pick<ServiceContext, "target" | "talosctl" | "warn" | "io">,
  options: SnapshotOptions,
): Promise<SnapshotResult> {
  const reader = await openReader(ctx, { rule: compileRule(DEFAULT_RULE) });
  const view = await reader.read();
  return takeSnapshot(ctx.talosctl, view, options, Date.now).catch((error: unknown) => {
    if (!(error instanceof SnapshotError)) throw error;
    throw new UserError(
      error.message,
      "check free space and permissions of --snapshot-dir, and the node's health",
      EXIT.refused,
    );
  });
}

/**
 * `snapshot adopt`: reads the cluster once for its member IDs (what makes a snapshot its own) and the label a file
 * named by hand is renamed with, then adopts each file in the order given.
 */
export async function adoptSnapshots(
  ctx: Pick<ServiceContext, "target" | "talosctl" | "warn" | "io">,
  paths: readonly string[],
): Promise<AdoptOutcome[]> {
  const reader = await openReader(ctx, { rule: compileRule(DEFAULT_RULE) });
  const view = await reader.read();
  const cluster = {
    label: toSnapshotLabel(ctx.target.context ?? defaultSnapshotLabel(view)),
    memberIds: clusterMemberIds(view),
    toolVersion: packageVersion(),
  };
  const outcomes: AdoptOutcome[] = [];
  for (const path of paths) outcomes.push(await adoptSnapshot(path, cluster));
  return outcomes;
}
