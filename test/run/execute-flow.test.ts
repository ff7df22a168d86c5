import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDefrag } from "../../src/run/execute.js";
import { exitCodeForResult } from "../../src/run/exit-code.js";

import { defragOrder, harness, N, options, threeMembers } from "./run-harness.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ted-flow-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runDefrag: stop requests", () => {
  it("a stop requested before anything starts touches nothing", async () => {
    const cluster = threeMembers();
    const { deps, controller } = harness(cluster);
    controller.abort();
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("interrupted");
    expect(exitCodeForResult(report.result)).toBe(130);
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
  });

  it("a stop requested during a defrag lets it finish and be verified, then stops", async () => {
    // Given SIGINT arrives while .4 is being defragmented
    const cluster = threeMembers();
    const { deps, controller, events } = harness(cluster);
    cluster.script.afterDefrag = () => controller.abort();
    const report = await runDefrag(deps, options());
    // Then .4 is verified and nothing else is touched
    expect(report.result).toBe("interrupted");
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(report.steps.map((s) => [s.node, s.outcome, s.verified])).toEqual([
      [N.big, "done", true],
      [N.small, "not-touched", false],
      [N.leader, "not-touched", false],
    ]);
    expect(events.some((e) => e.type === "stopping")).toBe(true);
  });

  it("a stop requested while leadership is being moved does not start the leader's defrag", async () => {
    const cluster = threeMembers();
    const { deps, controller } = harness(cluster);
    const forfeit = cluster.forfeitLeadership.bind(cluster);
    cluster.forfeitLeadership = async (node) => {
      await forfeit(node);
      controller.abort();
    };
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("interrupted");
    expect(defragOrder(cluster)).toEqual([N.big, N.small]);
    expect(report.steps[2]).toMatchObject({ node: N.leader, outcome: "not-touched", leaderMovedTo: N.small });
  });
});

describe("runDefrag: nothing after a stop is announced", () => {
  it("a stop during the last member's defrag: no NOSPACE disarm, interrupted (130)", async () => {
    // Given NOSPACE is raised and the stop arrives while the leader (the last member) is being defragmented
    const cluster = threeMembers();
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });
    const { deps, controller, events } = harness(cluster);
    cluster.script.afterDefrag = (node) => {
      if (node === N.leader) controller.abort();
    };
    const report = await runDefrag(deps, options({ leaderMode: "last" }));
    // Then every member is done, but the alarm is left as it was and the run says it was interrupted
    expect(defragOrder(cluster)).toEqual([N.big, N.small, N.leader]);
    expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(report.alarmsDisarmed).toEqual([]);
    expect(cluster.activeAlarms).toHaveLength(1);
    expect(report.result).toBe("interrupted");
    expect(exitCodeForResult(report.result)).toBe(130);
    expect(events.some((e) => e.type === "stopping")).toBe(true);
  });

  it("a stop while only skips are left: nothing more is done, interrupted", async () => {
    // .4 is the only member the rule picks; the stop comes during its defrag
    const cluster = threeMembers();
    cluster.member(N.small).dbSize = 50 * 1024 * 1024;
    cluster.member(N.leader).dbSize = 42 * 1024 * 1024;
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });
    const { deps, controller } = harness(cluster);
    cluster.script.afterDefrag = () => controller.abort();
    const report = await runDefrag(deps, options());
    expect(defragOrder(cluster)).toEqual([N.big]);
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(report.result).toBe("interrupted");
  });
});

describe("runDefrag: before anything is touched", () => {
  it("--dry-run reads only and returns the plan", async () => {
    const cluster = threeMembers();
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ dryRun: true }));
    expect(report).toMatchObject({ result: "ok", dryRun: true, snapshot: null, alarmsDisarmed: [] });
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      [N.big, "planned"],
      [N.small, "planned"],
      [N.leader, "planned"],
    ]);
    expect(report.steps[0]?.reason).toMatch(/^rule: /);
    expect(cluster.calls.every((c) => ["status", "members", "alarms"].includes(c.method))).toBe(true);
  });

  it("refuses (exit 3) an unhealthy cluster, naming why, and touches nothing", async () => {
    const cluster = threeMembers();
    cluster.member(N.small).up = false;
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ snapshot: { dir, keep: 5, label: "c" } }));
    expect(report.result).toBe("refused");
    expect(exitCodeForResult(report.result)).toBe(3);
    expect(report.refusedReasons.join("\n")).toMatch(/172\.20\.0\.2 did not answer/);
    expect(cluster.callsOf("defrag")).toEqual([]);
    expect(cluster.callsOf("snapshot")).toEqual([]);
  });

  it("refuses when not confirmed, and when the lock is held", async () => {
    const cluster = threeMembers();
    const declined = await runDefrag(harness(cluster, { confirm: async () => false }).deps, options());
    expect(declined.result).toBe("refused");
    const locked = await runDefrag(
      harness(cluster, {
        acquireLock: async () => {
          throw new Error("another talos-etcd-defrag run holds the lock for this cluster");
        },
      }).deps,
      options(),
    );
    expect(locked.result).toBe("refused");
    expect(locked.refusedReasons.join()).toMatch(/holds the lock/);
    expect(cluster.callsOf("defrag")).toEqual([]);
  });

  it("holds the lock for the whole run and releases it at the end", async () => {
    const cluster = threeMembers();
    const log: string[] = [];
    const { deps } = harness(cluster, {
      acquireLock: async () => {
        log.push("lock");
        return { warnings: ["removed a stale lock"], release: async () => void log.push("release") };
      },
    });
    const defrag = cluster.defrag.bind(cluster);
    cluster.defrag = async (node, t) => {
      log.push(`defrag ${node}`);
      return defrag(node, t);
    };
    const report = await runDefrag(deps, options());
    expect(log).toEqual(["lock", `defrag ${N.big}`, `defrag ${N.small}`, `defrag ${N.leader}`, "release"]);
    expect(report.warnings).toContain("removed a stale lock");
  });
});

describe("runDefrag: snapshot first", () => {
  it("takes a verified snapshot from a follower before the first defrag", async () => {
    const cluster = threeMembers();
    const { deps } = harness(cluster);
    const report = await runDefrag(
      deps,
      options({ snapshot: { dir: join(dir, "snaps"), keep: 5, label: "prod" } }),
    );
    expect(report.result).toBe("ok");
    expect(report.snapshot).toMatchObject({
      bytes: 512 * 8 + 32,
      sha256Verified: true,
      revision: 53391,
      totalKeys: 1187,
    });
    expect(report.snapshot?.node).not.toBe(N.leader);
    expect(cluster.calls.findIndex((c) => c.method === "snapshot")).toBeLessThan(
      cluster.calls.findIndex((c) => c.method === "defrag"),
    );
    expect((await stat(join(dir, "snaps"))).mode & 0o777).toBe(0o700);
    expect((await stat(report.snapshot?.path ?? "")).mode & 0o777).toBe(0o600);
  });

  it.each(["truncated", "bad-hash", "fail"] as const)(
    "a %s snapshot refuses the run before any defrag",
    async (mode) => {
      const cluster = threeMembers();
      cluster.script.snapshot = mode;
      const { deps } = harness(cluster);
      const report = await runDefrag(deps, options({ snapshot: { dir, keep: 5, label: "prod" } }));
      expect(report.result).toBe("refused");
      expect(report.snapshot).toBeNull();
      expect(cluster.callsOf("defrag")).toEqual([]);
      const left = await readdir(dir);
      expect(left.every((name) => !name.endsWith(".db"))).toBe(true);
      if (mode !== "fail") expect(left.some((name) => name.endsWith(".db.unverified"))).toBe(true);
    },
  );
});

describe("runDefrag: NOSPACE afterwards", () => {
  const nospace = (cluster: ReturnType<typeof threeMembers>) =>
    cluster.activeAlarms.push({ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" });

  it("disarms NOSPACE once every member is below 90 % of the quota, and confirms it is gone", async () => {
    const cluster = threeMembers();
    nospace(cluster);
    const { deps, events } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("ok");
    expect(report.alarmsDisarmed).toEqual([{ memberId: cluster.member(N.big).memberId, alarm: "NOSPACE" }]);
    expect(cluster.callsOf("disarm")).toHaveLength(1);
    expect(cluster.activeAlarms).toEqual([]);
    expect(events.some((e) => e.type === "alarms-disarmed")).toBe(true);
  });

  it("leaves NOSPACE armed while a member is still at 90 % of the quota or more", async () => {
    const cluster = threeMembers();
    nospace(cluster);
    cluster.quota = 50 * 1024 * 1024; // .4 keeps ~48 MiB in use: above 90 % of 50 MiB
    for (const m of cluster.fleet) m.dbSize = Math.max(m.dbSize, 100 * 1024 * 1024);
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options({ force: true }));
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(report.alarmsDisarmed).toEqual([]);
    expect(report.warnings.join("\n")).toMatch(/NOSPACE alarm left armed: .*of the quota/);
  });

  it("never disarms while CORRUPT is present: the gate refuses the run", async () => {
    const cluster = threeMembers();
    nospace(cluster);
    cluster.activeAlarms.push({ memberId: cluster.member(N.small).memberId, alarm: "CORRUPT" });
    const { deps } = harness(cluster);
    const report = await runDefrag(deps, options());
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join()).toMatch(/CORRUPT/);
    expect(cluster.callsOf("disarm")).toEqual([]);
    expect(cluster.callsOf("defrag")).toEqual([]);
  });
});

describe("runDefrag: the report is the `defrag -o json` contract", () => {
  it("carries every docs/CONTRACT.md field with its type", async () => {
    const cluster = threeMembers();
    const { deps } = harness(cluster);
    const report = JSON.parse(
      JSON.stringify(await runDefrag(deps, options({ snapshot: { dir, keep: 5, label: "c" } }))),
    );
    expect(report).toMatchObject({
      result: "ok",
      dryRun: false,
      snapshot: {
        path: expect.any(String),
        bytes: expect.any(Number),
        sha256Verified: true,
        revision: 53391,
      },
      alarmsDisarmed: [],
      durationMs: expect.any(Number),
    });
    for (const step of report.steps)
      expect(step).toMatchObject({
        node: expect.any(String),
        memberId: expect.stringMatching(/^[0-9a-f]{16}$/),
        role: expect.stringMatching(/^(follower|leader|learner)$/),
        action: "defrag",
        reason: expect.any(String),
        before: { dbSize: expect.any(Number), dbSizeInUse: expect.any(Number) },
        after: { dbSize: expect.any(Number), dbSizeInUse: expect.any(Number) },
        durationMs: expect.any(Number),
        verified: true,
      });
    expect(report.steps.map((s: { leaderMovedTo: string | null }) => s.leaderMovedTo)).toEqual([
      null,
      null,
      N.small,
    ]);
    expect(report.durationMs).toBe(cluster.clock);
  });
});
