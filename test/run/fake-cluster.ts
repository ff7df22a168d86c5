/**
 * A scripted in-memory etcd cluster behind the Talosctl interface. Its status changes as defrag, forfeit and
 * disarm are called; every call is recorded. Behaviour per node is scripted (fail, time out, deny forfeit,
 * catch up slowly or never), and hooks let a test move leadership or drop a member by itself.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { buildView } from "../../src/cluster/view.js";
import { CommandError } from "../../src/errors.js";
import { splitStatusErrors } from "../../src/talos/error-alarms.js";
import type { EtcdMemory, EtcdVolume, NodeReadings } from "../../src/talos/etcd-resources.js";
import type { EtcdSpec } from "../../src/talos/parse-etcdspec.js";
import type { Talosctl } from "../../src/talos/talosctl.js";
import type {
  AlarmRow,
  MemberRow,
  MultiNodeResult,
  NodeFailure,
  SnapshotReport,
  StatusRow,
} from "../../src/talos/types.js";

export interface FakeMember {
  node: string;
  memberId: string;
  dbSize: number;
  dbSizeInUse: number;
  appliedIndex: number;
  learner: boolean;
  up: boolean;
  errors: string[];
  /** Overrides the leader this member names (to script disagreement). */
  names?: string | null;
  /** etcd's RSS as `processes` reports it; undefined: the node shows no etcd process. */
  rssBytes?: number;
  /** Free bytes on the volume holding /var/lib/etcd; undefined: 10 GB. */
  diskAvailableBytes?: number;
}

export type DefragMode = "ok" | "fail" | "timeout" | "timeout-shrinks" | "fail-shrinks" | "denied";
export type ForfeitMode = "ok" | "denied" | "ignored" | "error";
export type SnapshotMode = "ok" | "truncated" | "bad-hash" | "fail";
/** `denied`: the role cannot call it (PermissionDenied, no node named), as with an os:etcd:backup-only talosconfig. */
export type ReadingMode = "ok" | "denied";

export interface Call {
  method: string;
  node?: string;
  nodes?: readonly string[];
  path?: string;
}

export interface FakeScript {
  defrag: Record<string, DefragMode>;
  /** Status polls a member stays behind (or down: `downPolls`) after its defrag; Infinity = never converges. */
  lagPolls: Record<string, number>;
  downPolls: Record<string, number>;
  defragMs: number;
  /** How long each `etcd status` call takes on the clock: talosctl's fixed per-call cost. Default 0. */
  statusMs?: number;
  forfeit: ForfeitMode;
  snapshot: SnapshotMode;
  /**
   * Members reported this many entries behind the leader's raft index for the next `polls` status calls
   * (Infinity = always), whatever else happens: load the leader's log outruns.
   */
  behind?: Record<string, { entries: number; polls: number }>;
  processes?: ReadingMode;
  mounts?: ReadingMode;
  /** Runs before every status call with its 1-based number: move leadership, drop a member, raise an alarm. */
  beforeStatus?: (callNo: number, cluster: FakeCluster) => void;
  afterDefrag?: (node: string, cluster: FakeCluster) => void;
}

const MiB = 1024 * 1024;

export class FakeCluster implements Talosctl {
  readonly calls: Call[] = [];
  leaderId: string | null;
  raftIndex = 1000;
  activeAlarms: { memberId: string; alarm: string }[] = [];
  script: FakeScript = {
    defrag: {},
    lagPolls: {},
    downPolls: {},
    defragMs: 3100,
    forfeit: "ok",
    snapshot: "ok",
  };
  quota = 2 * 1024 * MiB;
  /** The etcd version every status row reports (PROTOCOL); null: a release without PROTOCOL. */
  etcdVersion: string | null = "3.6.12";
  clock = 0;
  private statusCalls = 0;
  private lagging = new Map<string, number>();
  private down = new Map<string, number>();

  constructor(
    readonly fleet: FakeMember[],
    leaderNode: string,
  ) {
    this.leaderId = fleet.find((m) => m.node === leaderNode)?.memberId ?? null;
    for (const m of fleet) m.appliedIndex = this.raftIndex;
  }

  member(node: string): FakeMember {
    const found = this.fleet.find((m) => m.node === node);
    if (found === undefined) throw new Error(`no fake member on ${node}`);
    return found;
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  async status(nodes: readonly string[]): Promise<MultiNodeResult<StatusRow>> {
    this.calls.push({ method: "status", nodes });
    this.clock += this.script.statusMs ?? 0;
    this.statusCalls++;
    this.script.beforeStatus?.(this.statusCalls, this);
    this.raftIndex += 3;
    const rows: StatusRow[] = [];
    const unreachable: NodeFailure[] = [];
    for (const m of this.fleet) {
      const downFor = this.down.get(m.node) ?? 0;
      if (!m.up || downFor > 0) {
        if (downFor > 0) this.down.set(m.node, downFor - 1);
        unreachable.push({
          node: m.node,
          kind: "unreachable",
          error: "rpc error: code = Unavailable desc = connection refused",
        });
        continue;
      }
      const lagFor = this.lagging.get(m.node) ?? 0;
      const behind = this.script.behind?.[m.node];
      if (behind !== undefined && behind.polls > 0) {
        behind.polls -= 1;
        m.appliedIndex = this.raftIndex - behind.entries;
      } else if (lagFor > 0) this.lagging.set(m.node, lagFor - 1);
      else m.appliedIndex = this.raftIndex;
      const alarmErrors = this.activeAlarms
        .filter((a) => a.memberId === m.memberId)
        .map((a) => `memberID:${BigInt(`0x${a.memberId}`)} alarm:${a.alarm}`);
      rows.push({
        node: m.node,
        memberId: m.memberId,
        dbSize: m.dbSize,
        dbSizeInUse: m.dbSizeInUse,
        inUseRatio: Math.round((m.dbSizeInUse / m.dbSize) * 10_000) / 10_000,
        leaderId: m.names === undefined ? this.leaderId : m.names,
        raftIndex: this.raftIndex,
        raftTerm: 4,
        raftAppliedIndex: m.appliedIndex,
        isLearner: m.learner,
        ...(this.etcdVersion === null ? {} : { protocol: this.etcdVersion, etcdVersion: this.etcdVersion }),
        ...withSplitErrors(m.node, [...m.errors, ...alarmErrors]),
      });
    }
    return { rows, failures: unreachable };
  }

  private memberList(): MemberRow[] {
    return this.fleet.map((m) => ({
      node: "",
      memberId: m.memberId,
      hostname: `cp-${m.memberId.slice(0, 4)}`,
      peerUrls: [`https://${m.node}:2380`],
      clientUrls: [`https://${m.node}:2379`],
      isLearner: m.learner,
    }));
  }

  async members(nodes: readonly string[]): Promise<MultiNodeResult<MemberRow>> {
    this.calls.push({ method: "members", nodes });
    const up = this.fleet.filter((m) => m.up && !this.down.get(m.node));
    const list = await this.memberList();
    return { rows: up.flatMap((m) => list.map((row) => ({ ...row, node: m.node }))), failures: [] };
  }

  async alarms(nodes: readonly string[]): Promise<MultiNodeResult<AlarmRow>> {
    this.calls.push({ method: "alarms", nodes });
    return { rows: this.alarmRows(), failures: [] };
  }

  async disarmAlarms(nodes: readonly string[]): Promise<MultiNodeResult<AlarmRow>> {
    this.calls.push({ method: "disarm", nodes });
    const rows = this.alarmRows();
    this.activeAlarms = [];
    return { rows, failures: [] };
  }

  async defrag(node: string, timeoutMs?: number): Promise<{ durationMs: number }> {
    this.calls.push({ method: "defrag", node });
    const mode = this.script.defrag[node] ?? "ok";
    const argv = ["talosctl", "-n", node, "etcd", "defrag"];
    this.clock += mode.startsWith("timeout") ? (timeoutMs ?? 600_000) : this.script.defragMs;
    const m = this.member(node);
    if (mode === "ok" || mode === "timeout-shrinks" || mode === "fail-shrinks") {
      m.dbSize = Math.max(m.dbSizeInUse + MiB, Math.ceil(m.dbSizeInUse * 1.02));
      this.lagging.set(node, this.script.lagPolls[node] ?? 0);
      this.down.set(node, this.script.downPolls[node] ?? 0);
      m.appliedIndex = this.raftIndex - 50;
      // A defragmented etcd maps a smaller file: its resident memory falls towards the live data.
      if (m.rssBytes !== undefined) m.rssBytes = Math.min(m.rssBytes, m.dbSizeInUse + 40 * MiB);
    }
    this.script.afterDefrag?.(node, this);
    if (mode === "denied")
      throw new CommandError(argv, 1, "rpc error: code = PermissionDenied desc = not authorized", false);
    if (mode === "fail" || mode === "fail-shrinks")
      throw new CommandError(argv, 1, "rpc error: code = Internal desc = boom", false);
    if (mode === "timeout" || mode === "timeout-shrinks") throw new CommandError(argv, undefined, "", true);
    return { durationMs: this.script.defragMs };
  }

  async snapshot(node: string, path: string): Promise<SnapshotReport> {
    this.calls.push({ method: "snapshot", node, path });
    if (this.script.snapshot === "fail")
      throw new CommandError(["talosctl", "etcd", "snapshot", path], 1, "boom", false);
    const body = randomBytes(512 * 8);
    let trailer = createHash("sha256").update(body).digest();
    if (this.script.snapshot === "bad-hash") trailer = Buffer.alloc(32, 7);
    let file = Buffer.concat([body, trailer]);
    if (this.script.snapshot === "truncated") file = file.subarray(0, file.length - 100);
    await writeFile(path, file, { mode: 0o600 });
    return {
      path,
      bytes: file.length,
      hash: "3c5e4b1a",
      revision: 53391,
      totalKeys: 1187,
      totalSize: 3035136,
    };
  }

  async forfeitLeadership(node: string): Promise<void> {
    this.calls.push({ method: "forfeit", node });
    const argv = ["talosctl", "-n", node, "etcd", "forfeit-leadership"];
    const mode = this.script.forfeit;
    if (mode === "denied")
      throw new CommandError(argv, 1, "rpc error: code = PermissionDenied desc = not authorized", false);
    if (mode === "error") throw new CommandError(argv, 1, "rpc error: code = Unavailable desc = gone", false);
    if (mode === "ignored" || this.member(node).memberId !== this.leaderId) return;
    // Like the server: the first other voting member of the member list takes over.
    const next = this.fleet.find((m) => m.node !== node && !m.learner && m.up);
    if (next !== undefined) this.leaderId = next.memberId;
  }

  async etcdSpec(): Promise<EtcdSpec> {
    return { quotaBytes: null, image: null, etcdVersion: null };
  }

  async processes(nodes: readonly string[]): Promise<NodeReadings<EtcdMemory>> {
    this.calls.push({ method: "processes", nodes });
    this.denyReading("processes", this.script.processes);
    const readings = this.reachable(nodes).flatMap((m) =>
      m.rssBytes === undefined ? [] : [{ node: m.node, pid: 1888, rssBytes: m.rssBytes }],
    );
    return { readings, failed: this.unreachableOf(nodes) };
  }

  async mounts(nodes: readonly string[]): Promise<NodeReadings<EtcdVolume>> {
    this.calls.push({ method: "mounts", nodes });
    this.denyReading("mounts", this.script.mounts);
    const readings = this.reachable(nodes).map((m) => ({
      node: m.node,
      mountedOn: "/var",
      filesystem: "/dev/sda6",
      sizeBytes: 20_000_000_000,
      availableBytes: m.diskAvailableBytes ?? 10_000_000_000,
    }));
    return { readings, failed: this.unreachableOf(nodes) };
  }

  private denyReading(command: string, mode: ReadingMode | undefined): void {
    if (mode === "denied")
      throw new CommandError(
        ["talosctl", command],
        1,
        "rpc error: code = PermissionDenied desc = not authorized",
        false,
        "permission-denied",
      );
  }

  private reachable(nodes: readonly string[]): FakeMember[] {
    return this.fleet.filter((m) => nodes.includes(m.node) && m.up && !this.down.get(m.node));
  }

  private unreachableOf(nodes: readonly string[]): NodeFailure[] {
    return this.fleet
      .filter((m) => nodes.includes(m.node) && !this.reachable([m.node]).length)
      .map((m) => ({
        node: m.node,
        kind: "unreachable" as const,
        error: "rpc error: code = Unavailable desc = connection refused",
      }));
  }

  private alarmRows(): AlarmRow[] {
    const up = this.fleet.filter((m) => m.up);
    return up.flatMap((m) => this.activeAlarms.map((a) => ({ node: m.node, ...a })));
  }

  /** Reads the cluster the way the CLI does: status, members and alarms turned into a view. */
  readonly readView = async (): Promise<ClusterView> => {
    const nodes = this.fleet.map((m) => m.node);
    return buildView({
      status: await this.status(nodes),
      members: await this.members(nodes),
      alarms: await this.alarms(nodes),
      quota: { bytes: this.quota, source: "default" },
      rule: compileRule(DEFAULT_RULE),
    });
  };
}

function withSplitErrors(node: string, errors: string[]) {
  return { errors, ...splitStatusErrors(node, errors) };
}
