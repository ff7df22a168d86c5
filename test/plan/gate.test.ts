import { describe, expect, it } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import { buildPlan } from "../../src/plan/build-plan.js";
import { checkGate } from "../../src/plan/gate.js";
import { member, view } from "./views.js";

const healthy = () => [member("10.0.0.1", { isLeader: true }), member("10.0.0.2"), member("10.0.0.3")];

describe("checkGate refuses", () => {
  it.each<[string, ClusterView, RegExp]>([
    [
      "a node that does not answer",
      view(healthy(), {
        unreachable: [{ node: "10.0.0.4", kind: "unreachable", error: "rpc error: code = Unavailable" }],
      }),
      /10\.0\.0\.4 did not answer: rpc error/,
    ],
    [
      "a member listed but without status (the view's problem is used as is)",
      view(healthy(), {
        problems: [{ kind: "missing-status", message: "member cp-4 (10.0.0.4) did not report status" }],
      }),
      /cp-4 \(10\.0\.0\.4\) did not report status/,
    ],
    ["no agreed leader", view([member("10.0.0.1"), member("10.0.0.2")]), /do not agree on one leader/],
    [
      "leader disagreement, in the view's words",
      view([member("10.0.0.1"), member("10.0.0.2")], {
        problems: [
          { kind: "leader-disagreement", message: "members disagree on the leader (a -> x, b -> y)" },
        ],
      }),
      /members disagree on the leader/,
    ],
    [
      "a CORRUPT alarm",
      view(healthy(), { alarms: [{ memberId: "0000000000000002", alarm: "CORRUPT" }] }),
      /CORRUPT/,
    ],
    [
      "member errors",
      view(healthy(), {
        problems: [{ kind: "member-errors", message: "10.0.0.2 reports: etcdserver: no leader" }],
      }),
      /no leader/,
    ],
    [
      "a member whose applied index lags far behind",
      view([
        member("10.0.0.1", { isLeader: true, raftIndex: 9000 }),
        member("10.0.0.2", { raftAppliedIndex: 7000 }),
      ]),
      /10\.0\.0\.2 has applied index 7000, 2000 entries behind .* 9000/,
    ],
    ["no voting member at all", view([]), /no voting etcd member/],
  ])("%s", (_, v, reason) => {
    const gate = checkGate(v);
    expect(gate.ok).toBe(false);
    expect(gate.reasons.join("\n")).toMatch(reason);
  });

  it("follows the lag policy of status and check: a learner far behind never refuses the run", () => {
    const members = healthy().map((m, i) => (i === 2 ? { ...m, isLearner: true, raftAppliedIndex: 1 } : m));
    expect(checkGate(view(members)).ok).toBe(true);
  });

  it("uses the caller's lag threshold", () => {
    const v = view([
      member("10.0.0.1", { isLeader: true, raftIndex: 5100 }),
      member("10.0.0.2", { raftAppliedIndex: 5000 }),
    ]);
    expect(checkGate(v).ok).toBe(true);
    expect(checkGate(v, { lagThreshold: 50 }).ok).toBe(false);
  });
});

describe("checkGate allows, with warnings", () => {
  it("a healthy cluster, silently", () => {
    expect(checkGate(view(healthy()))).toEqual({ ok: true, reasons: [], warnings: [], notCaughtUp: [] });
  });

  it.each<[string, ClusterView, RegExp]>([
    [
      "NOSPACE (defragmentation is its cure)",
      view(healthy(), { alarms: [{ memberId: "0000000000000003", alarm: "NOSPACE" }] }),
      /NOSPACE/,
    ],
    [
      "a learner, which is skipped",
      view([...healthy(), member("10.0.0.4", { isLearner: true })]),
      /10\.0\.0\.4 is a learner.*skipped/,
    ],
    [
      "a single-member cluster",
      view([member("10.0.0.1", { isLeader: true })]),
      /single-member cluster.*unavailable/,
    ],
  ])("%s", (_, v, warning) => {
    const gate = checkGate(v);
    expect(gate.ok).toBe(true);
    expect(gate.warnings.join("\n")).toMatch(warning);
  });

  it("does not call one answering voter a single-member cluster when others are missing from the view", () => {
    const partial = view([member("10.0.0.1", { isLeader: true })], {
      problems: [
        {
          kind: "missing-status",
          memberId: "0000000000000002",
          node: "10.0.0.2",
          message: "member not asked",
        },
      ],
    });
    const gate = checkGate(partial);
    expect(gate.ok).toBe(false);
    expect(gate.warnings.join("\n")).not.toMatch(/single-member/);
    expect(buildPlan(partial, { force: true, leaderMode: "auto" }).warnings.join("\n")).not.toMatch(
      /only voting member/,
    );
  });

  it("warns that a two-member cluster has no margin while either member is defragmented", () => {
    const gate = checkGate(view([member("10.0.0.1", { isLeader: true }), member("10.0.0.2")]));
    expect(gate.ok).toBe(true);
    expect(gate.warnings.join("\n")).toMatch(
      /two-member cluster: quorum needs both members, so there is no margin/,
    );
  });
});

describe("checkGate with a catch-up margin (an etcd with a known defrag hazard)", () => {
  const lagging = (applied: number, learnerApplied = 9000) =>
    view([
      member("10.0.0.1", { isLeader: true, raftIndex: 9000, raftAppliedIndex: 8990 }),
      member("10.0.0.2", { raftIndex: 9000, raftAppliedIndex: applied }),
      member("10.0.0.3", { raftIndex: 9000, raftAppliedIndex: 9000 }),
      member("10.0.0.4", { isLearner: true, raftIndex: 9000, raftAppliedIndex: learnerApplied }),
    ]);

  it.each<[string, number, number | undefined, RegExp | null]>([
    ["no margin asked: lag below the lag threshold says nothing", 8500, undefined, null],
    ["within the margin", 8950, 100, null],
    ["exactly at the margin", 8900, 100, null],
    [
      "one entry past the margin",
      8899,
      100,
      /10\.0\.0\.2 has applied index 8899, 101 entries behind .* 9000 \(more than 100\)/,
    ],
    ["a margin of 0 and any lag", 8999, 0, /10\.0\.0\.2 has applied index 8999, 1 entries behind/],
  ])("%s", (_, applied, margin, expected) => {
    const gate = checkGate(lagging(applied), margin === undefined ? {} : { requireCaughtUp: margin });
    // Lag is something to wait out, never a refusal by itself.
    expect(gate.ok).toBe(true);
    if (expected === null) expect(gate.notCaughtUp).toEqual([]);
    else expect(gate.notCaughtUp.join("\n")).toMatch(expected);
  });

  it("counts the leader's own applied index, and leaves a lagging learner out", () => {
    const v = view([
      member("10.0.0.1", { isLeader: true, raftIndex: 9000, raftAppliedIndex: 8000 }),
      member("10.0.0.2", { raftIndex: 9000, raftAppliedIndex: 9000 }),
      member("10.0.0.4", { isLearner: true, raftIndex: 9000, raftAppliedIndex: 10 }),
    ]);
    const gate = checkGate(v, { requireCaughtUp: 100 });
    expect(gate.notCaughtUp).toHaveLength(1);
    expect(gate.notCaughtUp[0]).toMatch(/^10\.0\.0\.1 /);
  });

  it("without an agreed leader nothing counts as caught up (and the gate refuses anyway)", () => {
    const gate = checkGate(view([member("10.0.0.1"), member("10.0.0.2")]), { requireCaughtUp: 100 });
    expect(gate.ok).toBe(false);
    expect(gate.notCaughtUp).toEqual(["no agreed leader to be caught up with"]);
  });
});
