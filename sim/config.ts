/**
 * The simulator's config file (path in TALOS_SIM_CONFIG). The harness writes it; every simulator
 * invocation reads it afresh, so faults set mid-test apply to the next talosctl call.
 */
import { readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Barrier } from "./barrier.js";

export type Release = "v1.10" | "v1.13" | "v1.14";
export const RELEASES: readonly Release[] = ["v1.10", "v1.13", "v1.14"];

/** The talosctl subcommands the simulator knows, as keys for per-command faults and the call log. */
export type SimCommand =
  | "status"
  | "members"
  | "defrag"
  | "snapshot"
  | "forfeit-leadership"
  | "alarm list"
  | "alarm disarm"
  | "etcdspec"
  | "processes"
  | "mounts";

/** One fault. Node-level and command-level faults are merged, the command-level one winning. */
export interface Fault {
  /** The node answers like an apid proxy that cannot reach it: rpc Unavailable. */
  unreachable?: boolean;
  /** Wait this long before the node answers (rows then come later: talosctl prints in answer order). */
  delayMs?: number;
  /** Never answer: the invocation sleeps until it is killed. */
  hang?: boolean;
  /** rpc PermissionDenied, as when the talosconfig role lacks os:admin (forfeit) or os:operator. */
  permissionDenied?: boolean;
  /** Print junk on stdout instead of the real output, exit 0. */
  garbage?: boolean;
  /** Exit with this code after printing `stderr` (default text below), doing nothing. */
  exitCode?: number;
  stderr?: string;
  /** `mounts` reports this many free bytes on the volume holding etcd's data (a node short of disk). */
  diskAvailableBytes?: number;
}

export interface NodeFaults extends Fault {
  /** A worker: every etcd call answers Unimplemented "... is only available on control plane nodes". */
  worker?: boolean;
  commands?: Partial<Record<SimCommand, Fault>>;
}

/** Keyed by node name (the member IP). */
export type Faults = Record<string, NodeFaults>;

export interface SimNode {
  /** The name used with -n: the member's IP. */
  name: string;
  /** Talos hostname shown in `etcd members`. */
  hostname: string;
  /** Where the simulator reaches etcd (plain http, loopback). */
  clientUrl: string;
  peerUrl: string;
}

export interface SimConfig {
  backend: "etcd" | "model";
  release: Release;
  dir: string;
  nodes: SimNode[];
  /** Used when no -n is given (a talosconfig context's nodes). */
  defaultNodes: string[];
  /** quota-backend-bytes given to etcd; null means etcd's default and no extraArgs (like Talos). */
  quotaBytes: number | null;
  callLogPath: string;
  /** Model backend only: JSON state file. */
  modelStatePath?: string;
  etcdctlPath: string;
  /** etcdutl beside etcdctl (etcd 3.5+), else null: etcdctl 3.6+ has no `snapshot status`, etcdutl has. */
  etcdutlPath?: string | null;
  faults: Faults;
  /** Calls that wait for each other (barrier.ts): proves a caller sends them at once. */
  barrier?: Barrier;
}

/** The config both harnesses write: one node per loopback IP, the first one as the context's default node. */
export function buildSimConfig(input: {
  backend: SimConfig["backend"];
  dir: string;
  ips: readonly string[];
  hostnames: readonly string[];
  release?: Release;
  quotaBytes?: number;
  etcdctlPath: string;
  etcdutlPath?: string | null;
}): SimConfig {
  const { backend, dir, ips } = input;
  return {
    backend,
    release: input.release ?? "v1.13",
    dir,
    nodes: ips.map((ip, i) => ({
      name: ip,
      hostname: input.hostnames[i] ?? ip,
      clientUrl: `http://${ip}:2379`,
      peerUrl: `http://${ip}:2380`,
    })),
    defaultNodes: ips.slice(0, 1),
    quotaBytes: input.quotaBytes ?? null,
    callLogPath: join(dir, "calls.jsonl"),
    ...(backend === "model" ? { modelStatePath: join(dir, "model-state.json") } : {}),
    etcdctlPath: input.etcdctlPath,
    etcdutlPath: input.etcdutlPath ?? null,
    faults: {},
  };
}

export function readConfig(path: string): SimConfig {
  return JSON.parse(readFileSync(path, "utf8")) as SimConfig;
}

/** Atomic replace: a simulator starting concurrently must never read a half-written file. */
export async function writeConfig(path: string, config: SimConfig): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`);
  await rename(tmp, path);
}

export function resolveFault(
  faults: Faults,
  node: string,
  command: SimCommand,
): Fault & { worker?: boolean } {
  const nodeFaults = faults[node];
  if (nodeFaults === undefined) return {};
  const { commands, ...base } = nodeFaults;
  return { ...base, ...(commands?.[command] ?? {}) };
}
