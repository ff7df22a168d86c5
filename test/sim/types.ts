/** What the harnesses (real etcd and model) hand to tests. */
import type { Faults, Release } from "./config.js";

export type { Fault, Faults, NodeFaults, Release, SimCommand } from "./config.js";

/** One simulator invocation, appended as a JSON line to the cluster's call log. */
export interface CallLogEntry {
  argv: string[];
  /** The nodes the call was aimed at (-n, else the config's defaultNodes). */
  nodes: string[];
  /** "status", "defrag", "alarm list", ... or the unparsed words when the argv was not understood. */
  command: string;
  /** Epoch milliseconds. */
  start: number;
  end: number;
  exitCode: number;
}

export interface SimCluster {
  /** Node names as given to -n: the member IPs. */
  nodes: string[];
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
  startMember(node: string): Promise<void>;
  leaderNode(): Promise<string | null>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Default 127.0.0.11, .12, .13. */
  ips?: string[];
  /** --quota-backend-bytes; default unset (etcd's 2 GiB, and no extraArgs in etcdspec, like Talos). */
  quotaBytes?: number;
  release?: Release;
  /** Parent directory for the cluster's temp dir (default os.tmpdir()). */
  dir?: string;
}

export const DEFAULT_IPS: readonly string[] = ["127.0.0.11", "127.0.0.12", "127.0.0.13"];
