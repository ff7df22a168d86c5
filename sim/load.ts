/**
 * Continuous load during a defrag run: per endpoint one writer (small puts, every acknowledged key
 * recorded) and one lease client (grant + keepalive), as each Talos kube-apiserver talks only to its
 * local etcd. Bounded by duration and iteration count; every request has a timeout.
 */
import { callGateway, decodeBytes, encodeKey, encodePrefixEnd } from "./gateway.js";

export interface LatencySample {
  /** Epoch ms when the request started. */
  t: number;
  ms: number;
  ok: boolean;
}

export interface EndpointLoad {
  writes: LatencySample[];
  keepalives: LatencySample[];
  failures: { t: number; kind: "put" | "lease"; error: string }[];
}

export interface LoadReport {
  startedAt: number;
  stoppedAt: number;
  perEndpoint: Record<string, EndpointLoad>;
  acknowledged: { endpoint: string; key: string; value: string }[];
}

export interface LoadOptions {
  intervalMs: number;
  durationMs: number;
  /** Per-request timeout (default 5 s). */
  requestTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function timed<T>(samples: LatencySample[], request: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const started = performance.now();
  try {
    const result = await request();
    samples.push({ t, ms: performance.now() - started, ok: true });
    return result;
  } catch (error) {
    samples.push({ t, ms: performance.now() - started, ok: false });
    throw error;
  }
}

export function startLoad(endpoints: readonly string[], opts: LoadOptions): { stop(): Promise<LoadReport> } {
  const startedAt = Date.now();
  const deadline = startedAt + opts.durationMs;
  const maxIterations = Math.ceil(opts.durationMs / Math.max(1, opts.intervalMs)) + 1;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  // fetch, as every load measured in BENCHMARKS.md was made: the load's own cost is part of what it measures.
  const viaFetch = { timeoutMs, client: "fetch" } as const;
  const report: LoadReport = { startedAt, stoppedAt: 0, perEndpoint: {}, acknowledged: [] };
  let stopped = false;
  const running = () => !stopped && Date.now() < deadline;

  const writer = async (endpoint: string, index: number, load: EndpointLoad): Promise<void> => {
    for (let seq = 0; seq < maxIterations && running(); seq++) {
      const key = `/registry/load/${index}/${String(seq).padStart(6, "0")}`;
      const value = `v-${index}-${seq}-${Date.now()}`;
      try {
        await timed(load.writes, () =>
          callGateway(endpoint, "kv/put", { key: encodeKey(key), value: encodeKey(value) }, viaFetch),
        );
        report.acknowledged.push({ endpoint, key, value });
      } catch (error) {
        load.failures.push({ t: Date.now(), kind: "put", error: (error as Error).message });
      }
      await sleep(opts.intervalMs);
    }
  };

  const leaseClient = async (endpoint: string, load: EndpointLoad): Promise<void> => {
    let leaseId: string | null = null;
    for (let i = 0; i < maxIterations && running(); i++) {
      try {
        if (leaseId === null) {
          const grant = await timed(load.keepalives, () =>
            callGateway<{ ID?: string }>(endpoint, "lease/grant", { TTL: "10" }, viaFetch),
          );
          leaseId = grant.ID ?? null;
        } else {
          const reply = await timed(load.keepalives, () =>
            callGateway<{ result?: { TTL?: string } }>(
              endpoint,
              "lease/keepalive",
              { ID: leaseId },
              viaFetch,
            ),
          );
          // TTL 0 or absent: the lease expired while we were not looking (a missed keepalive window).
          if (Number(reply.result?.TTL ?? 0) <= 0) {
            load.failures.push({ t: Date.now(), kind: "lease", error: `lease ${leaseId} expired` });
            leaseId = null;
          }
        }
      } catch (error) {
        load.failures.push({ t: Date.now(), kind: "lease", error: (error as Error).message });
      }
      await sleep(opts.intervalMs);
    }
  };

  const loops = endpoints.flatMap((endpoint, index) => {
    const load: EndpointLoad = { writes: [], keepalives: [], failures: [] };
    report.perEndpoint[endpoint] = load;
    return [writer(endpoint, index, load), leaseClient(endpoint, load)];
  });

  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      report.stoppedAt = Date.now();
      return report;
    },
  };
}

/** Reads every acknowledged write back from `endpoint`; returns the keys missing or different. */
export async function verifyAcknowledged(
  endpoint: string,
  report: LoadReport,
): Promise<{ checked: number; missing: string[]; mismatched: string[] }> {
  const stored = new Map<string, string>();
  const prefix = "/registry/load/";
  let from = encodeKey(prefix);
  for (let page = 0; page < 10_000; page++) {
    const reply = await callGateway<{ kvs?: { key?: string; value?: string }[]; more?: boolean }>(
      endpoint,
      "kv/range",
      { key: from, range_end: encodePrefixEnd(prefix), limit: "1000" },
      { timeoutMs: 30_000 },
    );
    const kvs = reply.kvs ?? [];
    for (const kv of kvs)
      stored.set(decodeBytes(kv.key).toString("utf8"), decodeBytes(kv.value).toString("utf8"));
    const last = kvs[kvs.length - 1];
    if (!reply.more || last === undefined) break;
    from = Buffer.concat([decodeBytes(last.key), Buffer.from([0])]).toString("base64");
  }
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const ack of report.acknowledged) {
    const value = stored.get(ack.key);
    if (value === undefined) missing.push(ack.key);
    else if (value !== ack.value) mismatched.push(ack.key);
  }
  return { checked: report.acknowledged.length, missing, mismatched };
}
