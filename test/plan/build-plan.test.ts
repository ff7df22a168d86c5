import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import type { LeaderMode } from "../../src/plan/types.js";
import { MiB, member, view } from "./views.js";

const three = (): ClusterView =>
  view([
    member("10.0.0.1", { isLeader: true, dbSize: 900 * MiB }),
    member("10.0.0.2", { dbSize: 300 * MiB }),
    member("10.0.0.3", { dbSize: 1500 * MiB }),
  ]);

const LEARNER_REASON = "learner: not a voting member yet, and etcd cannot defragment a learner";

describe("buildPlan", () => {
  it.each<[string, ClusterView, { force?: boolean; leaderMode?: LeaderMode }, string[]]>([
    ["followers by reclaimable bytes, leader last", three(), {}, ["10.0.0.3", "10.0.0.2", "10.0.0.1"]],
    [
      "ties by node name",
      view([member("10.0.0.9", { isLeader: true }), member("10.0.0.5"), member("10.0.0.4")]),
      {},
      ["10.0.0.4", "10.0.0.5", "10.0.0.9"],
    ],
    [
      "learners after followers",
      view([
        member("10.0.0.1", { isLeader: true }),
        member("10.0.0.2", { isLearner: true, dbSize: 1900 * MiB }),
        member("10.0.0.3"),
      ]),
      {},
      ["10.0.0.3", "10.0.0.2", "10.0.0.1"],
    ],
  ])("orders: %s", (_, v, opts, order) => {
    const plan = buildPlan(v, { force: false, leaderMode: "auto", ...opts });
    expect(plan.steps.map((s) => s.node)).toEqual(order);
  });

  it.each<[LeaderMode, boolean]>([
    ["auto", true],
    ["forfeit", true],
    ["last", false],
  ])("--leader %s: the leader step moves leadership = %s", (leaderMode, move) => {
    const plan = buildPlan(three(), { force: false, leaderMode });
    expect(plan.steps.map((s) => [s.role, s.leaderMove])).toEqual([
      ["follower", false],
      ["follower", false],
      ["leader", move],
    ]);
  });

  it("a single-member cluster defragments its leader in place, with a warning", () => {
    const plan = buildPlan(view([member("10.0.0.1", { isLeader: true })]), {
      force: false,
      leaderMode: "auto",
    });
    expect(plan.steps).toEqual([
      {
        node: "10.0.0.1",
        memberId: "0000000000000001",
        role: "leader",
        action: "defrag",
        reason: "rule: recommended",
        leaderMove: false,
        leaderDecision: expect.objectContaining({ mode: "auto", move: false, basis: "estimate" }),
      },
    ]);
    expect(plan.warnings.join()).toMatch(/only voting member/);
  });

  it("--leader forfeit on a single-member cluster is blocked: moving is required and there is nowhere to move", () => {
    const plan = buildPlan(view([member("10.0.0.1", { isLeader: true })]), {
      force: false,
      leaderMode: "forfeit",
    });
    expect(plan.blockers.join()).toMatch(
      /10\.0\.0\.1: it is the only voting member.*--leader forfeit never defragments a leader in place/,
    );
    expect(plan.steps[0]?.leaderDecision).toMatchObject({ mode: "forfeit", move: false });
    expect(plan.steps[0]?.leaderDecision?.reason).not.toMatch(/in place/);
  });

  it.each<[string, { leaderMoveAboveMs?: number; callMs: number }, boolean, string]>([
    // The followers (40 MiB each) took 5 s net: 8 MB/s, so the leader's 40 MiB would stall it 5 s.
    ["a slow measured rate moves leadership", { callMs: 5_200 }, true, "measured"],
    // 40 MiB in 20 ms net: the leader's defrag would stall it 20 ms, under the default 300 ms.
    ["a fast measured rate keeps the leader in place", { callMs: 220 }, false, "measured"],
    ["--leader-move-above 0 moves even so", { callMs: 220, leaderMoveAboveMs: 0 }, true, "measured"],
  ])("re-planned in a run: %s", (_, { callMs, leaderMoveAboveMs }, move, basis) => {
    const measured = {
      samples: [
        { inUseBytes: 40 * MiB, callMs },
        { inUseBytes: 40 * MiB, callMs },
      ],
      fixedCostMs: 200,
    };
    const plan = buildPlan(three(), {
      force: false,
      leaderMode: "auto",
      measured,
      ...(leaderMoveAboveMs === undefined ? {} : { leaderMoveAboveMs }),
    });
    const leader = plan.steps.at(-1);
    expect(leader?.leaderMove).toBe(move);
    expect(leader?.leaderDecision).toMatchObject({ move, basis, followersMeasured: 2, fixedCostMs: 200 });
    expect(plan.steps.slice(0, -1).map((s) => s.leaderDecision)).toEqual([null, null]);
  });

  it("a skipped leader carries no leader decision", () => {
    const v = view([
      member("10.0.0.1", { isLeader: true, defragRecommended: false }),
      member("10.0.0.2"),
      member("10.0.0.3"),
    ]);
    const plan = buildPlan(v, { force: false, leaderMode: "auto" });
    expect(plan.steps.map((s) => s.leaderDecision)).toEqual([null, null, null]);
  });

  it("explains skips and defrags with the rule's own words; learners are skipped even with --force", () => {
    const rule = compileRule(DEFAULT_RULE);
    const v = view([
      member("10.0.0.1", {
        isLeader: true,
        dbSize: 50 * MiB,
        dbSizeInUse: 45 * MiB,
        dbSizeFree: 5 * MiB,
        defragRecommended: false,
      }),
      member("10.0.0.2", { isLearner: true }),
      member("10.0.0.3", { dbSize: 1500 * MiB }),
    ]);
    const plan = buildPlan(v, { force: false, leaderMode: "auto", rule });
    const byNode = Object.fromEntries(plan.steps.map((s) => [s.node, s]));
    expect(byNode["10.0.0.1"]).toMatchObject({ action: "skip", leaderMove: false });
    expect(byNode["10.0.0.1"]?.reason).toMatch(/^below the rule: ./);
    expect(byNode["10.0.0.2"]).toMatchObject({ role: "learner", action: "skip", reason: LEARNER_REASON });
    expect(byNode["10.0.0.3"]).toMatchObject({ action: "defrag" });
    expect(byNode["10.0.0.3"]?.reason).toMatch(/^rule: ./);
    const forced = buildPlan(v, { force: true, leaderMode: "auto", rule });
    expect(forced.steps.map((s) => [s.node, s.action, s.reason])).toEqual([
      ["10.0.0.3", "defrag", "--force"],
      ["10.0.0.2", "skip", LEARNER_REASON],
      ["10.0.0.1", "defrag", "--force"],
    ]);
  });

  it("is nothing-to-do when no step defragments, and stays plain JSON", () => {
    const lean = view([
      member("10.0.0.1", { isLeader: true, defragRecommended: false }),
      member("10.0.0.2", { defragRecommended: false }),
    ]);
    const plan = buildPlan(lean, { force: false, leaderMode: "auto" });
    expect(plan.result).toBe("nothing-to-do");
    expect(plan.steps.every((s) => s.action === "skip" && s.reason === "below the rule")).toBe(true);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(buildPlan(three(), { force: false, leaderMode: "auto" }).result).toBe("ok");
  });

  it("without an agreed leader every member is planned as a follower (the gate refuses such a cluster)", () => {
    const v = view([member("10.0.0.1"), member("10.0.0.2")]);
    expect(buildPlan(v, { force: false, leaderMode: "auto" }).steps.map((s) => s.role)).toEqual([
      "follower",
      "follower",
    ]);
  });
});
