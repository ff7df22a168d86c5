/**
 * A tiny run of the benchmark harness over real etcd: small clusters, three strategies, short idle period. It
 * checks the harness measures what it claims (every member defragmented once, samples classified, calls counted,
 * results written), not the numbers themselves. Skipped loudly without etcd; fails with REQUIRE_ETCD=1.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../bench/options.js";
import { renderTable } from "../../bench/render-results.js";
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
      "runbook,etcdctl,tool",
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
  }, 120_000);

  function ran(): BenchResults {
    if (results === undefined) throw new Error("the bench run in beforeAll failed");
    return results;
  }

  it("runs the runbook, etcdctl and the tool on fresh clusters and measures each", () => {
    const results = ran();
    expect(results.strategies.map((s) => s.strategy)).toEqual(["runbook", "etcdctl", "tool"]);
    for (const s of results.strategies) {
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
    const [runbook, etcdctl, tool] = results.strategies;
    expect(runbook?.calls.byCommand).toEqual({ defrag: 3 });
    expect(etcdctl?.calls.total).toBe(0);
    expect(etcdctl?.intervalSource).toBe("etcdctl output line times");
    expect(tool?.calls.byCommand.defrag).toBe(3);
    expect(tool?.calls.statusCallsDuringRun).toBeGreaterThan(0);
    expect(results.targets).toHaveLength(4);
    expect(results.targets.every((t) => t.met !== null)).toBe(true);
    expect(results.coldStart.runs).toBe(2);
    expect(results.coldStart.medianMs).toBeGreaterThan(0);
    expect(results.snapshotThroughput?.source).toBe("generated");
    expect(results.snapshotThroughput?.mbPerSecond).toBeGreaterThan(0);
    expect(results.machine.etcd).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("writes <date>.json and prints a table with every strategy", async () => {
    const results = ran();
    const path = await writeResults(results, join(work, "results"));
    expect(path.endsWith(`${results.date.slice(0, 10)}.json`)).toBe(true);
    const written = JSON.parse(readFileSync(path, "utf8")) as BenchResults;
    expect(written.strategies).toHaveLength(3);
    const table = renderTable(results);
    expect(table).toContain("a. runbook");
    expect(table).toContain("b. etcdctl defrag --cluster");
    expect(table).toContain("cold start");
  });
});
