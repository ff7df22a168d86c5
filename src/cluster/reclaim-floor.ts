/**
 * The reclaim floor: a member the rule picks but whose free pages (`dbSizeFree`, what a defrag gives back) are
 * below --min-reclaim is not defragmented. Its file is full of live data: a defrag would stall it (the leader's
 * stalls the cluster) and, on a schedule, do so again every run, for nothing. `plan`, `defrag` and `check` give
 * the same reason, from here; `--force` still defragments it. Pure.
 */
import { QUOTA_HEADROOM } from "../policy.js";
import { formatSize } from "../talos/size.js";
import type { MemberView } from "./types.js";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Why the member is skipped, or null when it is not below the floor (or the floor is off: 0). */
export function reclaimFloorReason(
  member: Pick<MemberView, "dbSize" | "dbSizeFree" | "dbSizeInUse">,
  quotaBytes: number,
  minReclaimBytes: number,
): string | null {
  if (minReclaimBytes <= 0 || member.dbSizeFree >= minReclaimBytes) return null;
  const floor = `below --min-reclaim ${formatFloor(minReclaimBytes)}`;
  const free = formatSize(member.dbSizeFree);
  // Near the quota, the room etcd needs can only come from a larger quota: say so.
  if (quotaBytes > 0 && member.dbSize / quotaBytes >= QUOTA_HEADROOM) {
    const fills = Math.round((member.dbSizeInUse / quotaBytes) * 100);
    return `${floor}: live data fills ${fills} % of the quota: raise quota-backend-bytes in cluster.etcd.extraArgs; a defrag would free ${free}`;
  }
  return `${floor}: a defrag would free only ${free}`;
}

/** `32 MiB`, `1 GiB` as such floors are usually given; other values as talosctl prints sizes. */
export function formatFloor(bytes: number): string {
  if (bytes % GIB === 0) return `${bytes / GIB} GiB`;
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : formatSize(bytes);
}
