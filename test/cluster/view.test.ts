import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import { buildView } from "../../src/cluster/view.js";
import type { StatusRow } from "../../src/talos/types.js";
import { GiB, IDS, NODES, statusRow as row, viewOf as view } from "./builders.js";

describe("buildView", () => {
  it("given three agreeing members, marks the leader by member id and is healthy", () => {
    const v = view([row("b"), row("a"), row("c")]);
    expect(v.healthy).toBe(true);
    expect(v.problems).toEqual([]);
    expect(v.leader).toEqual({ node: NODES.a, memberId: IDS.a });
    expect(v.members.filter((m) => m.isLeader).map((m) => m.node)).toEqual([NODES.a]);
  });

  it("computes free bytes, quota usage and the rule verdict per member", () => {
    const v = view([
      row("a"),
      row("b"),
      row("c", { dbSize: 1_500_000_000, dbSizeInUse: 47_000_000, inUseRatio: 0.0325 }),
    ]);
    const c = v.members.find((m) => m.memberId === IDS.c);
    expect(c?.dbSizeFree).toBe(1_453_000_000);
    expect(c?.quotaUsage).toBeCloseTo(1_500_000_000 / (2 * GiB), 6);
    expect(c?.defragRecommended).toBe(true);
    expect(v.members.find((m) => m.memberId === IDS.a)?.defragRecommended).toBe(false);
  });

  it("reports no leader when nobody knows one", () => {
    const v = view([
      row("a", { leaderId: null }),
      row("b", { leaderId: null }),
      row("c", { leaderId: null }),
    ]);
    expect(v.leader).toBeNull();
    expect(v.problems.map((p) => p.kind)).toContain("no-leader");
    expect(v.healthy).toBe(false);
  });

  it("reports members that disagree on the leader", () => {
    const v = view([row("a"), row("b", { leaderId: IDS.b }), row("c")]);
    expect(v.leader).toBeNull();
    expect(v.problems.map((p) => p.kind)).toEqual(["leader-disagreement"]);
  });

  it("lists an unreachable node and does not also call it missing", () => {
    const v = view([row("a"), row("b")], {
      unreachable: [{ node: NODES.c, error: "rpc error: code = Unavailable" }],
    });
    expect(v.unreachable).toEqual([
      { node: NODES.c, kind: "unreachable", error: "rpc error: code = Unavailable" },
    ]);
    expect(v.problems.map((p) => p.kind)).toEqual(["unreachable"]);
  });

  it("reports a member of the member list without a status row", () => {
    const v = view([row("a"), row("b")]);
    expect(v.problems).toMatchObject([{ kind: "missing-status", memberId: IDS.c, node: NODES.c }]);
  });

  it("reports NOSPACE and CORRUPT alarms, without counting the alarm text in ERRORS twice", () => {
    const nospaceError = `memberID:${BigInt(`0x${IDS.c}`).toString(10)} alarm:NOSPACE`;
    const v = view([row("a"), row("b"), row("c", { errors: [nospaceError] })], {
      alarms: [
        { node: NODES.a, memberId: IDS.c, alarm: "NOSPACE" },
        { node: NODES.b, memberId: IDS.c, alarm: "NOSPACE" },
        { node: NODES.a, memberId: IDS.b, alarm: "CORRUPT" },
      ],
    });
    expect(v.alarms).toEqual([
      { memberId: IDS.c, alarm: "NOSPACE" },
      { memberId: IDS.b, alarm: "CORRUPT" },
    ]);
    expect(v.problems.map((p) => p.kind).sort()).toEqual(["alarm-corrupt", "alarm-nospace"]);
  });

  it("reports other ERRORS, learners and a follower far behind the leader", () => {
    const v = view([
      row("a", { raftIndex: 60_000, raftAppliedIndex: 60_000 }),
      row("b", { raftAppliedIndex: 50_000, errors: ["etcdserver: no leader"] }),
      row("c", { isLearner: true, raftAppliedIndex: 59_990 }),
    ]);
    expect(v.problems.map((p) => p.kind).sort()).toEqual(["applied-lag", "learner", "member-errors"]);
    expect(v.problems.find((p) => p.kind === "applied-lag")?.node).toBe(NODES.b);
  });

  it("ignores a learner's view of the leader when deciding agreement", () => {
    const v = view([row("a"), row("b"), row("c", { isLearner: true, leaderId: null })]);
    expect(v.leader?.memberId).toBe(IDS.a);
  });

  it("finds the leader's node from the member list when the leader itself did not answer", () => {
    const v = view([row("b"), row("c")], { unreachable: [{ node: NODES.a, error: "timeout" }] });
    expect(v.leader).toEqual({ node: NODES.a, memberId: IDS.a });
  });
});

describe("buildView: the next step for a node that did not answer", () => {
  it.each([
    ["permission-denied", "rpc error: code = PermissionDenied desc = not authorized", /os:reader or higher/],
    [
      "not-control-plane",
      "rpc error: code = Unimplemented desc = etcd status is only available on control plane nodes",
      /worker node: give only control plane nodes/,
    ],
  ] as const)("%s: %s", (kind, error, hint) => {
    const v = view([row("a"), row("b")], { unreachable: [{ node: NODES.c, kind, error }] });
    expect(v.problems[0]?.message).toMatch(hint);
  });
});

describe("buildView: each member's etcd version", () => {
  const build = (rows: ReturnType<typeof row>[], imageVersion?: string | null) =>
    buildView({
      status: { rows, failures: [] },
      members: { rows: [], failures: [] },
      alarms: { rows: [], failures: [] },
      quota: { bytes: 2 * GiB, source: "default" },
      rule: compileRule(DEFAULT_RULE),
      ...(imageVersion === undefined ? {} : { imageVersion }),
    });
  /** A v1.10 row: no PROTOCOL column, so no version of its own. */
  const noProtocol = (r: StatusRow): StatusRow => {
    const { protocol: _protocol, etcdVersion: _version, ...rest } = r;
    return rest;
  };

  it("takes PROTOCOL per member, and the etcdspec image's version only for members without one", () => {
    const v = build(
      [
        row("a", { etcdVersion: "3.6.5" }),
        row("b", { protocol: "", etcdVersion: null }),
        noProtocol(row("c")),
      ],
      "3.6.4",
    );
    expect(v.members.map((m) => [m.node, m.etcdVersion])).toEqual([
      [NODES.a, "3.6.5"],
      [NODES.b, "3.6.4"],
      [NODES.c, "3.6.4"],
    ]);
    expect(v.advisories.map((a) => [a.id, a.members.map((m) => m.node)])).toEqual([
      ["etcd-io/etcd#20271", [NODES.b, NODES.c]],
    ]);
  });

  it("is null (unknown) without PROTOCOL and without an image version", () => {
    const v = build([noProtocol(row("a")), noProtocol(row("b"))], null);
    expect(v.members.map((m) => m.etcdVersion)).toEqual([null, null]);
    expect(v.advisories).toEqual([]);
  });
});

describe("buildView: learners", () => {
  const learnerRefusal = "rpc error: code = Unknown desc = etcdserver: rpc not supported for learner";

  it("keeps a learner's refusal of an RPC it does not serve out of the unreachable nodes", () => {
    const v = view([row("a"), row("b"), row("c", { isLearner: true })], {
      unreachable: [{ node: NODES.c, kind: "learner-refused", error: learnerRefusal }],
    });
    expect(v.unreachable).toEqual([]);
    expect(v.problems.map((p) => p.kind)).toEqual(["learner"]);
  });

  it("applies one lag policy: a voter far behind is reported, a learner far behind is not", () => {
    const farBehind = { raftAppliedIndex: 10 };
    expect(view([row("a"), row("b", farBehind), row("c")]).problems.map((p) => p.kind)).toEqual([
      "applied-lag",
    ]);
    const learner = view([row("a"), row("b"), row("c", { ...farBehind, isLearner: true })]);
    expect(learner.problems.map((p) => p.kind)).toEqual(["learner"]);
  });
});

describe("buildView: where forfeit-leadership would send leadership", () => {
  it("predicts the other member with the lowest ID (Talos's order), whatever the row order", () => {
    // IDS: a ecebb05b… (leader), b a49c021e…, c 0b47fb33…: c has the lowest ID.
    const v = view([row("b"), row("a"), row("c")]);
    expect(v.leaderTransferee).toEqual({ memberId: IDS.c, node: NODES.c, name: "cp-c", isLearner: false });
    const led = view([
      row("a", { leaderId: IDS.c }),
      row("b", { leaderId: IDS.c }),
      row("c", { leaderId: IDS.c }),
    ]);
    expect(led.leaderTransferee?.memberId).toBe(IDS.b);
  });

  it("is null when no leader is agreed", () => {
    expect(view([row("a", { leaderId: null }), row("b", { leaderId: null })]).leaderTransferee).toBeNull();
  });
});
