/**
 * Issue 14's per-run numbers: how much client time the cluster lost, and which request was worst and when. Only
 * requests to members NOT being defragmented count (a member's own defrag is the price every strategy pays):
 * the stalled client-time is the sum of their latency above the idle p99, so one hiccup that holds every client
 * for 2.8 s weighs more than one request that waits 7 s.
 */
import type { EndpointLoad, LatencySample, LoadReport } from "../sim/load.js";
import {
  type DefragInterval,
  errorOf,
  isBeingDefragmented,
  nodeOfEndpoint,
  round,
  type Window,
} from "./stats.js";

/** etcd's request timeout is 5 s plus two election timeouts: a request this slow waited it out. */
export const REQUEST_TIMEOUT_MS = 5000;
export const SLOW_REQUEST_MS = 1000;
const TIMEOUT_ERROR = /timed out|timeout|deadline exceeded/i;

/** Where a request started relative to one member's defrag (negative: before it began). */
export interface WindowOffset {
  node: string;
  fromStartMs: number;
  fromEndMs: number;
  during: boolean;
}

export interface WorstRequest {
  node: string;
  kind: "put" | "lease";
  /** Epoch ms when it started. */
  t: number;
  ms: number;
  ok: boolean;
  error: string | null;
  /** From the start of the (first) forfeit-leadership call; null when the run moved no leadership. */
  fromForfeitMs: number | null;
  windows: WindowOffset[];
}

export interface StallSummary {
  /** The baseline every latency is measured against. */
  idleP99Ms: number;
  stalledClientMs: number;
  /** Requests to members not being defragmented that took over 1 s. */
  over1s: number;
  /** Failed requests, wherever they went (a member's own defrag may fail its clients too). */
  failed: number;
  /** Requests to members not being defragmented that took ≥ 5 s or failed with a timeout. */
  timeoutHits: number;
  /** The same for requests to the member being defragmented (its defrag holds them; told apart). */
  localTimeoutHits: number;
  worst: WorstRequest | null;
}

export interface StallInput {
  report: LoadReport;
  intervals: readonly DefragInterval[];
  /** Requests that started in this window count. */
  window: Window;
  idleP99Ms: number;
  /** Start of each forfeit-leadership call in the run (simulator call log), epoch ms. */
  forfeitStarts: readonly number[];
}

export function summarizeStall(input: StallInput): StallSummary {
  const { intervals, window, idleP99Ms } = input;
  const summary: StallSummary = {
    idleP99Ms,
    stalledClientMs: 0,
    over1s: 0,
    failed: 0,
    timeoutHits: 0,
    localTimeoutHits: 0,
    worst: null,
  };
  let worst: { node: string; kind: "put" | "lease"; sample: LatencySample; error: string | null } | null =
    null;
  for (const [endpoint, load] of Object.entries(input.report.perEndpoint)) {
    const node = nodeOfEndpoint(endpoint);
    for (const [kind, samples] of requestsOf(load)) {
      for (const sample of samples) {
        if (sample.t < window.from || sample.t >= window.to) continue;
        const error = sample.ok ? null : errorOf(load.failures, sample, kind);
        if (!sample.ok) summary.failed++;
        const hit = sample.ms >= REQUEST_TIMEOUT_MS || (error !== null && TIMEOUT_ERROR.test(error));
        if (isBeingDefragmented(node, sample.t, intervals)) {
          if (hit) summary.localTimeoutHits++;
          continue;
        }
        if (hit) summary.timeoutHits++;
        if (sample.ms > SLOW_REQUEST_MS) summary.over1s++;
        summary.stalledClientMs += Math.max(0, sample.ms - idleP99Ms);
        if (worst === null || sample.ms > worst.sample.ms) worst = { node, kind, sample, error };
      }
    }
  }
  summary.stalledClientMs = round(summary.stalledClientMs, 0);
  if (worst !== null)
    summary.worst = {
      node: worst.node,
      kind: worst.kind,
      t: worst.sample.t,
      ms: round(worst.sample.ms, 0),
      ok: worst.sample.ok,
      error: worst.error,
      fromForfeitMs: input.forfeitStarts.length === 0 ? null : worst.sample.t - (input.forfeitStarts[0] ?? 0),
      windows: intervals.map((i) => locateInWindow(worst.sample.t, i)),
    };
  return summary;
}

function requestsOf(load: EndpointLoad): ["put" | "lease", readonly LatencySample[]][] {
  return [
    ["put", load.writes],
    ["lease", load.keepalives],
  ];
}

export function locateInWindow(t: number, interval: DefragInterval): WindowOffset {
  return {
    node: interval.node,
    fromStartMs: t - interval.start,
    fromEndMs: t - interval.end,
    during: t >= interval.start && t < interval.end,
  };
}

/**
 * "put to .62, 70 ms after forfeit; during defrag of .61 (+1.2 s)": short enough for a table cell. The defrag
 * named is the one the request fell in, else the nearest before it, else the first.
 */
export function describeWorstRequest(worst: WorstRequest | null): string {
  if (worst === null) return "-";
  const who = `${worst.kind} ${shortNode(worst.node)}${worst.ok ? "" : " failed"}`;
  const parts = [who];
  if (worst.fromForfeitMs !== null) parts.push(`forfeit ${signed(worst.fromForfeitMs)}`);
  const during = worst.windows.find((w) => w.during);
  const before = worst.windows.filter((w) => w.fromEndMs >= 0).at(-1);
  const window = during ?? before ?? worst.windows[0];
  if (window !== undefined) {
    const where = during !== undefined ? "in" : before !== undefined ? "after" : "before";
    const offset = where === "after" ? window.fromEndMs : window.fromStartMs;
    parts.push(`${where} defrag ${shortNode(window.node)} ${signed(offset)}`);
  }
  return parts.join(", ");
}

/** 127.0.0.62 -> .62: the members differ only in the last octet. */
function shortNode(node: string): string {
  const dot = node.lastIndexOf(".");
  return dot >= 0 ? node.slice(dot) : node;
}

function signed(ms: number): string {
  const text =
    Math.abs(ms) >= 1000 ? `${(Math.abs(ms) / 1000).toFixed(1)} s` : `${Math.round(Math.abs(ms))} ms`;
  return `${ms < 0 ? "-" : "+"}${text}`;
}
