/**
 * Issue 21 §3, the run's own time: what is asked before the first defrag and how soon a member that is still
 * catching up is looked at again, on the fake cluster's clock.
 */
import { describe, expect, it } from "vitest";
import { runDefrag } from "../../src/run/execute.js";
import { harness, N, options, threeMembers } from "./run-harness.js";

/** The calls made before the first defrag, by method. */
function callsBeforeFirstDefrag(cluster: ReturnType<typeof threeMembers>): string[] {
  const first = cluster.calls.findIndex((c) => c.method === "defrag");
  return cluster.calls.slice(0, first).map((c) => c.method);
}

describe("runDefrag: the run's own time", () => {
  it("lets a first look younger than a second serve the first member's re-plan: one status call before it", async () => {
    // Given a run with --yes and no snapshot, whose first look takes 300 ms of talosctl
    const cluster = threeMembers();
    cluster.script.statusMs = 300;
    const { deps } = harness(cluster);
    // When it runs
    const report = await runDefrag(deps, options());
    // Then the first member is planned from that look, not from a second status call
    expect(report.result).toBe("ok");
    expect(callsBeforeFirstDefrag(cluster).filter((m) => m === "status")).toHaveLength(1);
  });

  it("reads again when more than a second passed since the first look (a prompt, a snapshot)", async () => {
    // Given an operator who takes 2 s to confirm
    const cluster = threeMembers();
    const { deps } = harness(cluster, {
      confirm: async () => {
        cluster.clock += 2_000;
        return true;
      },
    });
    // When the run goes on
    await runDefrag(deps, options());
    // Then the first member is planned from a fresh status call
    expect(callsBeforeFirstDefrag(cluster).filter((m) => m === "status")).toHaveLength(2);
  });

  it("looks again 50 ms after a look that finds the defragmented member still short, then backs off", async () => {
    // Given a member reported behind the leader for its first three looks after its defrag
    const cluster = threeMembers();
    cluster.script.lagPolls = { [N.big]: 3 };
    const sleeps: number[] = [];
    const { deps } = harness(cluster, {
      sleep: async (ms) => {
        sleeps.push(ms);
        cluster.clock += ms;
      },
    });
    // When the run uses the default poll schedule
    const { pollIntervalMs: _, ...defaults } = options();
    const report = await runDefrag(deps, defaults);
    // Then the pauses before its 2nd, 3rd and 4th looks are 50, 100 and 200 ms
    expect(report.result).toBe("ok");
    expect(sleeps.slice(0, 3)).toEqual([50, 100, 200]);
  });
});
