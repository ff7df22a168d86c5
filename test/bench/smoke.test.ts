/**
 * A tiny run of the benchmark harness over real etcd: a small template cluster restored for each of five
 * strategies, short idle period. It checks the harness measures what it claims (the template restored at its
 * size, every member defragmented once, samples classified, leadership moved only where the strategy says,
 * calls counted, results written), not the numbers themselves. Skipped loudly without etcd; fails with
 * REQUIRE_ETCD=1.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../bench/options.js";
import { renderMarkdown, renderTable } from "../../bench/render-results.js";
import { type BenchResults, runBench, writeResults } from "../../bench/run-bench.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";

const gate = checkEtcdGate("bench smoke test");
// Not the bench's own 127.0.0.61-63: a real `npm run bench` may be running at the same time.
const IPS = "127.0.0.64,127.0.0.65,127.0.0.66";

if (gate.missingButRequired)
  describe("bench smoke test", () => {
    it("needs etcd (REQUIRE_ETCD=1): install etcd-server and etcd-client", () => {
      throw new Error("REQUIRE_ETCD=1 but etcd/etcdctl are not installed");
    });
  });

describe.skipIf(!gate.available)("bench smoke test over real etcd", () => {
  const work = mkdtempSync(join(tmpdir(), "ted-bench-smoke-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let results: BenchResults | undefined;

  // One bench run for the file, so each test below stands alone (`-t`) instead of leaning on the one before.
  beforeAll(async () => {
    const options = parseBenchArgs([
      "--size",
      "8MB",
      "--strategies",
      "runbook,etcdctl,last,forfeit,auto",
      "--idle",
      "1",
      "--cold-start-runs",
      "2",
      "--ips",
      IPS,
      "--out",
      join(work, "results"),
    ]);
    if (options === "help") throw new Error("unexpected help");
    results = await runBench(options, {
      signal: new AbortController().signal,
      log: () => {},
      workDir: work,
    });
  }, 180_000);

  function ran(): BenchResults {
    if (results === undefined) throw new Error("the bench run in beforeAll failed");
    return results;
  }

  it("runs every strategy on the restored template and measures each", () => {
    const results = ran();
    expect(results.strategies.map((s) => s.strategy)).toEqual([
      "runbook",
      "etcdctl",
      "last",
      "forfeit",
      "auto",
    ]);
    expect(results.template.members.map((m) => m.node)).toEqual(IPS.split(","));
    for (const s of results.strategies) {
      // The restore check already refused a differing size; what the runs saw is the template's size.
      s.before.forEach((before, i) => {
        expect(before.dbSize).toBe(results.template.members[i]?.sizes.dbSize);
      });
      expect(IPS.split(",")).toContain(s.leaderAtStart);
      expect(s.members.filter((m) => m.role === "leader").map((m) => m.node)).toEqual([s.leaderAtStart]);
      expect(s.stall.idleP99Ms).toBe(s.idle.cluster.p99Ms);
      // Both pick the slowest cluster-wide request; they round it differently (whole ms, 0.1 ms).
      expect(Math.abs((s.stall.worst?.ms ?? 0) - s.run.cluster.worstMs)).toBeLessThanOrEqual(1);
      // Every member exactly once, and each came out smaller than it went in.
      expect(s.defrags.map((d) => d.node).sort()).toEqual(IPS.split(","));
      expect(s.defrags.every((d) => d.ok && d.end >= d.start)).toBe(true);
      s.after.forEach((after, i) => {
        expect(after.dbSize).toBeLessThan(s.before[i]?.dbSize ?? 0);
      });
      expect(s.idle.cluster.count).toBeGreaterThan(10);
      expect(s.idle.local.count).toBe(0);
      expect(s.run.cluster.count + s.run.local.count).toBeGreaterThan(0);
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.rawDefragMs).toBeLessThanOrEqual(s.wallMs + 1000);
    }
    const [runbook, etcdctl, last, forfeit, auto] = results.strategies;
    expect(runbook?.calls.byCommand).toEqual({ defrag: 3 });
    expect(etcdctl?.calls.total).toBe(0);
    expect(etcdctl?.intervalSource).toBe("etcdctl output line times");
    for (const tool of [last, forfeit, auto]) {
      expect(tool?.calls.byCommand.defrag).toBe(3);
      expect(tool?.calls.statusCallsDuringRun).toBeGreaterThan(0);
      expect(tool?.leaderStep?.role).toBe("leader");
    }
    // last never moves leadership, forfeit always does, and the worst request is timed against that move.
    expect(last?.calls.leaderTransfers).toHaveLength(0);
    expect(last?.leaderStep?.leaderMovedTo).toBeNull();
    expect(last?.stall.worst?.fromForfeitMs ?? null).toBeNull();
    expect(forfeit?.calls.leaderTransfers.length).toBeGreaterThan(0);
    expect(forfeit?.leaderStep?.leaderMovedTo).not.toBeNull();
    expect(typeof forfeit?.stall.worst?.fromForfeitMs).toBe("number");
    expect(forfeit?.stall.worst?.windows).toHaveLength(3);
    expect(results.summary.map((s) => [s.strategy, s.runs])).toEqual([
      ["runbook", 1],
      ["etcdctl", 1],
      ["last", 1],
      ["forfeit", 1],
      ["auto", 1],
    ]);
    // Issue 21 §3: each tool run's wall time splits into its three defrag calls and its own time around them.
    expect(runbook?.ownTime).toBeNull();
    for (const tool of [last, forfeit, auto]) {
      const t = tool?.ownTime;
      expect(t?.gapsMs).toHaveLength(2);
      const parts =
        (t?.beforeFirstMs ?? 0) + (t?.gapsMs ?? []).reduce((a, b) => a + b, 0) + (t?.afterLastMs ?? 0);
      expect(parts + (t?.defragCallsMs ?? 0)).toBe(t?.totalMs);
      expect(Math.abs((t?.totalMs ?? 0) - (tool?.wallMs ?? 0))).toBeLessThan(50);
      for (const part of [t?.beforeFirstMs, t?.afterLastMs, ...(t?.gapsMs ?? [])])
        expect(part).toBeGreaterThan(0);
      expect(t?.calls).toBe(tool?.calls.total);
      expect(t?.toolAloneMs).toBeGreaterThan(0);
      expect(t?.toolAloneMs).toBeLessThan(t?.ownMs ?? 0);
    }
    expect(results.targets).toHaveLength(5);
    expect(results.targets.every((t) => t.met !== null)).toBe(true);
    expect(results.coldStart.runs).toBe(2);
    expect(results.coldStart.medianMs).toBeGreaterThan(0);
    expect(results.snapshotThroughput?.source).toBe("generated");
    expect(results.snapshotThroughput?.mbPerSecond).toBeGreaterThan(0);
    expect(results.machine.etcd).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("writes <date>-etcd<version>-8MB.json and prints the run and summary tables", async () => {
    const results = ran();
    const path = await writeResults(results, join(work, "results"));
    expect(path.endsWith(`${results.date.slice(0, 10)}-etcd${results.machine.etcd}-8MB.json`)).toBe(true);
    const written = JSON.parse(readFileSync(path, "utf8")) as BenchResults;
    expect(written.strategies).toHaveLength(5);
    for (const text of [renderTable(results), renderMarkdown(results)]) {
      for (const run of ["runbook #1", "etcdctl #1", "last #1", "forfeit #1", "auto #1"])
        expect(text).toContain(run);
      expect(text).toContain("stalled ms median");
      expect(text).toContain("before 1st s");
      expect(text).toContain(`etcd ${results.machine.etcd}`);
      expect(text).toContain("cold start");
    }
  });
});
