/** The model backend: answers from the JSON state file, so the demo runs without etcd installed. */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { type Backend, type MemberStatus, RpcError, unavailableError } from "./backend.js";
import type { SimConfig } from "./config.js";
import { sleep } from "./fan-out.js";
import {
  buildSnapshotBytes,
  defragMember,
  findMember,
  forfeitLeadership,
  type ModelMember,
  type ModelState,
} from "./model-state.js";

export function readModelState(path: string): ModelState {
  return JSON.parse(readFileSync(path, "utf8")) as ModelState;
}

export function writeModelState(path: string, state: ModelState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function createModelBackend(config: SimConfig): Backend {
  const path = config.modelStatePath;
  if (path === undefined) throw new Error("model backend without modelStatePath in the config");

  // Every call re-reads the file: other invocations (and the harness) change it.
  const withMember = async <T>(
    node: string,
    act: (state: ModelState, member: ModelMember) => T,
  ): Promise<T> => {
    let state = readModelState(path);
    let member = findMember(state, node);
    if (member === undefined) throw unavailableError(node);
    // A stopped member's call waits until it runs again, as Talos's clientv3 waits (etcd-backend.ts says why).
    while (!member.running) {
      await sleep(100);
      state = readModelState(path);
      member = findMember(state, node);
      if (member === undefined) throw unavailableError(node);
    }
    const result = act(state, member);
    writeModelState(path, state);
    return result;
  };

  return {
    status: (node) =>
      withMember(node, (state, m): MemberStatus => {
        const [major, minor] = state.version.split(".");
        return {
          memberId: m.id,
          leader: state.leaderId ?? "0",
          dbSize: m.dbSize,
          dbSizeInUse: m.dbSizeInUse,
          raftIndex: state.raftIndex,
          raftTerm: state.raftTerm,
          raftAppliedIndex: state.raftIndex,
          isLearner: false,
          version: state.version,
          storageVersion: `${major}.${minor}.0`,
          errors: [
            ...state.alarms.map((a) => `memberID:${a.memberId} alarm:${a.alarm}`),
            ...(state.leaderId === null ? ["etcdserver: no leader"] : []),
          ],
        };
      }),
    members: (node) =>
      withMember(node, (state) =>
        state.members.map((m) => ({
          id: m.id,
          hostname: m.hostname,
          peerUrls: [`https://${m.node}:2380`],
          clientUrls: [`https://${m.node}:2379`],
          isLearner: false,
        })),
      ),
    alarms: (node) => withMember(node, (state) => [...state.alarms]),
    disarmAlarms: (node) =>
      withMember(node, (state) => {
        const disarmed = state.alarms;
        state.alarms = [];
        return disarmed;
      }),
    defrag: async (node) => {
      // A defrag takes a moment; long enough that tests see it in the call log's timings.
      await sleep(50);
      await withMember(node, (state, m) => defragMember(state, m));
    },
    forfeitLeadership: async (node) => {
      await withMember(node, (state, m) => {
        if (state.leaderId === null) throw new RpcError("Unavailable", "etcdserver: no leader");
        forfeitLeadership(state, m);
      });
    },
    snapshot: async (node, destPath) => {
      const bytes = await withMember(node, (state) => buildSnapshotBytes(state));
      await writeFile(destPath, bytes);
      return bytes.length;
    },
    snapshotStatus: async (snapshotPath) => {
      const state = readModelState(path);
      const bytes = await readFile(snapshotPath);
      return {
        hash: bytes.readUInt32BE(bytes.length - 32),
        revision: state.revision,
        totalKey: state.totalKeys,
        totalSize: bytes.length - 32,
      };
    },
  };
}
