/** Wires runDefrag to a FakeCluster with a fake clock: sleeping only moves the clock, nothing really waits. */
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import type { RunDeps, RunEvent, RunOptions } from "../../src/run/types.js";
import { FakeCluster, type FakeMember } from "./fake-cluster.js";

export interface Harness {
  deps: RunDeps;
  events: RunEvent[];
  controller: AbortController;
}

export function harness(cluster: FakeCluster, over: Partial<RunDeps> = {}): Harness {
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const deps: RunDeps = {
    talosctl: cluster,
    readView: cluster.readView,
    now: () => cluster.clock,
    sleep: async (ms) => {
      cluster.clock += ms;
    },
    emit: (event) => events.push(event),
    signal: controller.signal,
    ...over,
  };
  return { deps, events, controller };
}

export function options(over: Partial<RunOptions> = {}): RunOptions {
  return {
    force: false,
    leaderMode: "auto",
    rule: compileRule(DEFAULT_RULE),
    snapshot: null,
    waitTimeoutMs: 60_000,
    pollIntervalMs: 500,
    ...over,
  };
}

export function defragOrder(cluster: FakeCluster): (string | undefined)[] {
  return cluster.callsOf("defrag").map((c) => c.node);
}

export const N = { leader: "172.20.0.3", small: "172.20.0.2", big: "172.20.0.4" } as const;

const MiB = 1024 * 1024;

/** Three members as in docs/TALOSCTL.md: .3 leads; .4 is badly fragmented, .2 a bit, the leader too. */
export function threeMembers(): FakeCluster {
  const member = (node: string, memberId: string, dbSize: number, dbSizeInUse: number): FakeMember => ({
    node,
    memberId,
    dbSize,
    dbSizeInUse,
    appliedIndex: 0,
    learner: false,
    up: true,
    errors: [],
  });
  return new FakeCluster(
    [
      member("172.20.0.3", "ecebb05b59a776f1", 900 * MiB, 40 * MiB),
      member("172.20.0.2", "a49c021e76e707db", 700 * MiB, 45 * MiB),
      member("172.20.0.4", "0b47fb33e59bf0e2", 1500 * MiB, 47 * MiB),
    ],
    "172.20.0.3",
  );
}
