/**
 * The model backend's state: three members with sizes, raft counters, a leader and alarms, kept as
 * JSON next to the config. Pure transitions here; reading and writing the file in model-backend.ts.
 */
import { createHash } from "node:crypto";
import type { AlarmInfo } from "./backend.js";

export interface ModelMember {
  /** uint64 as a decimal string, like etcd's gateway. */
  id: string;
  node: string;
  hostname: string;
  dbSize: number;
  dbSizeInUse: number;
  running: boolean;
}

export interface ModelState {
  /** Kept sorted by id: that is the member list order etcd returns. */
  members: ModelMember[];
  leaderId: string | null;
  raftTerm: number;
  raftIndex: number;
  revision: number;
  totalKeys: number;
  alarms: AlarmInfo[];
  version: string;
}

const PAGE = 4096;

/** A stable pseudo-random uint64 per hostname, so outputs are reproducible. */
function deriveMemberId(hostname: string): string {
  return createHash("sha256").update(hostname).digest().readBigUInt64BE(0).toString();
}

export function createModelState(nodes: readonly { name: string; hostname: string }[]): ModelState {
  const members = nodes
    .map((n) => ({
      id: deriveMemberId(n.hostname),
      node: n.name,
      hostname: n.hostname,
      dbSize: 20 * PAGE * 25,
      dbSizeInUse: 16 * PAGE * 25,
      running: true,
    }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return {
    members,
    leaderId: members[0]?.id ?? null,
    raftTerm: 2,
    raftIndex: 1200,
    revision: 900,
    totalKeys: 350,
    alarms: [],
    version: "3.6.5",
  };
}

export function findMember(state: ModelState, node: string): ModelMember | undefined {
  return state.members.find((m) => m.node === node);
}

/** After a member stops or starts: a quorum elects the first running member if the leader is gone. */
export function electLeader(state: ModelState): void {
  const running = state.members.filter((m) => m.running);
  const leaderRunning = running.some((m) => m.id === state.leaderId);
  if (running.length * 2 <= state.members.length) {
    state.leaderId = null;
    return;
  }
  if (!leaderRunning) {
    state.leaderId = running[0]?.id ?? null;
    state.raftTerm += 1;
  }
}

/** Defragmentation rewrites the file down to what is in use (rounded to pages). */
export function defragMember(state: ModelState, member: ModelMember): void {
  member.dbSize = Math.ceil(member.dbSizeInUse / PAGE) * PAGE + 2 * PAGE;
  state.raftIndex += 1;
}

/** Talos's rule: a leader hands over to the first other member of the list; others do nothing. */
export function forfeitLeadership(state: ModelState, member: ModelMember): string | null {
  if (state.leaderId !== member.id) return null;
  const target = state.members.find((m) => m.id !== member.id);
  if (target === undefined || !target.running) return null;
  state.leaderId = target.id;
  state.raftTerm += 1;
  state.raftIndex += 1;
  return target.id;
}

/** Grow every member like an apiserver churning keys: big files, little in use. */
export function fragmentModel(state: ModelState, targetBytes: number, reclaimableRatio: number): void {
  for (const [i, m] of state.members.entries()) {
    // Members differ a little, as real ones do.
    m.dbSize = Math.round((targetBytes * (1 + i * 0.07)) / PAGE) * PAGE;
    m.dbSizeInUse = Math.round((m.dbSize * (1 - reclaimableRatio)) / PAGE) * PAGE;
  }
  state.revision += 5000;
  state.raftIndex += 5200;
  state.totalKeys += 400;
}

/** A small database image of 512*k bytes plus its sha256, as etcd streams a snapshot. */
export function buildSnapshotBytes(state: ModelState): Buffer {
  const blocks = Math.max(1, Math.min(1024, Math.ceil((state.totalKeys * 1024) / 512)));
  const body = Buffer.alloc(blocks * 512);
  const seed = createHash("sha256").update(`rev-${state.revision}`).digest();
  for (let i = 0; i < body.length; i += seed.length)
    seed.copy(body, i, 0, Math.min(seed.length, body.length - i));
  const trailer = createHash("sha256").update(body).digest();
  return Buffer.concat([body, trailer]);
}
