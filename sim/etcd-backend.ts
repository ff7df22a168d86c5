/** The simulator's real backend: each node is one member of a real etcd cluster (gateway + etcdctl). */

import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import {
  type AlarmInfo,
  type Backend,
  type MemberInfo,
  type MemberStatus,
  RpcError,
  type SnapshotInfo,
  unavailableError,
} from "./backend.js";
import type { MemberReply } from "./cluster-members.js";
import type { SimConfig } from "./config.js";
import { asTalosApi, EtcdServerError, TALOS_WRAPPING, translateGatewayFailure } from "./etcd-errors.js";
import { hangForever, sleep } from "./fan-out.js";
import { callGateway, readStreamStart, UnreachableError } from "./gateway.js";
import { forfeitTargetOf } from "./member-order.js";

const run = promisify(execFile);

export interface StatusReply {
  header?: { member_id?: string };
  version?: string;
  dbSize?: string;
  dbSizeInUse?: string;
  leader?: string;
  raftIndex?: string;
  raftTerm?: string;
  raftAppliedIndex?: string;
  errors?: string[];
  isLearner?: boolean;
  /** etcd 3.6+ only: the version of the member's storage (its backend's schema), like "3.6.0". */
  storageVersion?: string;
}

interface AlarmReply {
  alarms?: { memberID?: string; alarm?: string }[];
}

/**
 * The command that reads a snapshot file's hash, revision and sizes: etcdutl where there is one (etcd 3.5+; talosctl
 * itself uses etcdutl's snapshot package), else etcdctl (etcd 3.4). etcdctl 3.6+ has no `snapshot status`: it
 * prints its help for `snapshot` and exits 0.
 */
export function snapshotStatusCommand(
  config: Pick<SimConfig, "etcdctlPath" | "etcdutlPath">,
  path: string,
): [string, string[]] {
  const argv = ["snapshot", "status", path, "-w", "json"];
  return [config.etcdutlPath ?? config.etcdctlPath, argv];
}

/** `snapshot status -w json` output; anything else (etcdctl 3.6's help text, say) is an error naming the command. */
export function parseSnapshotStatus(stdout: string, command: string): SnapshotInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    parsed = null;
  }
  const info = parsed as Partial<Record<keyof SnapshotInfo, unknown>> | null;
  const fields = ["hash", "revision", "totalKey", "totalSize"] as const;
  if (info === null || typeof info !== "object" || fields.some((f) => typeof info[f] !== "number")) {
    const first = stdout.trim().split("\n")[0] ?? "";
    throw new Error(`${command} printed no snapshot status (first line: ${JSON.stringify(first)})`);
  }
  return {
    hash: info.hash as number,
    revision: info.revision as number,
    totalKey: info.totalKey as number,
    totalSize: info.totalSize as number,
  };
}

/**
 * A gateway status reply as Talos's EtcdStatus answers it. STORAGE is etcd's own storage version where etcd
 * reports one (3.6+: it lags the server version during an upgrade or a downgrade, "3.5.0" on a 3.6.12 member once a
 * downgrade is enabled); before 3.6 Talos makes it up as major.minor.0 of the server version.
 */
export function toMemberStatus(reply: StatusReply): MemberStatus {
  const version = reply.version ?? "";
  const [major, minor] = version.split(".");
  const madeUp = major !== undefined && minor !== undefined ? `${major}.${minor}.0` : "unknown";
  return {
    memberId: reply.header?.member_id ?? "0",
    leader: reply.leader ?? "0",
    dbSize: Number(reply.dbSize ?? 0),
    dbSizeInUse: Number(reply.dbSizeInUse ?? 0),
    raftIndex: Number(reply.raftIndex ?? 0),
    raftTerm: Number(reply.raftTerm ?? 0),
    raftAppliedIndex: Number(reply.raftAppliedIndex ?? 0),
    isLearner: reply.isLearner ?? false,
    version,
    storageVersion:
      reply.storageVersion !== undefined && reply.storageVersion !== "" ? reply.storageVersion : madeUp,
    // etcd 3.4 renders alarms in proto text form with a trailing space; newer etcd does not.
    errors: (reply.errors ?? []).map((e) => e.trimEnd()),
  };
}

/** How often a call for a stopped member tries again (gRPC's reconnect backoff starts at 1 s; shorter here). */
const STOPPED_RETRY_MS = 200;

/** The member's process is gone: nothing listens on its client port. */
function isStopped(error: unknown): boolean {
  return error instanceof UnreachableError && error.reason === "connection refused";
}

function toTalosUrl(url: string): string {
  return url.replace(/^http:/, "https:");
}

export function createEtcdBackend(config: SimConfig): Backend {
  const endpointOf = (node: string): string => {
    const found = config.nodes.find((n) => n.name === node);
    // A node outside the cluster behaves like an address nobody answers on.
    if (found === undefined) throw unavailableError(node);
    return found.clientUrl;
  };

  // Translate transport failures into what talosctl would print for that node. Talos's machined reaches its
  // node's member through clientv3, whose calls wait for a connection (gRPC WaitForReady) with no deadline of
  // their own: a stopped member's call waits until the member is back or the caller gives up, never failing fast.
  const call = async <T>(node: string, path: string, body: unknown = {}, timeoutMs?: number): Promise<T> => {
    for (;;) {
      try {
        return await callGateway<T>(
          endpointOf(node),
          path,
          body,
          timeoutMs === undefined ? {} : { timeoutMs },
        );
      } catch (error) {
        if (!isStopped(error)) throw translateGatewayFailure(node, error);
        await sleep(STOPPED_RETRY_MS);
      }
    }
  };

  /** Until the node's member accepts connections again (a snapshot's etcdctl would fail fast where clientv3 waits). */
  const waitForMember = async (node: string): Promise<void> => {
    await call(node, "maintenance/status", {}, 10_000);
  };

  const status = async (node: string): Promise<MemberStatus> =>
    toMemberStatus(await call<StatusReply>(node, "maintenance/status", {}, 10_000));

  const members = async (node: string): Promise<MemberInfo[]> => {
    const reply = await call<{ members?: MemberReply[] }>(node, "cluster/member/list", {}, 10_000);
    return (reply.members ?? []).map((m) => ({
      id: m.ID ?? "0",
      hostname: m.name ?? "",
      peerUrls: (m.peerURLs ?? []).map(toTalosUrl),
      clientUrls: (m.clientURLs ?? []).map(toTalosUrl),
      isLearner: m.isLearner ?? false,
    }));
  };

  const alarms = async (node: string): Promise<AlarmInfo[]> => {
    const reply = await call<AlarmReply>(node, "maintenance/alarm", { action: "GET" }, 10_000);
    return (reply.alarms ?? []).map((a) => ({ memberId: a.memberID ?? "0", alarm: a.alarm ?? "NONE" }));
  };

  /** Asks the learner's etcd itself: the first bytes of its snapshot stream are data or a refusal. */
  const refusesSnapshotAsLearner = async (node: string): Promise<boolean> => {
    if (!(await status(node).catch(() => null))?.isLearner) return false;
    return /rpc not supported for learner/.test(
      await readStreamStart(endpointOf(node), "maintenance/snapshot"),
    );
  };

  return {
    status: (node) => asTalosApi(TALOS_WRAPPING.status, () => status(node)),
    members: (node) => asTalosApi(TALOS_WRAPPING.members, () => members(node)),
    alarms: (node) => asTalosApi(TALOS_WRAPPING.alarms, () => alarms(node)),
    // clientv3's disarm-all lists the alarms first: a learner already refuses that.
    disarmAlarms: (node) =>
      asTalosApi(TALOS_WRAPPING.disarm, async () => {
        const disarmed: AlarmInfo[] = [];
        for (const alarm of await alarms(node)) {
          const body = { action: "DEACTIVATE", memberID: alarm.memberId, alarm: alarm.alarm };
          const reply = await call<AlarmReply>(node, "maintenance/alarm", body, 10_000);
          for (const a of reply.alarms ?? [])
            disarmed.push({ memberId: a.memberID ?? "0", alarm: a.alarm ?? "NONE" });
        }
        return disarmed;
      }),
    defrag: (node) =>
      asTalosApi(TALOS_WRAPPING.defrag, async () => {
        await call(node, "maintenance/defragment");
      }),
    forfeitLeadership: (node) =>
      asTalosApi(TALOS_WRAPPING.forfeit, async () => {
        const own = await status(node);
        if (own.leader !== own.memberId) return;
        // Ascending member-ID order, learners included and no health check: etcd itself refuses a
        // learner ("bad leader transferee"), and that refusal is what talosctl prints.
        const target = forfeitTargetOf(await members(node), own.memberId);
        if (target === undefined) throw new RpcError("Unknown", "cannot forfeit leadership, only one member");
        try {
          await call(node, "maintenance/transfer-leadership", { targetID: target.id }, 30_000);
        } catch (error) {
          // Talos treats "not leader" (leadership moved meanwhile) as nothing to do.
          if (error instanceof EtcdServerError && /not leader/.test(error.etcdMessage)) return;
          throw error;
        }
      }),
    snapshot: async (node, destPath) => {
      if (await refusesSnapshotAsLearner(node)) {
        // etcd < 3.5 refuses a learner the snapshot stream with a retryable code, and the clientv3
        // inside machined retries a snapshot stream without limit: talosctl waits until killed.
        return hangForever();
      }
      await waitForMember(node);
      const endpoint = endpointOf(node);
      const tmp = join(config.dir, `snapshot-${process.pid}-${Date.now()}.db`);
      try {
        await run(config.etcdctlPath, ["--endpoints", endpoint, "snapshot", "save", tmp], {
          env: { ...process.env, ETCDCTL_API: "3" },
        });
      } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? "");
        if (/connection refused|context deadline exceeded|Unavailable/.test(stderr))
          throw unavailableError(node);
        throw new RpcError("Unknown", stderr.trim().split("\n").pop() ?? "snapshot failed");
      }
      try {
        // etcdctl keeps the 32-byte sha256 trailer that etcd appends; so does talosctl.
        const out = createWriteStream(destPath, { flags: "r+" });
        await pipeline(createReadStream(tmp), out);
        return out.bytesWritten;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    snapshotStatus: async (path) => {
      const [tool, argv] = snapshotStatusCommand(config, path);
      const { stdout } = await run(tool, argv, { env: { ...process.env, ETCDCTL_API: "3" } });
      return parseSnapshotStatus(stdout, `${tool} ${argv.join(" ")}`);
    },
  };
}
