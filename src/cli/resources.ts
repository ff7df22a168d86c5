/** status and check: the cluster view plus etcd's memory and free disk, read side by side (optional data). */
import { attachResources } from "../cluster/resources.js";
import type { ReportedView } from "../cluster/types.js";
import type { ClusterReader } from "../read/cluster-reader.js";
import { createNodeResourceReader } from "../read/node-resources.js";
import type { EtcdVolume } from "../talos/etcd-resources.js";
import type { CommandContext } from "./context.js";

export async function readViewWithResources(
  ctx: CommandContext,
  reader: ClusterReader,
): Promise<{ view: ReportedView; volumes: ReadonlyMap<string, EtcdVolume> }> {
  const resources = createNodeResourceReader(ctx.talosctl);
  // In parallel with status/members/alarms: two more talosctl calls, no more waiting.
  const [view, memory, volumes] = await Promise.all([
    reader.read(),
    resources.readMemory(reader.nodes),
    resources.volumes(reader.nodes),
  ]);
  for (const warning of [...memory.warnings, ...volumes.warnings]) ctx.warn(warning);
  return {
    view: attachResources(view, { memory: memory.values, volumes: volumes.values }),
    volumes: volumes.values,
  };
}
