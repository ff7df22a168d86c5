/**
 * Reads the cluster through talosctl and builds the view. Discovery: -n if given, else the members known to the
 * context's default node, addressed by their client URLs (another node of the context when that one is a learner).
 * A full read asks status, then members and alarms of the voting members only (a learner refuses both); a poll
 * asks ONE `etcd status` for all nodes and takes alarms from the members' ERRORS (used while verifying a defrag).
 * The etcdspec of one node gives the quota and the etcd image; the image's version stands in for members whose
 * status has no PROTOCOL (talosctl before v1.11).
 */

import { nodeFromMember } from "../cluster/leader.js";
import { resolveQuota } from "../cluster/quota.js";
import type { CompiledRule } from "../cluster/rule.js";
import type { ClusterView, Quota } from "../cluster/types.js";
import { buildView } from "../cluster/view.js";
import { UserError } from "../errors.js";
import { configErrorHint, failureKindOf } from "../talos/error-kinds.js";
import type { Talosctl } from "../talos/talosctl.js";
import type { AlarmRow, MemberRow, MultiNodeResult, StatusRow } from "../talos/types.js";
import { validateNode } from "../talos/validate.js";

export interface ReaderOptions {
  nodes: readonly string[];
  rule: CompiledRule;
  quotaBytes?: number;
  warn: (message: string) => void;
  /** The talosconfig context's other nodes and endpoints, asked when the context's node is a learner. */
  contextAddresses?: () => Promise<string[]>;
}

export interface ReadOptions {
  /**
   * "list" (default): `etcd alarm list`. "status": the alarms every member lists in its status ERRORS, the same
   * alarm store read through the status call we make anyway; a defrag run's first look uses it to save a call.
   */
  alarms?: "list" | "status";
}

export interface ClusterReader {
  nodes: readonly string[];
  /** status, then members + alarm list from the voting members (members reused once from discovery). */
  read(options?: ReadOptions): Promise<ClusterView>;
  /** One status call; members from the last full read, alarms from ERRORS. */
  poll(): Promise<ClusterView>;
}

const NONE = { rows: [], failures: [] };

export async function openClusterReader(talosctl: Talosctl, options: ReaderOptions): Promise<ClusterReader> {
  let members: MultiNodeResult<MemberRow> = NONE;
  let nodes = [...options.nodes];
  // The member list discovery has just read serves the first full read: asking again moments later adds nothing.
  let discovered = false;
  if (nodes.length === 0) {
    members = await discoverMembers(talosctl, options);
    nodes = nodesOf(members.rows);
    discovered = true;
  }
  // The etcdspec call runs beside the first status call instead of before it: one talosctl round trip less
  // before anything is shown. Marked handled here so that a failure surfaces where the first view awaits it.
  const specReading = readSpec(talosctl, nodes, options);
  specReading.catch(() => undefined);
  let spec: SpecReading | undefined;

  const view = async (status: MultiNodeResult<StatusRow>, alarms: MultiNodeResult<AlarmRow>) => {
    spec ??= await specReading;
    const quota = spec.quota;
    // undefined: not asked yet (--quota skips the etcdspec call until a status row lacks PROTOCOL).
    let imageVersion = spec.imageVersion;
    if (imageVersion === undefined && status.rows.some((r) => r.etcdVersion == null)) {
      imageVersion = await readImageVersion(talosctl, nodes, options);
      spec = { quota, imageVersion };
    }
    return buildView({
      status,
      members,
      alarms,
      quota,
      rule: options.rule,
      imageVersion: imageVersion ?? null,
    });
  };

  return {
    nodes,
    async read(readOptions = {}) {
      const status = await talosctl.status(nodes);
      // A learner refuses `etcd members` and `etcd alarm list`: never ask it. Alarms are cluster-wide and every
      // voter repeats the member list, so the voters' answers are the cluster's.
      const learners = new Set(status.rows.filter((r) => r.isLearner).map((r) => r.node));
      // A node that did not answer status is already named; asking it again would only wait for it again (a hung
      // node costs a whole --timeout per call).
      const silent = new Set(status.failures.map((f) => f.node));
      const voters = nodes.filter((n) => !learners.has(n) && !silent.has(n));
      const fromStatus = readOptions.alarms === "status";
      const [memberList, alarms] = await Promise.all([
        discovered || voters.length === 0 ? members : talosctl.members(voters),
        fromStatus ? alarmsOf(status) : voters.length === 0 ? NONE : talosctl.alarms(voters),
      ]);
      discovered = false;
      members = memberList;
      return view(status, alarms);
    },
    async poll() {
      const status = await talosctl.status(nodes);
      return view(status, alarmsOf(status));
    },
  };
}

/** Every member's status lists the cluster's active alarms (etcd fills ERRORS from its alarm store). */
function alarmsOf(status: MultiNodeResult<StatusRow>): MultiNodeResult<AlarmRow> {
  return { rows: status.rows.flatMap((r) => r.alarms), failures: [] };
}

/**
 * `etcd members` on the context's node. A learner refuses it; then the context's other nodes and endpoints are
 * asked (control-plane nodes in a normal talosconfig), in one call.
 */
async function discoverMembers(
  talosctl: Talosctl,
  options: ReaderOptions,
): Promise<MultiNodeResult<MemberRow>> {
  let first: MultiNodeResult<MemberRow>;
  try {
    first = await talosctl.members([]);
  } catch (error) {
    if (failureKindOf(error) !== "learner-refused") throw error;
    first = { rows: [], failures: [{ node: "the context's node", kind: "learner-refused", error: "" }] };
  }
  if (first.rows.length > 0) return first;
  const learners = first.failures.filter((f) => f.kind === "learner-refused").map((f) => f.node);
  if (learners.length === 0) throw noMembers(first);

  const others = (await options.contextAddresses?.()) ?? [];
  const candidates = others.filter((a) => !learners.includes(a));
  const second = candidates.length === 0 ? NONE : await talosctl.members(candidates).catch(() => NONE);
  if (second.rows.length > 0) return second;
  const learner = learners.join(", ");
  throw new UserError(
    `the context's node ${learner} is an etcd learner (not yet a voting member) and cannot list the members; ${
      candidates.length === 0
        ? "the talosconfig context names no other node or endpoint to ask"
        : `no other node of the context answered (${candidates.join(", ")})`
    }`,
    "pass the voting control plane nodes with -n, e.g. -n 10.5.0.2,10.5.0.3,10.5.0.4 (a learner is promoted by Talos within minutes of joining)",
  );
}

function noMembers(result: MultiNodeResult<MemberRow>): UserError {
  const why = result.failures.map((f) => `${f.node}: ${f.error}`).join("; ");
  return new UserError(
    `could not discover any etcd member from the context's default node${why === "" ? " (it listed none)" : ` (${why})`}`,
    "pass the control plane nodes with -n/--nodes, e.g. -n 10.5.0.2,10.5.0.3,10.5.0.4",
  );
}

function nodesOf(members: readonly MemberRow[]): string[] {
  const nodes: string[] = [];
  for (const member of members) {
    const node = nodeFromMember(member);
    if (node === undefined) continue;
    const valid = validateNode(node, "discovered node");
    if (!nodes.includes(valid)) nodes.push(valid);
  }
  if (nodes.length === 0) throw noMembers({ rows: [], failures: [] });
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
