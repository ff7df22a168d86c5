/** Wires runDefrag to a FakeCluster with a fake clock: sleeping only moves the clock, nothing really waits. */
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import type { RunDeps, RunEvent, RunOptions } from "../../src/run/types.js";
import type { FakeCluster } from "./fake-talosctl.js";

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
