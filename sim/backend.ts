/**
 * What a simulated node can be asked, independent of where the answer comes from (real etcd or
 * the in-memory model). Both backends feed the same rendering code, so their output cannot drift.
 */

/** One member's `etcd status` as Talos's machined reports it. IDs are uint64 decimal strings. */
export interface MemberStatus {
  memberId: string;
  leader: string;
  dbSize: number;
  dbSizeInUse: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  isLearner: boolean;
  /** etcd server version (talosctl's PROTOCOL column). */
  version: string;
  /** etcd < 3.6 reports none; Talos then derives "major.minor.0". */
  storageVersion: string;
  errors: string[];
}

export interface MemberInfo {
  id: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface AlarmInfo {
  memberId: string;
  /** NOSPACE, CORRUPT, NONE */
  alarm: string;
}

/** etcdutl snapshot status: what talosctl prints on its second snapshot line. */
export interface SnapshotInfo {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

export interface Backend {
  status(node: string): Promise<MemberStatus>;
  members(node: string): Promise<MemberInfo[]>;
  alarms(node: string): Promise<AlarmInfo[]>;
  /** Disarms every alarm; returns what it disarmed. */
  disarmAlarms(node: string): Promise<AlarmInfo[]>;
  defrag(node: string): Promise<void>;
  /** If this node's member leads, move leadership to the first other member in ascending ID order. */
  forfeitLeadership(node: string): Promise<void>;
  /** Write the snapshot stream (database + 32-byte sha256 trailer) to `destPath`; returns bytes written. */
  snapshot(node: string, destPath: string): Promise<number>;
  snapshotStatus(path: string): Promise<SnapshotInfo>;
}

/** A gRPC error as talosctl prints it. */
export class RpcError extends Error {
  constructor(
    readonly code: string,
    readonly desc: string,
  ) {
    super(`rpc error: code = ${code} desc = ${desc}`);
    this.name = "RpcError";
  }
}

/** What apid says when it cannot reach the node's machined (or, here, the member's etcd). */
export function unavailableError(node: string): RpcError {
  return new RpcError(
    "Unavailable",
    `connection error: desc = "transport: Error while dialing: dial tcp ${node}:50000: connect: connection refused"`,
  );
}

/** Talos's machined API names, used in its "only available on control plane nodes" answer. */
export const API_NAMES: Record<string, string> = {
  status: "etcd status",
  members: "member list",
  defrag: "etcd defragment",
  snapshot: "etcd snapshot",
  "forfeit-leadership": "etcd forfeit leadership",
  "alarm list": "etcd alarm list",
  "alarm disarm": "etcd alarm disarm",
};

export function workerError(command: string): RpcError {
  return new RpcError(
    "Unimplemented",
    `${API_NAMES[command] ?? command} is only available on control plane nodes`,
  );
}

export function permissionDeniedError(): RpcError {
  return new RpcError("PermissionDenied", "not authorized");
}
