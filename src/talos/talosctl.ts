/**
 * Typed talosctl calls. This interface is what the rest of the program sees of talosctl; the
 * implementation (createTalosctl in client.ts) is the only code that builds talosctl argv.
 * Tests inject a fake Exec into createTalosctl, or implement this interface directly.
 */
import type { EtcdMemory, EtcdVolume, NodeReadings } from "./etcd-resources.js";
import type { EtcdSpec } from "./parse-etcdspec.js";
import type { AlarmRow, MemberRow, MultiNodeResult, SnapshotReport, StatusRow } from "./types.js";

export interface Talosctl {
  /**
   * ONE `etcd status` call for all nodes. Nodes that fail land in `failures` (all of them, when none answered);
   * throws CommandError when talosctl fails without naming nodes (bad flags, talosconfig unreadable, timeout).
   */
  status(nodes: readonly string[]): Promise<MultiNodeResult<StatusRow>>;
  /** `etcd members` on the given nodes, or on the context's default nodes when empty. */
  members(nodes: readonly string[]): Promise<MultiNodeResult<MemberRow>>;
  /** `etcd alarm list`. No output means no alarms. */
  alarms(nodes: readonly string[]): Promise<MultiNodeResult<AlarmRow>>;
  /** `etcd alarm disarm`: clears EVERY alarm, CORRUPT included. Callers must check for CORRUPT first. */
  disarmAlarms(nodes: readonly string[]): Promise<MultiNodeResult<AlarmRow>>;
  /** `-n node etcd defrag`, no client timeout unless given. Throws CommandError; never retried here. */
  defrag(node: string, timeoutMs?: number): Promise<{ durationMs: number }>;
  /** `-n node etcd snapshot PATH`; talosctl writes PATH.part then renames. Killed after `timeoutMs` when given. */
  snapshot(node: string, path: string, timeoutMs?: number): Promise<SnapshotReport>;
  /** `-n node etcd forfeit-leadership` (os:admin). Throws CommandError; failureKindOf (error-kinds.ts) tells a denial or a learner transferee from other failures. */
  forfeitLeadership(node: string): Promise<void>;
  /** `get etcdspec etcd -o yaml` on one node: quota-backend-bytes (null when not set) and the etcd image. */
  etcdSpec(node: string): Promise<EtcdSpec>;
  /**
   * ONE `processes` call for all nodes (os:reader): etcd's RSS per node. Optional data: callers turn a throw
   * (CommandError, ParseError) into "unknown" and one warning, never a failed run.
   */
  processes(nodes: readonly string[]): Promise<NodeReadings<EtcdMemory>>;
  /** ONE `mounts` call for all nodes (os:reader): the filesystem holding /var/lib/etcd per node. Optional, as above. */
  mounts(nodes: readonly string[]): Promise<NodeReadings<EtcdVolume>>;
}
