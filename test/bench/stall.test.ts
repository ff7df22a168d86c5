/**
 * Issue 14's per-run arithmetic over synthetic load samples: stalled client-time above the idle p99, which
 * request was worst and when, request-timeout hits; then the per-strategy distribution and the result names.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BenchResults, resultsBaseName, sizeLabel, writeResults } from "../../bench/run-bench.js";
import { describeWorstRequest, type StallSummary, summarizeStall } from "../../bench/stall.js";
import type { DefragInterval } from "../../bench/stats.js";
import { type RunStall, summarizeStrategies } from "../../bench/strategy-summary.js";
import type { EndpointLoad, LatencySample, LoadReport } from "../../sim/load.js";

const A = "http://127.0.0.61:2379";
const B = "http://127.0.0.62:2379";
/** A is defragmented from 1000 to 3000; B from 4000 to 5000. */
const DEFRAGS: DefragInterval[] = [
  { node: "127.0.0.61", start: 1000, end: 3000, ok: true },
  { node: "127.0.0.62", start: 4000, end: 5000, ok: true },
];
const TIMED_OUT = "etcd gateway: etcdserver: request timed out (grpc code 14)";

type Req = [kind: "put" | "lease", t: number, ms: number, error?: string];

/** Samples per endpoint; a failed one gets its error recorded as the load client does, when it returns. */
function report(requests: Record<string, Req[]>): LoadReport {
  const perEndpoint: Record<string, EndpointLoad> = {};
  for (const [endpoint, reqs] of Object.entries(requests)) {
    const load: EndpointLoad = { writes: [], keepalives: [], failures: [] };
    for (const [kind, t, ms, error] of reqs) {
      const sample: LatencySample = { t, ms, ok: error === undefined };
      (kind === "put" ? load.writes : load.keepalives).push(sample);
      if (error !== undefined) load.failures.push({ t: t + ms, kind, error });
    }
    perEndpoint[endpoint] = load;
  }
  return { startedAt: 0, stoppedAt: 10_000, perEndpoint, acknowledged: [] };
}

function stall(requests: Record<string, Req[]>, forfeitStarts: number[] = []): StallSummary {
  return summarizeStall({
    report: report(requests),
    intervals: DEFRAGS,
    window: { from: 500, to: 9000 },
    idleP99Ms: 10,
    forfeitStarts,
  });
}

describe("summarizeStall", () => {
  it.each<[string, Record<string, Req[]>, Partial<StallSummary>]>([
    [
      "sums latency above the idle p99 over requests to members not being defragmented",
      {
        [A]: [
          ["put", 600, 5],
          ["put", 1500, 4000],
        ],
        [B]: [
          ["lease", 1500, 2810],
          ["put", 2000, 110],
        ],
      },
      { stalledClientMs: 2900, over1s: 1, timeoutHits: 0, localTimeoutHits: 0, failed: 0 },
    ],
    [
      "counts a follower's request that waited out etcd's request timeout, and its failure",
      {
        [B]: [
          ["put", 3100, 7010, TIMED_OUT],
          ["put", 3200, 3, "etcd gateway: raft proposal dropped"],
        ],
      },
      { stalledClientMs: 7000, over1s: 1, timeoutHits: 1, failed: 2 },
    ],
    [
      "counts a slow answer of 5 s as a timeout hit even when it succeeded",
      { [A]: [["lease", 3500, 5000]] },
      { timeoutHits: 1, failed: 0, stalledClientMs: 4990 },
    ],
    [
      "counts a fast failure named a timeout (our own client's) as a hit",
      { [A]: [["put", 3500, 40, "etcd at http://127.0.0.61:2379 unreachable: timeout"]] },
      { timeoutHits: 1, failed: 1, over1s: 0, stalledClientMs: 30 },
    ],
    [
      "keeps requests held by their own member's defrag apart",
      { [A]: [["put", 1200, 6000, TIMED_OUT]], [B]: [["put", 4500, 9000]] },
      { timeoutHits: 0, localTimeoutHits: 2, failed: 1, stalledClientMs: 0, over1s: 0, worst: null },
    ],
    [
      "ignores requests that started outside the run",
      {
        [B]: [
          ["put", 100, 9000],
          ["lease", 9000, 9000],
        ],
      },
      { stalledClientMs: 0, timeoutHits: 0, worst: null },
    ],
  ])("%s", (_name, requests, expected) => {
    expect(stall(requests)).toMatchObject(expected);
  });

  it("names the worst request, its member and kind, and when it started against the move and each defrag", () => {
    const s = stall({ [A]: [["put", 3100, 200]], [B]: [["put", 3170, 7010, TIMED_OUT]] }, [3100, 3600]);
    expect(s.worst).toEqual({
      node: "127.0.0.62",
      kind: "put",
      t: 3170,
      ms: 7010,
      ok: false,
      error: TIMED_OUT,
      fromForfeitMs: 70,
      windows: [
        { node: "127.0.0.61", fromStartMs: 2170, fromEndMs: 170, during: false },
        { node: "127.0.0.62", fromStartMs: -830, fromEndMs: -1830, during: false },
      ],
    });
    expect(describeWorstRequest(s.worst)).toBe("put .62 failed, forfeit +70 ms, after defrag .61 +170 ms");
  });

  it.each<[string, Record<string, Req[]>, string]>([
    [
      "no move, inside another member's defrag",
      { [B]: [["lease", 2500, 2800]] },
      "lease .62, in defrag .61 +1.5 s",
    ],
    ["before any defrag", { [B]: [["put", 600, 300]] }, "put .62, before defrag .61 -400 ms"],
  ])("describes the worst request: %s", (_name, requests, text) => {
    expect(describeWorstRequest(stall(requests).worst)).toBe(text);
  });
});

function run(
  strategy: "last" | "forfeit",
  stalledClientMs: number,
  worstMs: number,
  timeoutHits = 0,
): RunStall {
  return {
    strategy,
    stall: {
      idleP99Ms: 10,
      stalledClientMs,
      over1s: 0,
      failed: timeoutHits,
      timeoutHits,
      localTimeoutHits: 0,
      worst: {
        node: "n",
        kind: "put",
        t: 0,
        ms: worstMs,
        ok: true,
        error: null,
        fromForfeitMs: null,
        windows: [],
      },
    },
    calls: { leaderTransfers: strategy === "forfeit" ? [{}] : [] },
  };
}

describe("summarizeStrategies", () => {
  it("gives median and worst per strategy and counts the runs with a request timeout", () => {
    const summary = summarizeStrategies([
      run("forfeit", 100, 100),
      run("last", 8000, 2800),
      run("forfeit", 7000, 7010, 1),
      run("last", 9000, 2600),
      run("forfeit", 120, 110),
      run("forfeit", 90, 95),
    ]);
    expect(summary).toEqual([
      {
        strategy: "forfeit",
        runs: 4,
        stalledClientMs: { median: 110, worst: 7000 },
        worstRequestMs: { median: 105, worst: 7010 },
        runsWithTimeoutHit: 1,
        runsWithMove: 4,
        failedRequests: 1,
      },
      {
        strategy: "last",
        runs: 2,
        stalledClientMs: { median: 8500, worst: 9000 },
        worstRequestMs: { median: 2700, worst: 2800 },
        runsWithTimeoutHit: 0,
        runsWithMove: 0,
        failedRequests: 0,
      },
    ]);
  });
});

describe("result files", () => {
  it.each([
    [200e6, "200MB"],
    [1e9, "1GB"],
    [8e6, "8MB"],
    [1.5e9, "1.5GB"],
  ])("labels %d bytes %s", (bytes, label) => {
    expect(sizeLabel(bytes)).toBe(label);
  });

  it("names a file by date, etcd version and size, and never overwrites one", async () => {
    const results = {
      date: "2026-12-01T10:00:00.000Z",
      machine: { etcd: "3.5.30" },
      options: { sizeBytes: 1e9 },
    } as unknown as BenchResults;
    expect(resultsBaseName(results)).toBe("2026-12-01-etcd3.5.30-1GB");
    const real = { ...results, options: { sizeBytes: 2e8, realTag: "v1.13.9" } } as unknown as BenchResults;
    expect(resultsBaseName(real)).toBe("2026-12-01-etcd3.5.30-200MB-talosctlv1.13.9");
    const dir = mkdtempSync(join(tmpdir(), "ted-bench-names-"));
    try {
      const first = await writeResults(results, dir);
      const second = await writeResults(results, dir);
      expect([first, second].map((p) => p.slice(dir.length + 1))).toEqual([
        "2026-12-01-etcd3.5.30-1GB.json",
        "2026-12-01-etcd3.5.30-1GB-2.json",
      ]);
      expect(readdirSync(dir)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
