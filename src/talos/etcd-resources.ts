/**
 * What the rest of the program gets from `processes` and `mounts`: per node, etcd's resident memory and the
 * filesystem that holds its data directory. Both are optional readings: a node can fail, answer without an
 * etcd process (a worker, etcd restarting), or, up to v1.13, go unanswered because another node failed.
 */
import { findMountFor, type MountRow } from "./parse-mounts.js";
import { isEtcdProcess, type ProcessRow } from "./parse-processes.js";
import type { MultiNodeResult, NodeFailure } from "./types.js";

/** Where Talos keeps etcd's data on every release (a directory of EPHEMERAL, or its own volume from v1.14). */
export const ETCD_DATA_DIR = "/var/lib/etcd";

export interface EtcdMemory {
  node: string;
  pid: number;
  /** RESMEM as printed (go-humanize, decimal units: `312 MB` is 312000000 ± 0.5 MB). */
  rssBytes: number;
}

export interface EtcdVolume {
  node: string;
  /** The mount point that holds /var/lib/etcd: `/var` on EPHEMERAL, `/var/lib/etcd` on a dedicated volume. */
  mountedOn: string;
  filesystem: string;
  sizeBytes: number;
  /** Free bytes for an unprivileged writer (statfs f_bavail), decimal GB with two decimals: ± 5 MB. */
  availableBytes: number;
}

/**
 * Readings for the nodes that had one; `failed` for the nodes whose answer is unknown. A node in neither list
 * answered but has nothing to report (no etcd process, no mount holding the data directory).
 */
export interface NodeReadings<T> {
  readings: T[];
  failed: NodeFailure[];
}

/** Up to v1.13 `processes` prints nothing at all when any node fails (docs/TALOSCTL.md): the others are unknown too. */
export const NO_TABLE_ERROR = "no answer: talosctl up to v1.13 prints no process table when any node fails";

export function pickEtcdMemory(
  asked: readonly string[],
  result: MultiNodeResult<ProcessRow>,
): NodeReadings<EtcdMemory> {
  const byNode = new Map<string, EtcdMemory>();
  for (const row of result.rows) {
    if (!isEtcdProcess(row)) continue;
    const seen = byNode.get(row.node);
    // One etcd per node; should a restart leave two rows, the larger one is the server that holds the data.
    if (seen === undefined || row.residentBytes > seen.rssBytes)
      byNode.set(row.node, { node: row.node, pid: row.pid, rssBytes: row.residentBytes });
  }
  return { readings: [...byNode.values()], failed: withSilentNodes(asked, result) };
}

export function pickEtcdVolumes(
  result: MultiNodeResult<MountRow>,
  path = ETCD_DATA_DIR,
): NodeReadings<EtcdVolume> {
  const nodes = [...new Set(result.rows.map((row) => row.node))];
  const readings: EtcdVolume[] = [];
  for (const node of nodes) {
    const row = findMountFor(
      result.rows.filter((r) => r.node === node),
      path,
    );
    if (row === undefined) continue;
    const { mountedOn, filesystem, sizeBytes, availableBytes } = row;
    readings.push({ node, mountedOn, filesystem, sizeBytes, availableBytes });
  }
  return { readings, failed: result.failures.slice() };
}

/** The named failures, plus every other asked node when talosctl printed no row at all despite a failure. */
function withSilentNodes(asked: readonly string[], result: MultiNodeResult<ProcessRow>): NodeFailure[] {
  const failed = result.failures.slice();
  if (result.rows.length > 0 || failed.length === 0) return failed;
  for (const node of asked) {
    if (!failed.some((f) => f.node === node)) failed.push({ node, kind: "other", error: NO_TABLE_ERROR });
  }
  return failed;
}
