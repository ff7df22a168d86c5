/**
 * Reads the cluster through talosctl and builds the view. Discovery: -n if given, else the members known to the
 * context's default node, addressed by their client URLs. A full read asks status, members and alarms; a poll asks
 * ONE `etcd status` for all nodes and takes alarms from the members' ERRORS (used while verifying a defrag).
 * The etcdspec of one node gives the quota and the etcd image; the image's version stands in for members whose
 * status has no PROTOCOL (talosctl before v1.11).
 */

import { nodeFromMember } from "../cluster/leader.js";
import { resolveQuota } from "../cluster/quota.js";
import type { CompiledRule } from "../cluster/rule.js";
import type { ClusterView, Quota } from "../cluster/types.js";
import { buildView } from "../cluster/view.js";
import { UserError } from "../errors.js";
import { alarmsFromErrors } from "../talos/error-alarms.js";
import { configErrorHint } from "../talos/error-kinds.js";
import type { Talosctl } from "../talos/talosctl.js";
import type { MemberRow, MultiNodeResult, StatusRow } from "../talos/types.js";
import { validateNode } from "../talos/validate.js";

export interface ReaderOptions {
  nodes: readonly string[];
  rule: CompiledRule;
  quotaBytes?: number;
  lagThreshold?: number;
  warn: (message: string) => void;
}

export interface ClusterReader {
  nodes: readonly string[];
  quota: Quota;
  /** status + members + alarm list. */
  read(): Promise<ClusterView>;
  /** One status call; members from the last full read, alarms from ERRORS. */
  poll(): Promise<ClusterView>;
}

export async function openClusterReader(talosctl: Talosctl, options: ReaderOptions): Promise<ClusterReader> {
  let members: MultiNodeResult<MemberRow> | undefined;
  let nodes = [...options.nodes];
  if (nodes.length === 0) {
    members = await talosctl.members([]);
    nodes = discoverNodes(members.rows);
  }
  const spec = await readSpec(talosctl, nodes, options);
  const quota = spec.quota;
  // undefined: not asked yet (--quota skips the etcdspec call until a status row lacks PROTOCOL).
  let imageVersion = spec.imageVersion;

  const view = async (
    status: MultiNodeResult<StatusRow>,
    alarms: Parameters<typeof buildView>[0]["alarms"],
  ) => {
    if (imageVersion === undefined && status.rows.some((r) => r.etcdVersion == null))
      imageVersion = await readImageVersion(talosctl, nodes, options);
    return buildView({
      status,
      members: members ?? { rows: [], unreachable: [] },
      alarms,
      quota,
      rule: options.rule,
      imageVersion: imageVersion ?? null,
      ...(options.lagThreshold === undefined ? {} : { lagThreshold: options.lagThreshold }),
    });
  };

  return {
    nodes,
    quota,
    async read() {
      const [status, memberList, alarms] = await Promise.all([
        talosctl.status(nodes),
        talosctl.members(nodes),
        talosctl.alarms(nodes),
      ]);
      members = memberList;
      return view(status, alarms);
    },
    async poll() {
      const status = await talosctl.status(nodes);
      return view(status, { rows: alarmsFromErrors(status.rows), unreachable: [] });
    },
  };
}

function discoverNodes(members: readonly MemberRow[]): string[] {
  const nodes: string[] = [];
  for (const member of members) {
    const node = nodeFromMember(member);
    if (node === undefined) continue;
    const valid = validateNode(node, "discovered node");
    if (!nodes.includes(valid)) nodes.push(valid);
  }
  if (nodes.length === 0) {
    throw new UserError(
      "could not discover any etcd member from the context's default node",
      "pass the control plane nodes with -n/--nodes, e.g. -n 10.5.0.2,10.5.0.3,10.5.0.4",
    );
  }
  return nodes;
}

interface SpecReading {
  quota: Quota;
  /** undefined when the etcdspec was not asked for. */
  imageVersion: string | null | undefined;
}

/** Reading the quota is best effort: a failure falls back to etcd's default, and says so. */
async function readSpec(
  talosctl: Talosctl,
  nodes: readonly string[],
  options: ReaderOptions,
): Promise<SpecReading> {
  if (options.quotaBytes !== undefined)
    return { quota: resolveQuota(options.quotaBytes, null), imageVersion: undefined };
  const first = nodes[0];
  if (first === undefined) return { quota: resolveQuota(undefined, null), imageVersion: null };
  try {
    const spec = await talosctl.etcdSpec(first);
    return { quota: resolveQuota(undefined, spec.quotaBytes), imageVersion: spec.etcdVersion };
  } catch (error) {
    // A configuration error will fail every other call too: say so now, not as a quota fallback.
    if (configErrorHint(error) !== undefined) throw error;
    options.warn(
      `could not read the etcd quota from ${first} (${(error as Error).message}); assuming etcd's default 2 GiB, pass --quota to set it`,
    );
    return { quota: resolveQuota(undefined, null), imageVersion: null };
  }
}

/** Only asked when --quota skipped the etcdspec and talosctl prints no PROTOCOL; unknown on failure. */
async function readImageVersion(
  talosctl: Talosctl,
  nodes: readonly string[],
  options: ReaderOptions,
): Promise<string | null> {
  const first = nodes[0];
  if (first === undefined) return null;
  try {
    return (await talosctl.etcdSpec(first)).etcdVersion;
  } catch (error) {
    if (configErrorHint(error) !== undefined) throw error;
    options.warn(
      `could not read the etcd image from ${first} (${(error as Error).message}): etcd version unknown`,
    );
    return null;
  }
}
