/** etcd's quota: Talos sets none, so etcd's default applies unless machine config passes quota-backend-bytes. */
import { DEFAULT_QUOTA_BYTES } from "../policy.js";
import type { Quota } from "./types.js";

/** --quota wins, then what the cluster's etcdspec says, then etcd's default. */
export function resolveQuota(flagBytes: number | undefined, clusterBytes: number | null | undefined): Quota {
  if (flagBytes !== undefined) return { bytes: flagBytes, source: "flag" };
  // etcd treats 0 (and negative) as "use the default".
  if (clusterBytes !== null && clusterBytes !== undefined && clusterBytes > 0)
    return { bytes: clusterBytes, source: "cluster" };
  return { bytes: DEFAULT_QUOTA_BYTES, source: "default" };
}
