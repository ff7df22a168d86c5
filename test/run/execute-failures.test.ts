import { describe, expect, it } from "vitest";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";

import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

describe("runDefrag: a defrag call that fails is never re-issued", () => {
  it("a defrag that times out on the client but shrank is verified and the run goes on", async () => {
    // Given the client gives up on .4 while the server finishes the defrag
    const cluster = threeMembers();
    cluster.script.defrag[N.big] = "timeout-shrinks";
    const { deps } = harness(cluster);
    // When the run goes through with a client timeout
    const report = await runDefrag(deps, options({ defragTimeoutMs: 120_000 }));
    // Then .4 was asked once, verified, and the others followed
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps[0]).toMatchObject({ outcome: "done", verified: true, durationMs: 120_000 });
    expect(report.steps[0]?.error).toMatch(/timed out/);
    expect(report.warnings.join("\n")).toMatch(/not re-issuing/);
  });

  it.each([
    ["fails", "fail"],
    ["times out", "timeout"],
  ] as const)(
    "a defrag that %s without shrinking is verified, not re-issued, and stops the run",
    async (_, mode) => {
      const cluster = threeMembers();
      cluster.script.defrag[N.big] = mode;
      const { deps } = harness(cluster);
      const report = await runDefrag(deps, options());
      expect(report.result).toBe("failed");
      expect(exitCodeForResult(report.result)).toBe(1);
      expect(defragOrder(cluster)).toEqual([N.big]);
      expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
        [N.big, "failed"],
        [N.small, "not-touched"],
        [N.leader, "not-touched"],
      ]);
      expect(report.steps[0]?.verified).toBe(true);
      expect(cluster.callsOf("status").length).toBeGreaterThan(1);
    },
  );

  it("a defrag call that errors after the server did the work (db shrank) counts as done", async () => {
    const cluster = threeMembers();
    cluster.script.defrag[N.small] = "fail-shrinks";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
  });
});

describe("runDefrag: verification", () => {
  it("waits (with backoff) for a member that is briefly down and behind after its defrag", async () => {
    const cluster = threeMembers();
    cluster.script.downPolls[N.big] = 2;
    cluster.script.lagPolls[N.big] = 3;
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    const waits = events.filter((e) => e.type === "verify-waiting" && e.step.node === N.big);
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[0]?.type === "verify-waiting" && waits[0].unmet.join()).toMatch(
      /172\.20\.0\.4 does not answer/,
    );
  });

  it("fails when the member never catches up within --wait-timeout, and touches nothing else", async () => {
    // Given .4's applied index never reaches the leader's raft index after its defrag
    const cluster = threeMembers();
    cluster.script.lagPolls[N.big] = Number.POSITIVE_INFINITY;
    const { deps, events } = harness(cluster);
    const report = await runDefrag(
      deps,
      options({ waitTimeoutMs: 120_000, pollIntervalMs: 1000, maxPollIntervalMs: 8000 }),
    );
    // Then the run fails once the (fake) clock passes the timeout, with a bounded number of polls
    expect(report.result).toBe("failed");
    expect(report.steps[0]).toMatchObject({ node: N.big, outcome: "failed", verified: false, after: null });
    expect(report.error).toMatch(/not verified.*applied index/);
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(cluster.clock).toBeGreaterThanOrEqual(3100 + 120_000);
    expect(cluster.callsOf("status").length).toBeLessThan(25);
    expect(events.some((e) => e.type === "verify-failed")).toBe(true);
  });

  it("stops at once when a CORRUPT alarm appears, and never disarms", async () => {
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.activeAlarms.push({ memberId: c.member(N.big).memberId, alarm: "CORRUPT" });
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("failed");
    expect(report.error).toMatch(/CORRUPT/);
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(cluster.callsOf("disarm")).toEqual([]);
  });

  it("stops at once when a NOSPACE alarm is raised during the run: waiting cannot clear an alarm (chaos run)", async () => {
    // Given the cluster fills to its quota while .4 is being defragmented (found by npm run chaos: the run
    // waited out the whole --wait-timeout, 5 minutes by default, for an alarm that only a disarm clears)
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.activeAlarms.push({ memberId: c.member(N.small).memberId, alarm: "NOSPACE" });
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 120_000 }));
    // Then the step fails at the first look, names the alarm, touches no other member and disarms nothing
    expect(report.result).toBe("failed");
    expect(report.error).toMatch(/NOSPACE alarm was raised during the run/);
    expect(cluster.clock).toBeLessThan(3100 + 120_000);
    expect(cluster.callsOf("status").length).toBeLessThan(5);
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(cluster.callsOf("disarm")).toEqual([]);
  });

  it("requires every member to answer: a member that drops out during verification fails the step", async () => {
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.small) c.member(N.leader).up = false;
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ waitTimeoutMs: 10_000 }));
    expect(report.result).toBe("failed");
    expect(report.error).toMatch(/172\.20\.0\.3 does not answer/);
    expect(defragOrder(cluster)).toEqual([N.big, N.small]);
  });

  it("re-checks the gate before each member: a member lost between steps stops the run before the next defrag", async () => {
    // Given .3 drops out right after .4 has been verified (on the re-plan read), and the verification's view is
    // older than the re-plan may reuse (2 s pass after it), so the re-plan reads afresh
    const cluster = threeMembers();
    let lastCall = 0;
    let armedAt: number | undefined;
    cluster.script.beforeStatus = (n, c) => {
      lastCall = n;
      if (armedAt !== undefined && n === armedAt + 2) c.member(N.leader).up = false;
    };
    cluster.script.afterDefrag = (node) => {
      if (node === N.big) armedAt = lastCall;
    };
    const { deps, events } = harness(cluster, {
      emit: (event) => {
        events.push(event);
        if (event.type === "verified") cluster.clock += 2_000;
      },
    });
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("failed");
    expect(report.error).toMatch(/no longer healthy.*172\.20\.0\.3/);
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(report.steps.map((s) => s.outcome)).toEqual(["done", "not-touched", "not-touched"]);
  });
});

describe("runDefrag: rule skips", () => {
  it("skips a member below the rule from the start", async () => {
    const cluster = threeMembers();
    cluster.member(N.small).dbSize = 50 * 1024 * 1024;
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(defragOrder(cluster)).toEqual([N.big, N.leader]);
    const skipped = report.steps.find((s) => s.node === N.small);
    expect(skipped).toMatchObject({ action: "skip", outcome: "skipped", after: null });
    expect(skipped?.reason).toMatch(/^below the rule/);
    expect(events.some((e) => e.type === "step-skipped" && e.step.node === N.small)).toBe(true);
  });

  it("skips a member that fell below the rule during the run", async () => {
    const cluster = threeMembers();
    cluster.script.afterDefrag = (node, c) => {
      if (node === N.big) c.member(N.small).dbSize = 48 * 1024 * 1024;
    };
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(defragOrder(cluster)).toEqual([N.big, N.leader]);
    expect(report.steps.map((s) => s.outcome)).toEqual(["done", "skipped", "done"]);
  });

  it("--force defragments members below the rule", async () => {
    const cluster = threeMembers();
    cluster.member(N.small).dbSize = 50 * 1024 * 1024;
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ force: true }));
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps.every((s) => s.reason === "--force")).toBe(true);
  });

  it("reports nothing-to-do (exit 0) and touches nothing when every member is lean", async () => {
    const cluster = threeMembers();
    for (const m of cluster.fleet) m.dbSize = m.dbSizeInUse + 1024 * 1024;
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("nothing-to-do");
    expect(exitCodeForResult(report.result)).toBe(0);
    expect(cluster.callsOf("defrag")).toEqual([]);
  });
});

describe("runDefrag: a defrag the Talos API denies (RBAC)", () => {
  it("refuses (nothing changed) when the first defrag is denied, and verifies nothing", async () => {
    // Given the role may read but not defragment
    const cluster = threeMembers();
    cluster.script.defrag[N.big] = "denied";
    const { deps } = harness(cluster);
    // When the run starts
    const report = await runDefrag(deps, options());
    // Then it stops at the first member, calls it refused and names the role
    expect(report.result).toBe("refused");
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(report.refusedReasons.join("\n")).toMatch(/os:operator/);
    expect(report.steps.map((s) => s.outcome)).toEqual(["not-touched", "not-touched", "not-touched"]);
  });

  it("fails (changes began) when a later defrag is denied", async () => {
    const cluster = threeMembers();
    cluster.script.defrag[N.small] = "denied";
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("failed");
    expect(defragOrder(cluster)).toEqual([N.big, N.small]);
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      [N.big, "done"],
      [N.small, "not-touched"],
      [N.leader, "not-touched"],
    ]);
  });
});
