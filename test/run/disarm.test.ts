import { describe, expect, it } from "vitest";
import { disarmIfCured } from "../../src/run/disarm.js";

import { N, threeMembers } from "./run-harness.js";

describe("disarmIfCured", () => {
  it("does nothing without NOSPACE", async () => {
    const cluster = threeMembers();
    expect(await disarmIfCured({ talosctl: cluster, readView: cluster.readView })).toEqual({
      disarmed: [],
      warnings: [],
      error: null,
    });
    expect(cluster.callsOf("disarm")).toEqual([]);
  });

  it("never disarms while CORRUPT is present, even when NOSPACE could go", async () => {
    const cluster = threeMembers();
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });
    cluster.activeAlarms.push({ memberId: cluster.member(N.small).memberId, alarm: "CORRUPT" });
    const outcome = await disarmIfCured({ talosctl: cluster, readView: cluster.readView });
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(outcome.warnings.join()).toMatch(/CORRUPT/);
    expect(cluster.activeAlarms).toHaveLength(2);
  });

  it("disarms through one voter, the leader: alarms are cluster-wide, and talosctl up to v1.13 garbles a fanned-out disarm's table (%!(EXTRA ...)) when the first node to answer disarmed nothing", async () => {
    const cluster = threeMembers();
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });
    const view = await cluster.readView();
    const outcome = await disarmIfCured({ talosctl: cluster, readView: cluster.readView });
    expect(outcome.error).toBeNull();
    const leader = view.leader?.node;
    expect(leader).toBeDefined();
    expect(cluster.callsOf("disarm").map((c) => c.nodes)).toEqual([[leader]]);
  });

  it("reports an error when the alarm is still there after disarm", async () => {
    const cluster = threeMembers();
    const alarm = { memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" };
    cluster.activeAlarms.push(alarm);
    cluster.disarmAlarms = async (nodes) => {
      cluster.calls.push({ method: "disarm", nodes });
      return { rows: [], failures: [] };
    };
    const outcome = await disarmIfCured({ talosctl: cluster, readView: cluster.readView });
    expect(outcome.error).toMatch(/still present/);
    expect(outcome.disarmed).toEqual([]);
  });

  it("disarms below 90 % of the quota and not at it", async () => {
    const cluster = threeMembers();
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });
    cluster.member(N.big).dbSize = Math.ceil(0.9 * cluster.quota);
    expect((await disarmIfCured({ talosctl: cluster, readView: cluster.readView })).warnings.join()).toMatch(
      /172\.20\.0\.4 at 90\.0 %/,
    );
    cluster.member(N.big).dbSize = Math.floor(0.9 * cluster.quota) - 1;
    expect((await disarmIfCured({ talosctl: cluster, readView: cluster.readView })).disarmed).toHaveLength(1);
  });
});

describe("disarmIfCured on a partial view (issue 18)", () => {
  it("never disarms while a member in the member list has no status row: its size is unknown", async () => {
    const cluster = threeMembers();
    const big = cluster.member(N.big);
    cluster.activeAlarms.push({ memberId: big.memberId, alarm: "NOSPACE" });
    big.dbSize = cluster.quota; // at the quota, but this view never read it
    const partial = async () => {
      const view = await cluster.readView();
      return {
        ...view,
        members: view.members.filter((m) => m.node !== N.big),
        problems: [
          ...view.problems,
          { kind: "missing-status" as const, node: N.big, memberId: big.memberId, message: "missing" },
        ],
      };
    };
    const outcome = await disarmIfCured({ talosctl: cluster, readView: partial });
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(outcome.disarmed).toEqual([]);
    expect(outcome.warnings.join()).toMatch(/172\.20\.0\.4.*size is unknown/);
  });
});
