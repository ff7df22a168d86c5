/**
 * Data helpers for tests against the real cluster: fragment it like a kube-apiserver does, fill it
 * to NOSPACE, checksum every key. All loops are bounded in count and time.
 */
import { createHash, randomBytes } from "node:crypto";
import { callGateway, decodeBytes, encodeKey, encodePrefixEnd, GatewayError } from "./gateway.js";

export { type LatencySample, type LoadReport, startLoad, verifyAcknowledged } from "./load.js";

interface StatusReply {
  dbSize?: string;
  dbSizeInUse?: string;
  header?: { revision?: string };
}

export interface SizeReport {
  dbSize: number;
  dbSizeInUse: number;
  revision: number;
}

export async function readSizes(endpoint: string): Promise<SizeReport> {
  const reply = await callGateway<StatusReply>(endpoint, "maintenance/status", {}, { timeoutMs: 10_000 });
  return {
    dbSize: Number(reply.dbSize ?? 0),
    dbSizeInUse: Number(reply.dbSizeInUse ?? 0),
    revision: Number(reply.header?.revision ?? 0),
  };
}

/** Many puts in one request: far fewer round trips and fsyncs than one put each. */
async function putBatch(endpoint: string, entries: readonly { key: string; value: Buffer }[]): Promise<void> {
  const success = entries.map((e) => ({
    requestPut: { key: encodeKey(e.key), value: e.value.toString("base64") },
  }));
  await callGateway(endpoint, "kv/txn", { success }, { timeoutMs: 30_000 });
}

export async function deletePrefix(endpoint: string, prefix: string): Promise<number> {
  const reply = await callGateway<{ deleted?: string }>(
    endpoint,
    "kv/deleterange",
    { key: encodeKey(prefix), range_end: encodePrefixEnd(prefix) },
    { timeoutMs: 30_000 },
  );
  return Number(reply.deleted ?? 0);
}

/** Compact away every old revision and wait until the freed pages are really free. */
export async function compactAll(endpoint: string): Promise<void> {
  const { revision } = await readSizes(endpoint);
  await callGateway(
    endpoint,
    "kv/compaction",
    { revision: String(revision), physical: true },
    { timeoutMs: 60_000 },
  );
}

export interface FragmentOptions {
  /** Stop writing once the member's db size reaches this (default 30 MB). */
  targetBytes?: number;
  /** Share of the file that should be free after compaction (default 0.6). */
  reclaimableRatio?: number;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
}

/**
 * Like an apiserver: objects are written, rewritten many times (each rewrite is a new revision),
 * some deleted, then the history compacted. The file keeps its size; most of it becomes free pages.
 */
export async function fragmentCluster(endpoint: string, opts: FragmentOptions = {}): Promise<SizeReport> {
  const target = opts.targetBytes ?? 30_000_000;
  const ratio = opts.reclaimableRatio ?? 0.6;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const valueBytes = 3000;
  const batch = 64;
  // Live objects that survive: their size is what stays in use.
  const liveKeys = Math.max(1, Math.floor((target * (1 - ratio)) / (valueBytes * 2)));
  for (let i = 0; i < liveKeys; i += batch) {
    const entries = [];
    for (let j = i; j < Math.min(liveKeys, i + batch); j++) {
      entries.push({ key: `/registry/configmaps/default/cm-${j}`, value: randomBytes(valueBytes) });
    }
    await putBatch(endpoint, entries);
  }
  // Churn: a small set of "events" and "leases" rewritten until the file is big enough.
  const maxRounds = Math.ceil((target * 4) / (valueBytes * batch));
  for (let round = 0; round < maxRounds && Date.now() < deadline; round++) {
    const entries = [];
    for (let j = 0; j < batch; j++) {
      const kind = j % 2 === 0 ? "events/default/ev" : "leases/kube-node-lease/node";
      entries.push({ key: `/registry/${kind}-${j}`, value: randomBytes(valueBytes) });
    }
    await putBatch(endpoint, entries);
    if (round % 16 === 15 && (await readSizes(endpoint)).dbSize >= target) break;
  }
  await deletePrefix(endpoint, "/registry/events/");
  await compactAll(endpoint);
  await waitForCompactionEverywhere(endpoint, Math.max(deadline, Date.now() + 5000));
  return readSizes(endpoint);
}

/**
 * `physical: true` only waits for the member that was asked; the others compact on their own schedule, and on a
 * slow disk a follower can still be half-way through when its numbers first look steady. So each member is asked
 * in turn to compact a fresh marker revision physically: its compactions run in order, so when that call returns
 * the big one is done there too. etcd recomputes the in-use size only when it commits a write, and pages freed by
 * a commit count as in use until the next one, so one last marker write follows. Then wait until every in-use
 * size holds still for a while.
 */
async function waitForCompactionEverywhere(endpoint: string, deadline: number): Promise<void> {
  const reply = await callGateway<{ members?: { clientURLs?: string[]; isLearner?: boolean }[] }>(
    endpoint,
    "cluster/member/list",
  );
  // A learner refuses writes and compactions; it applies the voters' compaction from the log like any member.
  const voters = (reply.members ?? []).filter((m) => m.isLearner !== true);
  const endpoints = voters.flatMap((m) => m.clientURLs?.slice(0, 1) ?? []);
  const timeoutMs = () => Math.max(1000, deadline - Date.now());
  for (const member of endpoints) {
    const revision = await putMarker(member, timeoutMs());
    await callGateway(member, "kv/compaction", { revision, physical: true }, { timeoutMs: timeoutMs() });
  }
  await putMarker(endpoint, timeoutMs());
  let previous = "";
  let steady = 0;
  while (Date.now() < deadline && steady < 3) {
    const sizes = await Promise.all(endpoints.map((e) => readSizes(e).then((s) => s.dbSizeInUse)));
    const current = sizes.join(",");
    steady = current === previous ? steady + 1 : 0;
    previous = current;
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** One small write; returns its revision. */
async function putMarker(endpoint: string, timeoutMs: number): Promise<string> {
  const reply = await callGateway<{ header?: { revision?: string } }>(
    endpoint,
    "kv/put",
    { key: encodeKey("/talos-sim/compaction-marker"), value: Buffer.from(endpoint).toString("base64") },
    { timeoutMs },
  );
  return reply.header?.revision ?? "0";
}

/** sha256 over every key and value, in key order (paged, linearizable reads). */
export async function checksumKeys(endpoint: string): Promise<string> {
  const hash = createHash("sha256");
  let from = Buffer.from([0]);
  for (let page = 0; page < 100_000; page++) {
    const reply = await callGateway<{ kvs?: { key?: string; value?: string }[]; more?: boolean }>(
      endpoint,
      "kv/range",
      { key: from.toString("base64"), range_end: Buffer.from([0]).toString("base64"), limit: "1000" },
      { timeoutMs: 30_000 },
    );
    const kvs = reply.kvs ?? [];
    for (const kv of kvs) {
      const key = decodeBytes(kv.key);
      const value = decodeBytes(kv.value);
      hash.update(`${key.length}:`).update(key).update(`${value.length}:`).update(value);
    }
    const last = kvs[kvs.length - 1];
    if (!reply.more || last === undefined) break;
    from = Buffer.concat([decodeBytes(last.key), Buffer.from([0])]);
  }
  return hash.digest("hex");
}

export interface FillOptions {
  /** Bytes per value (default 200 kB; below the 1.5 MiB request limit). */
  valueBytes?: number;
  /** Stop after writing this much even without an alarm (default 1 GB). */
  maxBytes?: number;
  timeoutMs?: number;
}

/** Writes under /registry/fill/ until etcd answers "database space exceeded". */
export async function fillUntilNospace(
  endpoint: string,
  opts: FillOptions = {},
): Promise<{ keysWritten: number; nospace: boolean }> {
  const valueBytes = opts.valueBytes ?? 200_000;
  const maxKeys = Math.ceil((opts.maxBytes ?? 1_000_000_000) / valueBytes);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let written = 0;
  while (written < maxKeys && Date.now() < deadline) {
    try {
      await putBatch(endpoint, [{ key: `/registry/fill/${written}`, value: randomBytes(valueBytes) }]);
      written++;
    } catch (error) {
      if (error instanceof GatewayError && /space exceeded/.test(error.grpcMessage)) {
        return { keysWritten: written, nospace: true };
      }
      // etcd dropped the proposal (a leader move under way, seen on 3.6.12): nothing was applied, write it again.
      if (error instanceof GatewayError && /raft proposal dropped/.test(error.grpcMessage)) continue;
      throw error;
    }
  }
  return { keysWritten: written, nospace: false };
}
