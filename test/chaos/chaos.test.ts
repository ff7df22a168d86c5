/**
 * The fixed-seed chaos set over real etcd: one run per fault kind (the control group included), each injected
 * for real at the moment its seed draws, every check of bench/chaos/checks.ts required to hold. It keeps the
 * harness from rotting; `npm run chaos` is the measurement (BENCHMARKS.md, "Chaos"). Skipped loudly without
 * etcd; fails with REQUIRE_ETCD=1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChaos } from "../../bench/chaos/chaos.js";
import { FAULT_KINDS } from "../../bench/chaos/plan.js";
import type { RunResult } from "../../bench/chaos/run-one.js";
import { cliPath } from "../../bench/paths.js";
import { checkEtcdGate } from "../../sim/etcd-gate.js";

const gate = checkEtcdGate("chaos set");
const IPS = ["127.0.0.201", "127.0.0.202", "127.0.0.203", "127.0.0.204"];
/** Chosen so that every fault's moment comes in its run (asserted below): a fault never injected proves nothing. */
const SEED = 7;

if (gate.missingButRequired)
  describe("chaos set", () => {
    it("needs etcd (REQUIRE_ETCD=1): install etcd-server and etcd-client", () => {
      throw new Error("REQUIRE_ETCD=1 but etcd/etcdctl are not installed");
    });
  });

describe.skipIf(!gate.available)("chaos set over real etcd (one run per fault kind)", () => {
  const work = mkdtempSync(join(tmpdir(), "ted-chaos-test-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let results: RunResult[] = [];

  beforeAll(async () => {
    results = await runChaos({
      runs: FAULT_KINDS.length,
      seed: SEED,
      kinds: FAULT_KINDS,
      learners: false,
      ips: IPS,
      sizeBytes: 5_000_000,
      cliPath: cliPath(),
      workDir: work,
      log: () => {},
    });
  }, 600_000);

  it.each(FAULT_KINDS.map((kind, i) => [kind, i] as const))("%s: every check holds", (kind, i) => {
    const run = results[i];
    expect(run?.plan.kind).toBe(kind);
    if (run === undefined) throw new Error("no run");
    const failed = run.checks.filter((c) => !c.held).map((c) => `${c.name}: ${c.detail}`);
    expect(failed, `seed ${run.plan.seed}\n${run.stderr ?? ""}`).toEqual([]);
    if (kind !== "none") expect(run.injected, `the ${kind} fault was never injected`).not.toBeNull();
  });
});
