/** Puts etcd's memory and free disk (read beside the view, not by it) on the view's members. Pure. */
import type { EtcdVolume } from "../talos/etcd-resources.js";
import type { ClusterView, ReportedView } from "./types.js";

export interface MemberResources {
  memory: ReadonlyMap<string, number>;
  volumes: ReadonlyMap<string, EtcdVolume>;
}

/** Every member gets both fields, null when its node gave no reading. Members are matched by node. */
export function attachResources(view: ClusterView, resources: MemberResources): ReportedView {
  return {
    ...view,
    members: view.members.map((member) => ({
      ...member,
      rssBytes: resources.memory.get(member.node) ?? null,
      diskAvailableBytes: resources.volumes.get(member.node)?.availableBytes ?? null,
    })),
  };
}
