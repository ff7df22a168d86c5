/**
 * The chaos run's checks and draws, without etcd: each check fails on the observation that breaks its promise
 * and holds on a clean one; a seed always draws the same run.
 */
import { describe, expect, it } from "vitest";
import { plansFor } from "../../bench/chaos/chaos.js";
import { type CallSpan, checkRun, type RunObservation } from "../../bench/chaos/checks.js";
import { FAULT_KINDS, momentsFor, planRun } from "../../bench/chaos/plan.js";
import { renderSummary, summarize } from "../../bench/chaos/summary.js";

const members = [
  { node: "a", memberId: "000000000000000a", isLearner: false },
  { node: "b", memberId: "000000000000000b", isLearner: false },
  { node: "c", memberId: "000000000000000c", isLearner: false },
];
const defrag = (node: string, start: number, end: number): CallSpan => ({
  command: "defrag",
  node,
  start,
  end,
  exitCode: 0,
});
const step = (node: string, outcome: string) => ({
  node,
  memberId: `00000000000000${"0"}${node}`,
  role: node === "c" ? "leader" : "follower",
  outcome,
});

function clean(overrides: Partial<RunObservation> = {}): RunObservation {
  return {
    plan: { ...planRun(1, "kill"), moment: "during-defrag" },
    injectedAt: 1_000,
    exitCode: 0,
    report: { result: "ok", steps: [step("a", "done"), step("b", "done"), step("c", "done")] },
    members,
    calls: [defrag("a", 100, 200), defrag("b", 300, 400), defrag("c", 500, 600)],
    acks: members.map((m) => ({ node: m.node, checked: 50, missing: 0, mismatched: 0, error: null })),
    healthyAfterMs: 20,
    healthBoundMs: 45_000,
    ...overrides,
  };
}

const failing = (o: RunObservation) =>
  checkRun(o)
    .filter((c) => !c.held)
    .map((c) => c.name);

describe("checkRun", () => {
  it("holds on a clean run", () => {
    expect(failing(clean())).toEqual([]);
  });

  it.each([
    [
      "a lost write",
      { acks: [{ node: "a", checked: 50, missing: 1, mismatched: 0, error: null }] },
      "every acknowledged write is stored",
    ],
    [
      "no member readable",
      { acks: [{ node: "a", checked: 0, missing: 0, mismatched: 0, error: "down" }] },
      "every acknowledged write is stored",
    ],
    [
      "overlapping defrags",
      { calls: [defrag("a", 100, 400), defrag("b", 300, 500), defrag("c", 600, 700)] },
      "no two defrags overlap",
    ],
    [
      "a second defrag of a member",
      { calls: [defrag("a", 100, 200), defrag("a", 300, 400), defrag("b", 500, 600), defrag("c", 700, 800)] },
      "no member defragmented twice",
    ],
    [
      "exit 0 with a failed report",
      {
        report: {
          result: "failed",
          steps: [step("a", "failed"), step("b", "not-touched"), step("c", "not-touched")],
        },
        calls: [defrag("a", 1, 2)],
      },
      "exit code matches the report",
    ],
    ["an exit code no run has", { exitCode: 2 }, "exit code matches the report"],
    [
      "a member missing from the report",
      { report: { result: "ok", steps: [step("a", "done"), step("b", "done")] } },
      "the report names every member",
    ],
    [
      "done without a defrag call",
      { calls: [defrag("a", 100, 200), defrag("b", 300, 400)] },
      "the report matches the calls",
    ],
    [
      "a defrag after the failed member",
      {
        exitCode: 1,
        report: {
          result: "failed",
          steps: [step("a", "failed"), step("b", "not-touched"), step("c", "not-touched")],
        },
        calls: [defrag("a", 100, 200), defrag("b", 300, 400)],
      },
      "nothing after the first failure",
    ],
    [
      "a disarm after a failure",
      {
        exitCode: 1,
        report: {
          result: "failed",
          steps: [step("a", "done"), step("b", "failed"), step("c", "not-touched")],
        },
        calls: [
          defrag("a", 100, 200),
          defrag("b", 300, 400),
          { command: "alarm disarm", node: "a", start: 500, end: 510, exitCode: 0 },
        ],
      },
      "nothing after the first failure",
    ],
    [
      "a refused run that forfeited",
      {
        exitCode: 3,
        report: {
          result: "refused",
          steps: [step("a", "not-touched"), step("b", "not-touched"), step("c", "not-touched")],
        },
        calls: [{ command: "forfeit-leadership", node: "c", start: 1, end: 2, exitCode: 0 }],
      },
      "a refused run touches nothing",
    ],
    [
      "the control group failing",
      {
        plan: planRun(1, "none"),
        injectedAt: null,
        exitCode: 1,
        report: {
          result: "failed",
          steps: [step("a", "failed"), step("b", "not-touched"), step("c", "not-touched")],
        },
        calls: [defrag("a", 1, 2)],
      },
      "the outcome fits the fault",
    ],
    [
      "a signal that did not interrupt",
      { plan: { ...planRun(1, "sigint"), twice: false }, injectedAt: 150 },
      "the outcome fits the fault",
    ],
    ["not healthy again", { healthyAfterMs: null }, "healthy again after the fault"],
  ] as const)("fails on %s", (_, overrides, name) => {
    expect(failing(clean(overrides as Partial<RunObservation>))).toContain(name);
  });

  it("accepts a second signal's exit without a report", () => {
    const o = clean({
      plan: { ...planRun(1, "sigint"), twice: true },
      exitCode: 130,
      report: null,
      calls: [defrag("a", 1, 2)],
    });
    expect(failing(o)).toEqual([]);
  });

  it("accepts exit 0 for a signal that came after the last defrag", () => {
    expect(failing(clean({ plan: { ...planRun(1, "sigint"), twice: false }, injectedAt: 700 }))).toEqual([]);
  });
});

describe("planRun", () => {
  it("draws the same run from the same seed", () => {
    expect(planRun(12345)).toEqual(planRun(12345));
    expect(plansFor({ runs: 5, seed: 9 })).toEqual(plansFor({ runs: 5, seed: 9 }));
  });

  it("spreads runs over every fault kind and only over moments that fit it", () => {
    const plans = plansFor({ runs: 300, seed: 1 });
    expect(new Set(plans.map((p) => p.kind))).toEqual(new Set(FAULT_KINDS));
    for (const p of plans) {
      if (p.kind === "none") expect(p.moment).toBeNull();
      else expect(momentsFor(p.kind)).toContain(p.moment);
    }
    expect(plans.some((p) => p.learner)).toBe(true);
  });

  it("puts a fault between members only where another member follows", () => {
    const between = plansFor({ runs: 300, seed: 2 }).filter((p) => p.moment === "between-members");
    expect(between.length).toBeGreaterThan(10);
    expect(new Set(between.map((p) => p.defragNumber))).toEqual(new Set([1, 2]));
  });

  it("forces the kinds in turn and leaves learners out on request", () => {
    const plans = plansFor({ runs: 8, seed: 3, kinds: FAULT_KINDS, learners: false });
    expect(plans.map((p) => p.kind)).toEqual([...FAULT_KINDS, FAULT_KINDS[0]]);
    expect(plans.every((p) => !p.learner)).toBe(true);
  });

  it("replays one run by its own seed", () => {
    const [first] = plansFor({ runs: 3, seed: 4 });
    if (first === undefined) throw new Error("no plan");
    expect(plansFor({ runs: 1, seed: 0, replay: first.seed })).toEqual([first]);
  });
});

describe("summary", () => {
  it("groups by fault and moment and names the seeds that failed", () => {
    const run = (kind: "none" | "kill", held: boolean, seed: number) => ({
      plan: {
        ...planRun(seed, kind),
        seed,
        ...(kind === "kill" ? { moment: "during-defrag" as const } : {}),
      },
      injected: kind === "none" ? null : "SIGKILL a",
      exitCode: held ? 0 : 1,
      result: held ? "ok" : "failed",
      durationMs: 1,
      checks: [],
      held,
    });
    const rows = summarize([run("kill", true, 1), run("kill", false, 2), run("none", true, 3)]);
    expect(rows).toEqual([
      expect.objectContaining({
        kind: "kill",
        moment: "during-defrag",
        runs: 2,
        held: 1,
        failedSeeds: [2],
        outcomes: "exit 0 ok: 1, exit 1 failed: 1",
      }),
      expect.objectContaining({ kind: "none", moment: "-", runs: 1, held: 1, failedSeeds: [] }),
    ]);
    expect(renderSummary(rows)).toContain(
      "| kill | during-defrag | 2 | exit 0 ok: 1, exit 1 failed: 1 | 1/2 | 0 | 2 |",
    );
  });
});
