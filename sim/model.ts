/**
 * A simulated cluster without etcd: the same talosctl simulator over in-memory state kept in a
 * JSON file. Used by `npm run demo` when etcd is not installed, and labelled "simulated" there.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simTalosctlPath } from "./cluster.js";
import { buildSimConfig, writeConfig } from "./config.js";
import { configHandle } from "./config-handle.js";
import { readModelState, writeModelState } from "./model-backend.js";
import { createModelState, electLeader, findMember, fragmentModel, type ModelState } from "./model-state.js";
import { type ClusterOptions, DEFAULT_IPS, type SimCluster } from "./types.js";

export type { ModelState } from "./model-state.js";

function statePathOf(cluster: SimCluster): string {
  return join(cluster.dir, "model-state.json");
}

/** Change the model's state directly (tests: raise an alarm, shrink a member, ...). */
export function updateModelState(cluster: SimCluster, change: (state: ModelState) => void): void {
  const path = statePathOf(cluster);
  const state = readModelState(path);
  change(state);
  writeModelState(path, state);
}

/** The model's counterpart of data.ts fragmentCluster: db sizes grow, little of them in use. */
export function fragmentModelCluster(
  cluster: SimCluster,
  opts: { targetBytes?: number; reclaimableRatio?: number } = {},
): void {
  updateModelState(cluster, (state) =>
    fragmentModel(state, opts.targetBytes ?? 30_000_000, opts.reclaimableRatio ?? 0.6),
  );
}

const realEtcdOnly = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} needs real etcd (startCluster): the model has no learners`);
};

export async function startModelCluster(opts: ClusterOptions = {}): Promise<SimCluster> {
  if (opts.learner) throw new Error("learners need real etcd (startCluster): the model has none");
  const ips = opts.ips ?? [...DEFAULT_IPS];
  const parent = opts.dir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "talos-sim-model-"));
  const config = buildSimConfig({
    backend: "model",
    dir,
    ips,
    hostnames: ips.map((_, i) => `talos-cp-${i + 1}`),
    ...(opts.release === undefined ? {} : { release: opts.release }),
    ...(opts.quotaBytes === undefined ? {} : { quotaBytes: opts.quotaBytes }),
    etcdctlPath: "etcdctl",
  });
  const { nodes } = config;
  const configPath = join(dir, "sim-config.json");
  await writeConfig(configPath, config);
  writeModelState(config.modelStatePath ?? join(dir, "model-state.json"), createModelState(nodes));

  let stopped = false;
  const cluster: SimCluster = {
    nodes: ips,
    learnerNode: null,
    voterNodes: [...ips],
    dir,
    backend: "model",
    release: config.release,
    ...configHandle(configPath, config, simTalosctlPath()),
    endpoints: (node) => `http://${node}:2379`,
    stopMember: async (node) => setRunning(node, false),
    startMember: async (node) => setRunning(node, true),
    signalMember: () => {
      throw new Error("the model backend has no etcd process to signal");
    },
    leaderNode: async () => {
      const state = readModelState(statePathOf(cluster));
      return state.members.find((m) => m.id === state.leaderId)?.node ?? null;
    },
    memberList: async () =>
      readModelState(statePathOf(cluster)).members.map((m) => ({
        id: m.id,
        name: m.hostname,
        peerUrls: [`http://${m.node}:2380`],
        clientUrls: [`http://${m.node}:2379`],
        isLearner: false,
        node: m.node,
      })),
    moveLeader: async (node) =>
      updateModelState(cluster, (state) => {
        const member = findMember(state, node);
        if (member === undefined) throw new Error(`unknown node ${node}`);
        if (state.leaderId === member.id) return;
        state.leaderId = member.id;
        state.raftTerm += 1;
      }),
    promoteLearner: realEtcdOnly("promoteLearner"),
    arrangeForfeitTarget: realEtcdOnly("arrangeForfeitTarget"),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const setRunning = (node: string, running: boolean): void =>
    updateModelState(cluster, (state) => {
      const member = findMember(state, node);
      if (member === undefined) throw new Error(`unknown node ${node}`);
      member.running = running;
      electLeader(state);
    });
  return cluster;
}
