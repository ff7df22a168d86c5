/**
 * The reclaim floor: a member the rule picks but whose free pages (`dbSizeFree`, what a defrag gives back) are
 * below --min-reclaim is not defragmented. Its file is full of live data: a defrag would stall it (the leader's
 * stalls the cluster) and, on a schedule, do so again every run, for nothing. `plan`, `defrag` and `check` give
 * the same reason, from here; `--force` still defragments it. Pure.
 */
import { formatSize } from "../talos/size.js";
import type { MemberView } from "./types.js";

const MIB = 1024 ** 2;

/** Why the member is skipped, or null when it is not below the floor (or the floor is off: 0). */
export function reclaimFloorReason(
  member: Pick<MemberView, "dbSizeFree" | "dbSizeInUse">,
  quotaBytes: number,
  minReclaimBytes: number,
): string | null {
  if (minReclaimBytes <= 0 || member.dbSizeFree >= minReclaimBytes) return null;
  const fills = quotaBytes > 0 ? Math.round((member.dbSizeInUse / quotaBytes) * 100) : 0;
  return `below --min-reclaim ${formatFloor(minReclaimBytes)}: live data fills ${fills} % of the quota: raise quota-backend-bytes in cluster.etcd.extraArgs; a defrag would free ${formatSize(member.dbSizeFree)}`;
}

/** `32 MiB` as it is usually given; other values as talosctl prints sizes. */
export function formatFloor(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : formatSize(bytes);
}
