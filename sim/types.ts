/** What the harnesses (real etcd and model) hand to tests. */
import type { Barrier } from "./barrier.js";
import type { ClusterMember } from "./cluster-members.js";
import type { Faults, Release } from "./config.js";

export type { ClusterMember } from "./cluster-members.js";

export type { Fault, Faults, NodeFaults, Release, SimCommand } from "./config.js";

/** One simulator invocation, appended as a JSON line to the cluster's call log. */
export interface CallLogEntry {
  argv: string[];
  /** The nodes the call was aimed at (-n, else the config's defaultNodes). */
  nodes: string[];
  /** "status", "defrag", "alarm list", ... or the unparsed words when the argv was not understood. */
  command: string;
  /** Epoch milliseconds: when the command began (after the simulator's own start-up) and ended. */
  start: number;
  end: number;
  /**
   * Epoch milliseconds when this talosctl process was started (Node's time origin): the caller's view of the
   * call begins here, start-up included, as a real talosctl's start-up and TLS handshake would.
   */
  spawnedAt?: number;
  exitCode: number;
}

export interface SimCluster {
  /** Node names as given to -n: the member IPs, voters first, then the learner (if any). */
  nodes: string[];
  /** The node that joined as a learner (`learner: true`), else null. Stays set after promoteLearner. */
  learnerNode: string | null;
  /** The nodes without the learner: those started as voting members. */
  voterNodes: string[];
  dir: string;
  backend: "etcd" | "model";
  /** The release at start; see setRelease. */
  release: Release;
  /** Path of the simulated talosctl executable. */
  talosctlPath: string;
  /** Environment for running talosctlPath (TALOS_SIM_CONFIG). */
  env: Record<string, string>;
  /** etcd client URL of a node (http://IP:2379), for the data helpers. Model backend: not reachable. */
  endpoints(node: string): string;
  callLog(): Promise<CallLogEntry[]>;
  /** Replaces all faults; the next simulator invocation sees them. */
  setFaults(faults: Faults): Promise<void>;
  /** Switch the talosctl output format for later invocations (same cluster). */
  setRelease(release: Release): Promise<void>;
  stopMember(node: string): Promise<void>;
  /**
   * Real etcd only: sends a signal to the member's etcd process (SIGKILL: a crash; SIGSTOP: a hung node, which
   * accepts connections and answers nothing, until SIGCONT). Returns false when the member is not running;
   * startMember starts a killed member again. A test that pauses a member resumes it in a `finally`.
   */
  signalMember(node: string, signal: NodeJS.Signals): boolean;
  startMember(node: string): Promise<void>;
  leaderNode(): Promise<string | null>;
  /** Replaces the talosconfig context's nodes (used when talosctl gets no -n); default: the first node. */
  setDefaultNodes(nodes: string[]): Promise<void>;
  /** Sets (or, with null, removes) the barrier of later invocations (barrier.ts). */
  setBarrier(barrier: Barrier | null): Promise<void>;
  /** Members as a voter sees them, ascending ID order (Talos's forfeit order), with their node. */
  memberList(): Promise<(ClusterMember & { node: string })[]>;
  /** Moves leadership to this voter (no-op if it leads) and waits until every member agrees. */
  moveLeader(node: string): Promise<void>;
  /** Real etcd only: `member promote` of the learner, retried until it has caught up. */
  promoteLearner(): Promise<void>;
  /**
   * Real etcd only: makes a voter leader such that Talos's forfeit-leadership on it targets the learner
   * (true) or a voter (false); returns the leader's node. Throws when the ID layout cannot give it
   * (never with the default learnerIdRank 2).
   */
  arrangeForfeitTarget(learnerIsTarget: boolean): Promise<string>;
  stop(): Promise<void>;
  /**
   * Set when TALOSCTL_REAL chose the real talosctl (sim/real-talosctl.ts): its tag, the binary itself (for a
   * call that must not be logged) and each role's talosconfig written by the Talos API double.
   */
  real?: {
    tag: "v1.13.9" | "v1.14.1";
    talosctl: string;
    talosconfigOf(role: "os:admin" | "os:operator" | "os:reader" | "os:etcd:backup"): string;
  };
}

export interface ClusterOptions {
  /** Default 127.0.0.11, .12, .13 (and .14 for the learner). With `learner`, the last IP is the learner. */
  ips?: string[];
  /**
   * Real etcd only: join one more member as a learner (`member add --learner`, as Talos joins a new
   * control-plane node) after the voters elected a leader. It is not promoted.
   */
  learner?: boolean;
  /**
   * Where the learner's ID falls among all member IDs, ascending, 1-based (default 2: one voter sorts
   * before it, so arrangeForfeitTarget can give either answer on the same cluster).
   */
  learnerIdRank?: number;
  /** --quota-backend-bytes; default unset (etcd's 2 GiB, and no extraArgs in etcdspec, like Talos). */
  quotaBytes?: number;
  release?: Release;
  /** Parent directory for the cluster's temp dir (default os.tmpdir()). */
  dir?: string;
  /**
   * Real etcd only: one directory per IP (same order), each a member's data dir saved from an earlier cluster
   * on the same IPs (see memberDataDir). Copied in before the members start, so the cluster resumes that data
   * (the bench restores a fragmented template instead of rebuilding it, which takes minutes at 1 GB).
   */
  seedDataDirs?: string[];
  /**
   * Real etcd only: the folder holding the `etcd` and `etcdctl` to run (e.g. what `scripts/etcd-build 3.6.4`
   * prints), for a test of one etcd version; default the first `etcd` and `etcdctl` on PATH.
   */
  etcdBin?: string;
}

export const DEFAULT_IPS: readonly string[] = ["127.0.0.11", "127.0.0.12", "127.0.0.13"];
/** Added to DEFAULT_IPS for the learner when `learner` is set without `ips`. */
export const DEFAULT_LEARNER_IP = "127.0.0.14";
