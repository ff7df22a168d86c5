/** What the talosctl adapter hands to the rest of the program. Raw stdout never leaves src/talos/. */

/** Result of one child process. The runner never throws on a non-zero exit: callers decide. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** undefined when the process was killed (timeout or signal) before it exited on its own. */
  exitCode: number | undefined;
  /** The signal that ended the process (`SIGKILL`, `SIGINT`), when one did; absent when it exited by itself. */
  signal?: string;
  timedOut: boolean;
  durationMs: number;
}

export interface ExecOptions {
  /** Kill the child after this long. Undefined: no timeout (used for defrag). */
  timeoutMs?: number;
}

/** The single choke point for child processes: file + argv array, never a shell. Injected everywhere. */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/**
 * Why talosctl failed for a node, read from its text here in src/talos so nothing else matches error strings:
 * - unreachable: the node or its etcd did not answer (connection refused, Unavailable);
 * - permission-denied: the talosconfig's role may not make this call (RBAC);
 * - learner-refused: the node's etcd is a learner, which serves only status (and snapshots from 3.5);
 * - not-control-plane: a worker node, which runs no etcd;
 * - timed-out: we killed talosctl at its timeout, or the API gave up (DeadlineExceeded);
 * - other: anything else; the raw text is kept for messages.
 */
export type FailureKind =
  | "unreachable"
  | "permission-denied"
  | "learner-refused"
  | "not-control-plane"
  | "timed-out"
  | "other";

/** A node that did not answer (partial failure), why, and what talosctl said about it. */
export interface NodeFailure {
  node: string;
  kind: FailureKind;
  error: string;
}

/** One row of `talosctl etcd status`. Sizes in bytes as parsed (decimal units, lossy). */
export interface StatusRow {
  node: string;
  /** Normalised: 16 lowercase hex digits, zero-padded. */
  memberId: string;
  dbSize: number;
  dbSizeInUse: number;
  /** From the percentage talosctl prints: 29.09% -> 0.2909. */
  inUseRatio: number;
  /** Normalised member ID of the leader this member knows, null for all zeros. */
  leaderId: string | null;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  isLearner: boolean;
  /** v1.11+ only. */
  protocol?: string;
  /** PROTOCOL read as `major.minor.patch` (v1.11+ only): null when it is not a plain version. */
  etcdVersion?: string | null;
  storage?: string;
  /** etcd's own error strings, split on ", " (alarms included, as printed). */
  errors: string[];
  /** The alarms among the errors (`memberID:<decimal> alarm:NOSPACE`), with normalised member IDs. */
  alarms: AlarmRow[];
  /** The errors that are not alarms: what the member itself complains about. */
  otherErrors: string[];
}

/** One row of `talosctl etcd members` (every node repeats the whole list). */
export interface MemberRow {
  node: string;
  memberId: string;
  hostname: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

export interface AlarmRow {
  node: string;
  memberId: string;
  /** NOSPACE, CORRUPT or NONE (kept as printed, upper case). */
  alarm: string;
}

/** Rows from the nodes that answered plus the nodes that failed, each with the kind of failure. */
export interface MultiNodeResult<T> {
  rows: T[];
  failures: NodeFailure[];
}

/** What `talosctl etcd snapshot PATH` reported. */
export interface SnapshotReport {
  path: string;
  bytes: number;
  hash?: string;
  revision?: number;
  totalKeys?: number;
  totalSize?: number;
}

/** Where talosctl looks for its config and which nodes/endpoints to use: passed through unchanged. */
export interface TalosTarget {
  talosctl: string;
  talosconfig?: string;
  context?: string;
  endpoints?: string[];
  /** Nodes given with -n; empty means "use the context's nodes". */
  nodes: string[];
}
