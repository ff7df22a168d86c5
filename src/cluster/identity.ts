/**
 * What names a cluster, whatever the operator typed to reach it (context, talosconfig, endpoints, node
 * spelling): its members' IDs. etcd gives every member a random 64-bit ID and every voter repeats the same
 * member list, so one node or all three give the same answer. The run lock (run/lock.ts) and the default
 * snapshot label (run/snapshot.ts) are both derived from it.
 */
import type { ClusterView } from "./types.js";

/**
 * The member list's IDs, plus the ID of every member that reported status (so a view whose member list could
 * not be read still names the members it saw), sorted and without repeats.
 */
export function clusterMemberIds(view: Pick<ClusterView, "clusterMemberIds" | "members">): string[] {
  return [...new Set([...view.clusterMemberIds, ...view.members.map((m) => m.memberId)])].sort();
}
