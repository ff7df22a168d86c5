/** openClusterReader over a Talosctl double: which calls a first read makes, and in what rounds. */
import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import { openClusterReader } from "../../src/read/cluster-reader.js";
import type { Talosctl } from "../../src/talos/talosctl.js";
import type { StatusRow } from "../../src/talos/types.js";

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

/** status and etcdspec each wait until the other has been asked: a reader that asks one after the other hangs. */
function pairedTalosctl(log: string[]): Talosctl {
  let release: () => void = () => undefined;
  const bothAsked = new Promise<void>((resolve) => {
    let asked = 0;
    release = () => {
      asked += 1;
      if (asked === 2) resolve();
    };
  });
  const call = async <T>(name: string, answer: T): Promise<T> => {
    log.push(`start ${name}`);
    release();
    await bothAsked;
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
    members: async () => {
      log.push("members");
      return { rows: [], failures: [] };
    },
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
  it("asks the etcdspec beside the first status call, not before it: one round trip less", async () => {
    const log: string[] = [];
    const reader = await openClusterReader(pairedTalosctl(log), {
      nodes: NODES,
      rule: compileRule(DEFAULT_RULE),
      warn: () => undefined,
    });
    const view = await reader.read();
    expect(log.slice(0, 2).sort()).toEqual(["start etcdspec", "start status"]);
    expect(view.quota).toEqual({ bytes: 4_294_967_296, source: "cluster" });
    expect(view.members.map((m) => m.etcdVersion)).toEqual(["3.6.5", "3.6.5"]);
  }, 5_000);
});
