/**
 * Turns the load clients' latency samples into the numbers the benchmark is about. A sample counts as a LOCAL
 * stall when its endpoint's member was being defragmented when the request started, and as CLUSTER-WIDE
 * otherwise: a slow request to a member that is not being defragmented is the stall the whole cluster feels.
 */
import type { EndpointLoad, LatencySample, LoadReport } from "../sim/load.js";

export interface DefragInterval {
  node: string;
  /** Epoch ms. */
  start: number;
  end: number;
  ok: boolean;
}

export interface LatencySummary {
  count: number;
  worstMs: number;
  p99Ms: number;
}

export interface LoadSummary {
  /** Requests to members that were not being defragmented when the request started. */
  cluster: LatencySummary;
  /** The same, writes and keepalives apart (which path stalls tells what limits it). */
  clusterWrites: LatencySummary;
  clusterKeepalives: LatencySummary;
  /** Requests to the member being defragmented at that moment. */
  local: LatencySummary;
  /** The slowest request among the cluster-wide ones, to tell what caused the stall. */
  worstCluster: WorstSample | null;
  failedRequests: number;
  /** The first few distinct errors, with the node they came from. */
  errors: string[];
  /** Keepalives answered with TTL 0: the lease had expired. */
  leaseExpiries: number;
}

export interface WorstSample {
  node: string;
  kind: "put" | "keepalive";
  /** Epoch ms when the request started. */
  t: number;
  ms: number;
  ok: boolean;
}

export interface Window {
  from: number;
  to: number;
}

/** Nearest-rank percentile; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  return {
    count: values.length,
    worstMs: round(values.reduce((max, v) => Math.max(max, v), 0)),
    p99Ms: round(percentile(values, 99)),
  };
}

/** The node an etcd client URL (http://IP:2379) belongs to: the simulated Talos nodes are the member IPs. */
export function nodeOfEndpoint(endpoint: string): string {
  return new URL(endpoint).hostname;
}

export function isBeingDefragmented(node: string, t: number, intervals: readonly DefragInterval[]): boolean {
  return intervals.some((i) => i.node === node && t >= i.start && t < i.end);
}

export function summarizeLoad(
  report: LoadReport,
  intervals: readonly DefragInterval[],
  window: Window,
): LoadSummary {
  const cluster: number[] = [];
  const writes: number[] = [];
  const keepalives: number[] = [];
  const local: number[] = [];
  let failedRequests = 0;
  let leaseExpiries = 0;
  let worstCluster: WorstSample | null = null;
  const errors: string[] = [];
  const inWindow = (t: number) => t >= window.from && t < window.to;
  for (const [endpoint, load] of Object.entries(report.perEndpoint)) {
    const node = nodeOfEndpoint(endpoint);
    const classify = (samples: readonly LatencySample[], kind: number[], name: WorstSample["kind"]) => {
      for (const sample of samples) {
        if (!inWindow(sample.t)) continue;
        if (!sample.ok) {
          failedRequests++;
          const error = errorOf(load.failures, sample, name === "put" ? "put" : "lease");
          const text = `${node} ${name}: ${error}`;
          if (errors.length < 5 && !errors.includes(text)) errors.push(text);
        }
        if (isBeingDefragmented(node, sample.t, intervals)) local.push(sample.ms);
        else {
          cluster.push(sample.ms);
          kind.push(sample.ms);
          if (worstCluster === null || sample.ms > worstCluster.ms)
            worstCluster = { node, kind: name, t: sample.t, ms: round(sample.ms), ok: sample.ok };
        }
      }
    };
    classify(load.writes, writes, "put");
    classify(load.keepalives, keepalives, "keepalive");
    leaseExpiries += load.failures.filter((f) => inWindow(f.t) && /expired/.test(f.error)).length;
  }
  return {
    cluster: summarizeLatencies(cluster),
    clusterWrites: summarizeLatencies(writes),
    clusterKeepalives: summarizeLatencies(keepalives),
    local: summarizeLatencies(local),
    worstCluster,
    failedRequests,
    errors,
    leaseExpiries,
  };
}

/** A failure is recorded as the request returns: match it to the sample by kind and end time. */
export function errorOf(
  failures: EndpointLoad["failures"],
  sample: LatencySample,
  kind: "put" | "lease",
): string {
  const end = sample.t + sample.ms;
  return failures.find((f) => f.kind === kind && Math.abs(f.t - end) <= 100)?.error ?? "unknown error";
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
