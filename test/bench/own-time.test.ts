/**
 * Issue 21 §3's arithmetic: a tool run's wall time split into its defrag calls (from each talosctl's spawn) and
 * the run's own time before, between and after them, from a synthetic call log.
 */
import { describe, expect, it } from "vitest";
import { splitRunTime, toolAloneOf } from "../../bench/own-time.js";
import { ownTimeReport } from "../../bench/own-time-report.js";
import type { BenchResults } from "../../bench/run-bench.js";
import type { CallLogEntry } from "../../sim/cluster.js";

function call(command: string, spawnedAt: number, start: number, end: number): CallLogEntry {
  return { argv: [], nodes: ["127.0.0.61"], command, spawnedAt, start, end, exitCode: 0 };
}

const RUN = { from: 1_000, to: 20_000 };

describe("splitRunTime", () => {
  it("splits a run into before, defrag calls, gaps and after, which add up to the wall time", () => {
    const log = [
      call("status", 1_100, 1_200, 1_300),
      call("defrag", 2_000, 2_100, 5_000),
      call("status", 5_010, 5_100, 5_200),
      call("defrag", 5_300, 5_400, 9_000),
      call("forfeit-leadership", 9_100, 9_150, 9_300),
      call("defrag", 9_600, 9_700, 19_000),
      call("processes", 19_100, 19_200, 19_500),
    ];
    const split = splitRunTime(RUN, log);
    expect(split).toEqual({
      totalMs: 19_000,
      defragCallsMs: 3_000 + 3_700 + 9_400,
      ownMs: 19_000 - 16_100,
      beforeFirstMs: 1_000,
      gapsMs: [300, 600],
      afterLastMs: 1_000,
      // 19 000 less the calls' union: 200 + 3000 + 190 + 3700 + 200 + 9400 + 400.
      toolAloneMs: 19_000 - 17_090,
      calls: 7,
      timeline: log.map((e) => ({
        command: e.command,
        spawnMs: (e.spawnedAt ?? 0) - 1_000,
        startMs: e.start - 1_000,
        endMs: e.end - 1_000,
      })),
    });
    const parts =
      (split?.beforeFirstMs ?? 0) +
      (split?.afterLastMs ?? 0) +
      (split?.gapsMs ?? []).reduce((a, b) => a + b, 0);
    expect(parts).toBe(split?.ownMs);
  });

  it("counts the time when no call ran once, however the calls overlap", () => {
    const log = [
      call("status", 1_000, 1_100, 1_500),
      call("processes", 1_200, 1_300, 1_700),
      call("defrag", 2_000, 2_100, 3_000),
      call("status", 2_900, 3_000, 3_100),
    ];
    // Busy 1 000-1 700 and 2 000-3 100 of a 19 000 ms run.
    expect(splitRunTime(RUN, log)?.toolAloneMs).toBe(19_000 - 700 - 1_100);
  });

  it("orders the defrags by when they were spawned, not by the log's order", () => {
    const log = [call("defrag", 6_000, 6_100, 7_000), call("defrag", 2_000, 2_100, 5_000)];
    expect(splitRunTime(RUN, log)?.gapsMs).toEqual([1_000]);
  });

  it("leaves out calls of other runs and counts a call without a spawn time from its start", () => {
    const log = [
      call("defrag", 100, 200, 900),
      { argv: [], nodes: [], command: "defrag", start: 3_000, end: 4_000, exitCode: 0 },
      call("defrag", 20_100, 20_200, 21_000),
    ];
    const split = splitRunTime(RUN, log);
    expect(split?.defragCallsMs).toBe(1_000);
    expect(split?.beforeFirstMs).toBe(2_000);
    expect(split?.calls).toBe(1);
  });

  it("gives a file recorded before the 'tool alone' field the same figure from its timeline", () => {
    const log = [
      call("status", 1_000, 1_100, 1_500),
      call("processes", 1_200, 1_300, 1_700),
      call("defrag", 2_000, 2_100, 3_000),
    ];
    const split = splitRunTime(RUN, log);
    if (split === null) throw new Error("no split");
    const { toolAloneMs, ...older } = split;
    expect(toolAloneOf(older)).toBe(toolAloneMs);
    expect(toolAloneOf(split)).toBe(toolAloneMs);
  });

  it("is null for a run that made no defrag call", () => {
    expect(splitRunTime(RUN, [call("status", 1_100, 1_200, 1_300)])).toBeNull();
  });
});

describe("ownTimeReport", () => {
  const results = (talosctl: "node" | "relay" | undefined, ownMs: number[]) =>
    ({
      machine: { etcd: "3.4.23" },
      options: { sizeBytes: 200_000_000, ...(talosctl === undefined ? {} : { talosctl }) },
      strategies: ownMs.map((own, i) => ({
        strategy: "forfeit",
        round: i + 1,
        calls: { leaderTransfers: [{ node: "n", start: 0, end: 1 }] },
        ownTime: {
          totalMs: 5_000,
          defragCallsMs: 5_000 - own,
          ownMs: own,
          beforeFirstMs: own - 500,
          gapsMs: [200, 300],
          afterLastMs: 0,
          calls: 14,
          timeline: [{ command: "status", spawnMs: 0, startMs: 100, endMs: 400 }],
        },
      })),
    }) as unknown as BenchResults;

  it("one table per simulated talosctl, variants in the order given, each with its median and worst", () => {
    const text = ownTimeReport([
      { variant: "before", order: 0, results: results(undefined, [2_400, 2_200, 3_000]) },
      { variant: "after", order: 1, results: results(undefined, [1_800, 1_900, 1_700]) },
      { variant: "after", order: 2, results: results("relay", [900]) },
    ]).join("\n");
    const [node, relay] = text.split("talosctl: relay");
    expect(node).toMatch(/^talosctl: node/);
    expect(node).toMatch(/\| 3\.4\.23 \| 200MB \| before +\| forfeit #1 \|.*\| +2\.40 \|/);
    expect(node?.indexOf("| before ")).toBeLessThan(node?.indexOf("| after ") ?? 0);
    // Tool alone from the timeline: 5 000 ms less the 400 ms the one call ran.
    expect(node).toMatch(/\| 3\.4\.23 \| 200MB \| before +\| +3 \| +2\.40 \| +3\.00 \| +4\.60 \|/);
    expect(node).toMatch(/\| 3\.4\.23 \| 200MB \| after +\| +3 \| +1\.80 \| +1\.90 \|/);
    expect(relay).toMatch(/\| after +\| +1 \| +0\.90 \| +0\.90 \|/);
  });
});
