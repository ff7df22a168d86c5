/** openClusterReader over a Talosctl double: which calls a first read makes, and in what rounds. */
import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import { openClusterReader } from "../../src/read/cluster-reader.js";
import type { Talosctl } from "../../src/talos/talosctl.js";
import type { MemberRow, StatusRow } from "../../src/talos/types.js";

const NODES = ["172.20.0.2", "172.20.0.3"];

function row(node: string, memberId: string): StatusRow {
  return {
    node,
    memberId,
    dbSize: 100_000_000,
    dbSizeInUse: 40_000_000,
    inUseRatio: 0.4,
    leaderId: "aa",
    raftIndex: 10,
    raftTerm: 2,
    raftAppliedIndex: 10,
    isLearner: false,
    etcdVersion: null,
    errors: [],
    alarms: [],
    otherErrors: [],
  };
}

/**
 * status, etcdspec and members each wait until all three have been asked: a reader that asks one after another
 * hangs (and the test times out).
 */
function pairedTalosctl(log: string[]): Talosctl {
  let release: () => void = () => undefined;
  const allAsked = new Promise<void>((resolve) => {
    let asked = 0;
    release = () => {
      asked += 1;
      if (asked === 3) resolve();
    };
  });
  const call = async <T>(name: string, answer: T): Promise<T> => {
    log.push(`start ${name}`);
    release();
    await allAsked;
    log.push(`end ${name}`);
    return answer;
  };
  const fail = () => Promise.reject(new Error("not asked in this test"));
  return {
    status: () =>
      call("status", { rows: [row(NODES[0] ?? "", "aa"), row(NODES[1] ?? "", "bb")], failures: [] }),
    etcdSpec: () =>
      call("etcdspec", {
        quotaBytes: 4_294_967_296,
        image: "registry.k8s.io/etcd:v3.6.5",
        etcdVersion: "3.6.5",
      }),
    members: () => call("members", { rows: [], failures: [] }),
    alarms: async () => {
      log.push("alarms");
      return { rows: [], failures: [] };
    },
    disarmAlarms: fail,
    defrag: fail,
    snapshot: fail,
    forfeitLeadership: fail,
    processes: fail,
    mounts: fail,
  };
}

describe("openClusterReader", () => {
  it("asks the etcdspec and the member list beside the first status call: one round trip for all three", async () => {
    const log: string[] = [];
    const reader = await openClusterReader(pairedTalosctl(log), {
      nodes: NODES,
      rule: compileRule(DEFAULT_RULE),
      warn: () => undefined,
    });
    const view = await reader.read();
    expect(log.slice(0, 3).sort()).toEqual(["start etcdspec", "start members", "start status"]);
    expect(view.quota).toEqual({ bytes: 4_294_967_296, source: "cluster" });
    expect(view.members.map((m) => m.etcdVersion)).toEqual(["3.6.5", "3.6.5"]);
  }, 5_000);

  it("keeps the voters' part of a member list asked of every node: no learner or silent node named twice", async () => {
    const asked: string[][] = [];
    const learner = { ...row("10.0.0.3", "cc"), isLearner: true };
    const talosctl: Talosctl = {
      ...pairedTalosctl([]),
      etcdSpec: async () => ({ quotaBytes: 2 ** 31, image: "etcd:v3.5.16", etcdVersion: "3.5.16" }),
      status: async () => ({
        rows: [row("10.0.0.1", "aa"), learner],
        failures: [{ node: "10.0.0.2", kind: "unreachable", error: "connection refused" }],
      }),
      members: async (nodes) => {
        asked.push([...nodes]);
        return {
          rows: [member("aa", "10.0.0.1"), member("bb", "10.0.0.2"), member("cc", "10.0.0.3")],
          failures: [
            { node: "10.0.0.2", kind: "timed-out", error: "timed out after 30.0 s, asked on its own" },
            { node: "10.0.0.3", kind: "learner-refused", error: "rpc not supported for learner" },
          ],
        };
      },
    };
    const reader = await openClusterReader(talosctl, {
      nodes: ["10.0.0.1", "10.0.0.2", "10.0.0.3"],
      rule: compileRule(DEFAULT_RULE),
      warn: () => undefined,
    });
    const view = await reader.read({ alarms: "status" });
    expect(asked).toEqual([["10.0.0.1", "10.0.0.2", "10.0.0.3"]]);
    expect(view.unreachable).toEqual([
      { node: "10.0.0.2", kind: "unreachable", error: "connection refused" },
    ]);
    expect(view.clusterMemberIds).toEqual(["aa", "bb", "cc"]);
  });

  it("asks the voters on their own when the member list failed as a whole", async () => {
    const asked: string[][] = [];
    const talosctl: Talosctl = {
      ...pairedTalosctl([]),
      etcdSpec: async () => ({ quotaBytes: 2 ** 31, image: "etcd:v3.5.16", etcdVersion: "3.5.16" }),
      status: async () => ({
        rows: [row("10.0.0.1", "aa"), { ...row("10.0.0.3", "cc"), isLearner: true }],
        failures: [],
      }),
      members: async (nodes) => {
        asked.push([...nodes]);
        if (nodes.length > 1) throw new Error("rpc error: not supported for learner");
        return { rows: [member("aa", "10.0.0.1"), member("cc", "10.0.0.3")], failures: [] };
      },
    };
    const reader = await openClusterReader(talosctl, {
      nodes: ["10.0.0.1", "10.0.0.3"],
      rule: compileRule(DEFAULT_RULE),
      warn: () => undefined,
    });
    const view = await reader.read({ alarms: "status" });
    expect(asked).toEqual([["10.0.0.1", "10.0.0.3"], ["10.0.0.1"]]);
    expect(view.clusterMemberIds).toEqual(["aa", "cc"]);
    expect(view.unreachable).toEqual([]);
  });
});

function member(memberId: string, ip: string): MemberRow {
  return {
    node: ip,
    memberId,
    hostname: `cp-${memberId}`,
    peerUrls: [`https://${ip}:2380`],
    clientUrls: [`https://${ip}:2379`],
    isLearner: false,
  };
}
