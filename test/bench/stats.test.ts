/** The bench's arithmetic: which samples count as a cluster-wide stall, percentiles, sizes, target verdicts. */
import { describe, expect, it } from "vitest";
import { median } from "../../bench/extras.js";
import type { StrategyResult } from "../../bench/measure-strategy.js";
import { parseBenchArgs, parseSize } from "../../bench/options.js";
import { type LoadSummary, percentile, summarizeLoad } from "../../bench/stats.js";
import { evaluateTargets, judgeOwnTime } from "../../bench/targets.js";
import type { LoadReport } from "../../sim/load.js";

const A = "http://127.0.0.61:2379";
const B = "http://127.0.0.62:2379";

function loadReport(): LoadReport {
  return {
    startedAt: 0,
    stoppedAt: 1000,
    acknowledged: [],
    perEndpoint: {
      [A]: {
        writes: [
          { t: 100, ms: 5, ok: true },
          { t: 200, ms: 900, ok: true }, // A is being defragmented: local
          { t: 950, ms: 3, ok: false },
        ],
        keepalives: [{ t: 210, ms: 800, ok: true }],
        failures: [{ t: 953, kind: "put", error: "timeout" }],
      },
      [B]: {
        writes: [{ t: 220, ms: 400, ok: true }], // B is not: cluster-wide
        keepalives: [
          { t: 230, ms: 7, ok: true },
          { t: 2000, ms: 9999, ok: true }, // outside the window
        ],
        failures: [{ t: 240, kind: "lease", error: "lease 7 expired" }],
      },
    },
  };
}

describe("summarizeLoad", () => {
  it("counts a slow request as local only when its own member was being defragmented as it started", () => {
    const s = summarizeLoad(loadReport(), [{ node: "127.0.0.61", start: 150, end: 300, ok: true }], {
      from: 0,
      to: 1000,
    });
    expect(s.local).toEqual({ count: 2, worstMs: 900, p99Ms: 900 });
    expect(s.cluster.count).toBe(4);
    expect(s.cluster.worstMs).toBe(400);
    expect(s.clusterWrites.worstMs).toBe(400);
    expect(s.clusterKeepalives.worstMs).toBe(7);
    expect(s.worstCluster).toEqual({ node: "127.0.0.62", kind: "put", t: 220, ms: 400, ok: true });
    expect(s.failedRequests).toBe(1);
    expect(s.leaseExpiries).toBe(1);
    expect(s.errors).toEqual(["127.0.0.61 put: timeout"]);
  });

  it("treats everything as cluster-wide when nothing is being defragmented (the idle baseline)", () => {
    const s = summarizeLoad(loadReport(), [], { from: 0, to: 1000 });
    expect(s.local.count).toBe(0);
    expect(s.cluster.worstMs).toBe(900);
  });
});

describe("percentile and median", () => {
  it("uses the nearest rank, so p99 of 100 values is the 99th", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });
});

describe("parseSize", () => {
  it.each([
    ["200MB", 200e6],
    ["1GB", 1e9],
    ["1.5 GiB", 1.5 * 1024 ** 3],
    ["5000000", 5e6],
  ])("reads %s", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(["", "12 parsecs", "1kB", "9GB"])("refuses %j", (text) => {
    expect(() => parseSize(text)).toThrow(/--size/);
  });
});

describe("parseBenchArgs", () => {
  it.each<[string[], Record<string, unknown>]>([
    [[], { strategies: ["runbook", "last", "forfeit", "auto"], autoArgs: [], repeat: 1 }],
    [["--auto-args=--leader-move-above 300ms"], { autoArgs: ["--leader-move-above", "300ms"] }],
    [
      ["--strategies", "etcdctl,tool-snapshot", "--repeat", "5"],
      { strategies: ["etcdctl", "tool-snapshot"], repeat: 5 },
    ],
  ])("reads %j", (argv, expected) => {
    expect(parseBenchArgs(argv)).toMatchObject(expected);
  });
  it.each([[["--strategies", "tool"]], [["--repeat", "0"]]])("refuses %j", (argv) => {
    expect(() => parseBenchArgs(argv)).toThrow();
  });
  it("records TALOSCTL_REAL's talosctl, as the cluster harness follows it", () => {
    expect(parseBenchArgs([], {})).toMatchObject({ talosctl: "node" });
    expect(parseBenchArgs([], { TALOSCTL_REAL: "1.14.1" })).toMatchObject({
      talosctl: "real",
      realTag: "v1.14.1",
    });
    expect(() => parseBenchArgs(["--talosctl", "relay"], { TALOSCTL_REAL: "v1.13.9" })).toThrow(
      /already chooses the real talosctl/,
    );
    expect(() => parseBenchArgs([], { TALOSCTL_REAL: "v1.12.0" })).toThrow(/expected one of/);
  });
});

function summary(worstMs: number, p99Ms: number): LoadSummary {
  const l = { count: 10, worstMs, p99Ms };
  return {
    cluster: l,
    clusterWrites: l,
    clusterKeepalives: l,
    local: l,
    worstCluster: null,
    failedRequests: 0,
    errors: [],
    leaseExpiries: 0,
  };
}

function result(strategy: StrategyResult["strategy"], over: Partial<StrategyResult>): StrategyResult {
  return {
    strategy,
    round: 1,
    leaderAtStart: "n1",
    members: [],
    before: [],
    after: [],
    restoreMs: 1000,
    totalMs: 8000,
    wallMs: 1000,
    rawDefragMs: 900,
    defrags: [1, 2, 3].map((i) => ({ node: `n${i}`, start: 0, end: 300, ok: true })),
    intervalSource: "simulator call log",
    idle: summary(20, 10),
    run: summary(50, 20),
    calls: {
      total: 12,
      byCommand: {},
      leaderTransfers: [{ node: "n1", start: 0, end: 100 }],
      verifyMs: [1000, 1000, 1000],
      statusCallsDuringRun: 5,
      statusCallsNamingEveryNode: 5,
      otherReadsBetweenDefrags: 0,
    },
    stall: {
      idleP99Ms: 10,
      stalledClientMs: 0,
      over1s: 0,
      failed: 0,
      timeoutHits: 0,
      localTimeoutHits: 0,
      worst: null,
    },
    leaderStep: null,
    snapshot: null,
    ...over,
  };
}

describe("evaluateTargets", () => {
  it("meets every target when the numbers are inside the limits", () => {
    const verdicts = evaluateTargets([
      result("runbook", { run: summary(1000, 30) }),
      result("auto", { run: summary(50, 20), wallMs: 7000 }),
    ]);
    expect(verdicts.map((v) => v.met)).toEqual([true, true, true, true, null]);
  });

  it("reports misses with the numbers that decided them", () => {
    const verdicts = evaluateTargets([
      result("runbook", { run: summary(999, 30) }),
      result("auto", {
        run: summary(6000, 20),
        wallMs: 7036,
        calls: { ...result("auto", {}).calls, statusCallsNamingEveryNode: 4 },
      }),
    ]);
    expect(verdicts.map((v) => v.met)).toEqual([false, false, false, false, null]);
    expect(verdicts[1]?.measured).toContain("limit 120 ms");
    expect(verdicts[2]?.measured).toContain("limit 7035 ms");
  });

  it("judges each repetition apart and is met only when met in every one", () => {
    const verdicts = evaluateTargets([
      result("runbook", { run: summary(1000, 30) }),
      result("auto", { run: summary(50, 20) }),
      result("runbook", { round: 2, run: summary(1000, 30) }),
      result("auto", { round: 2, run: summary(6000, 20) }),
    ]);
    expect(verdicts[0]?.met).toBe(false);
    expect(verdicts[0]?.measured).toMatch(
      /^met in 1 of 2 runs\. run 1: 50 ms vs 1000 ms: 20x lower \| run 2: 6000 ms/,
    );
    expect(verdicts[3]?.met).toBe(true);
  });

  it("judges the run's own time on every tool run that moved leadership", () => {
    const own = (ownMs: number) => ({
      totalMs: 9000,
      defragCallsMs: 9000 - ownMs,
      ownMs,
      beforeFirstMs: ownMs / 2,
      gapsMs: [ownMs / 4, ownMs / 4],
      afterLastMs: 0,
      toolAloneMs: ownMs / 3,
      calls: 12,
      timeline: [],
    });
    const noMove = { ...result("last", {}).calls, leaderTransfers: [] };
    const within = judgeOwnTime([
      result("forfeit", { ownTime: own(1400) }),
      result("auto", { ownTime: own(1500) }),
      result("last", { ownTime: own(2900), calls: noMove }),
      result("runbook", { ownTime: null }),
    ]);
    expect(within).toMatchObject({ met: true, measured: "within it in 2 of 2 runs; own time 1400-1500 ms" });
    const over = judgeOwnTime([
      result("forfeit", { ownTime: own(1400) }),
      result("auto", { round: 2, ownTime: own(1501) }),
    ]);
    expect(over).toMatchObject({ met: false, measured: "within it in 1 of 2 runs; own time 1400-1501 ms" });
    expect(judgeOwnTime([result("last", { ownTime: own(900), calls: noMove })]).met).toBeNull();
  });

  it("says not measured when a strategy was left out", () => {
    expect(evaluateTargets([result("auto", {})])[0]?.met).toBeNull();
    expect(evaluateTargets([]).every((v) => v.met === null)).toBe(true);
  });
});
