import { afterEach, describe, expect, it, vi } from "vitest";
import { decideLeader } from "../../src/plan/leader-decision.js";
import { createProgress } from "../../src/render/progress.js";
import { createStyle } from "../../src/render/style.js";
import { displayWidth, stripAnsi } from "../../src/render/text.js";
import type { StepRef } from "../../src/run/types.js";

const step: StepRef = {
  index: 2,
  total: 3,
  node: "172.20.0.4",
  memberId: "0b47fb33e59bf0e2",
  role: "follower",
};

function capture(live: boolean, now: () => number = Date.now) {
  let out = "";
  const progress = createProgress({ write: (t) => (out += t), live, style: createStyle(false), now });
  return { progress, out: () => out };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("progress lines", () => {
  it("prints the issue's line for a verified member", () => {
    const { progress, out } = capture(false);
    progress.onEvent({ type: "defrag-started", step, startedAt: 0 });
    progress.onEvent({ type: "defrag-done", step, durationMs: 3100, error: null });
    progress.onEvent({
      type: "verified",
      step,
      before: { dbSize: 1_500_000_000, dbSizeInUse: 47_000_000, rssBytes: null },
      after: { dbSize: 47_000_000, dbSizeInUse: 47_000_000, rssBytes: null },
      durationMs: 3100,
      shrunk: true,
    });
    expect(out()).toContain("[2/3] 172.20.0.4 follower: defrag 1.5 GB -> 47 MB in 3.1 s, verified\n");
  });

  it("knows which node is defragmenting until its call returns (for the second Ctrl-C)", () => {
    const { progress } = capture(false);
    progress.onEvent({ type: "defrag-started", step, startedAt: 0 });
    expect(progress.running()).toBe("172.20.0.4");
    progress.onEvent({ type: "defrag-done", step, durationMs: 10, error: "timed out" });
    expect(progress.running()).toBeUndefined();
  });

  it("says once what a catch-up wait is waiting for, and again only when that changes", () => {
    const { progress, out } = capture(false);
    const unmet = [
      "172.20.0.2 applied index 900 is 500 entries behind the leader's raft index 1400 (more than 100)",
    ];
    progress.onEvent({ type: "catch-up-waiting", step, attempt: 1, unmet });
    progress.onEvent({ type: "catch-up-waiting", step, attempt: 2, unmet });
    progress.onEvent({
      type: "catch-up-waiting",
      step,
      attempt: 3,
      unmet: ["172.20.0.2 ... 300 entries behind"],
    });
    const lines = out().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`[2/3] 172.20.0.4 follower: waiting for every member to catch up: ${unmet[0]}`);
  });

  it("says a failed call is not re-issued", () => {
    const { progress, out } = capture(false);
    progress.onEvent({ type: "defrag-started", step, startedAt: 0 });
    progress.onEvent({ type: "defrag-done", step, durationMs: 10, error: "exit 1" });
    expect(out()).toMatch(/the defrag call failed \(exit 1\); not re-issued, verifying/);
  });

  it("on a terminal, keeps a live line with the elapsed time while the defrag runs, and clears it", () => {
    vi.useFakeTimers();
    let clock = 0;
    const { progress, out } = capture(true, () => clock);
    progress.onEvent({ type: "defrag-started", step, startedAt: 0 });
    clock = 12_300;
    vi.advanceTimersByTime(300);
    expect(out()).toContain("\r\u001b[2K[2/3] 172.20.0.4 follower: defragmenting 12.3 s");
    progress.onEvent({ type: "defrag-done", step, durationMs: 12_300, error: null });
    const after = out().length;
    vi.advanceTimersByTime(1000);
    expect(out().length).toBe(after);
    expect(out().endsWith("\r\u001b[2K")).toBe(true);
  });
});

describe("a defrag's snapshot on a terminal (issue 27 item 17)", () => {
  it("keeps a live line with the elapsed time while the snapshot streams, and clears it when done", () => {
    vi.useFakeTimers();
    let clock = 1_000;
    const { progress, out } = capture(true, () => clock);
    progress.onEvent({ type: "snapshot-started", node: "172.20.0.4" });
    clock = 13_500;
    vi.advanceTimersByTime(300);
    expect(out()).toContain("\r\u001b[2Ksnapshot: taking it from 172.20.0.4 12.5 s");
    progress.onEvent({
      type: "snapshot-done",
      snapshot: {
        path: "./x.db",
        bytes: 4096,
        sha256Verified: true,
        revision: 7,
        totalKeys: 1,
        node: "172.20.0.4",
        manifest: null,
        unverified: [],
        pruned: [],
        warnings: [],
      },
    });
    const after = out().length;
    vi.advanceTimersByTime(1000);
    expect(out().length).toBe(after);
    expect(out()).toContain("\r\u001b[2Ksnapshot: 4.1 kB from 172.20.0.4");
    vi.useRealTimers();
  });
});

describe("the plan line counts what the steps count", () => {
  const planStep = (node: string, action: "defrag" | "skip", role: "leader" | "follower" = "follower") => ({
    node,
    memberId: `id-${node}`,
    role,
    action,
    reason: action === "skip" ? "rule: not matched" : "rule",
    leaderMove: false,
    leaderDecision: null,
  });

  it("names every member the run steps through, a skipped one as such, so that [i/n] agrees", () => {
    const { progress, out } = capture(false);
    progress.onEvent({
      type: "plan",
      plan: {
        result: "ok",
        force: false,
        leaderMode: "auto",
        warnings: [],
        blockers: [],
        steps: [planStep("cp1", "defrag"), planStep("cp2", "skip"), planStep("cp3", "defrag", "leader")],
      },
    });
    progress.onEvent({
      type: "step-skipped",
      step: { ...step, index: 2, total: 3, node: "cp2" },
      reason: "rule",
    });
    const [plan, skipped] = out().trimEnd().split("\n");
    expect(plan).toBe("plan: 3 member(s), in order: cp1 (follower), cp2 (follower, skip), cp3 (leader)");
    expect(skipped).toMatch(/^\[2\/3\] cp2 follower: skipped/);
  });
});

describe("warnings: each said once, an advisory in its one line", () => {
  it("prints a brief instead of the warning, nothing for one an earlier brief said, and remembers what it said", () => {
    const { progress, out } = capture(false);
    progress.onEvent({ type: "warning", message: "long advisory text", brief: "advisory: short" });
    progress.onEvent({ type: "warning", message: "the catch-up rule", brief: null });
    progress.onEvent({ type: "warning", message: "a learner is skipped" });
    expect(out()).toBe("advisory: short\nwarning: a learner is skipped\n");
    expect([...progress.said().above]).toEqual([
      "long advisory text",
      "the catch-up rule",
      "a learner is skipped",
    ]);
    expect(progress.said().brief.get("the catch-up rule")).toBeNull();
  });

  it("leaves the snapshot's path to the report when the report follows on the same screen", () => {
    const snapshot = {
      path: "./etcd-snapshots/x.db",
      bytes: 4096,
      sha256Verified: true,
      revision: 7,
      totalKeys: 1,
      node: "cp1",
      manifest: null,
      unverified: [],
      pruned: [],
      warnings: [],
    };
    for (const reportFollows of [false, true]) {
      let text = "";
      const progress = createProgress({
        write: (t) => (text += t),
        live: false,
        style: createStyle(false),
        reportFollows,
      });
      progress.onEvent({ type: "snapshot-done", snapshot });
      expect(text.includes("x.db")).toBe(!reportFollows);
    }
  });
});

describe("progress at the terminal's width", () => {
  const node = (i: number) => `cp${i}.lab.internal`;
  const five = (i: number): StepRef => ({
    index: i,
    total: 5,
    node: node(i),
    memberId: "a49c021e76e707db",
    role: "follower",
  });
  const events = (): Parameters<ReturnType<typeof createProgress>["onEvent"]>[0][] => [
    {
      type: "plan",
      plan: {
        result: "ok",
        force: false,
        leaderMode: "auto",
        warnings: [],
        blockers: [],
        steps: [1, 2, 3, 4, 5].map((i) => ({
          node: node(i),
          memberId: "a49c021e76e707db",
          role: i === 5 ? "leader" : "follower",
          action: "defrag",
          reason: "rule",
          leaderMove: i === 5,
          leaderDecision: null,
        })),
      },
    },
    {
      type: "snapshot-done",
      snapshot: {
        path: "./etcd-snapshots/talos-etcd-defrag-cluster-3f9c1a2b-20261122T101500Z.db",
        bytes: 121_241_632,
        sha256Verified: true,
        revision: 412_345_678,
        totalKeys: 1187,
        node: node(2),
        manifest: "./etcd-snapshots/talos-etcd-defrag-cluster-3f9c1a2b-20261122T101500Z.db.json",
        unverified: [],
        pruned: [],
        warnings: [],
      },
    },
    {
      type: "verified",
      step: five(4),
      before: { dbSize: 1_500_000_000, dbSizeInUse: 1_500_000_000, rssBytes: null },
      after: { dbSize: 1_500_000_000, dbSizeInUse: 1_500_000_000, rssBytes: null },
      durationMs: 12_300,
      shrunk: false,
    },
    {
      // The leader's decision, as the run makes it from four measured followers: the longest reason there is.
      type: "leader-decision",
      step: { ...five(5), role: "leader" },
      decision: decideLeader({
        mode: "auto",
        thresholdMs: 300,
        leaderInUseBytes: 118_000_000,
        measured: {
          samples: [1, 2, 3, 4].map(() => ({ inUseBytes: 1.2e8, callMs: 14_200 })),
          fixedCostMs: 230,
        },
        cannotMove: "the forfeit target is a learner",
      }),
    },
    {
      type: "verify-failed",
      step: five(5),
      reason: `no status from ${node(5)}: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${node(5)}:50000: connect: no route to host"`,
    },
  ];

  it.each([80, 100])("at %i columns every line fits and no word is lost", (width) => {
    let out = "";
    const progress = createProgress({
      write: (t) => (out += t),
      live: false,
      style: createStyle(true),
      width,
    });
    for (const event of events()) progress.onEvent(event);
    const lines = out.split("\n").filter((l) => l !== "");
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
    const words = (text: string) =>
      stripAnsi(text)
        .split(/\s+/)
        .filter((w) => w !== "");
    let unwrapped = "";
    const plain = createProgress({ write: (t) => (unwrapped += t), live: false, style: createStyle(true) });
    for (const event of events()) plain.onEvent(event);
    expect(words(out)).toEqual(words(unwrapped));
    expect(unwrapped.split("\n").filter((l) => l !== "")).toHaveLength(5);
    expect(unwrapped).toMatch(
      /cp5.lab.internal leader: predicted stall 13.\d s > 300 ms .*: in place, last: the/,
    );
    expect(lines.length).toBeGreaterThan(5);
  });

  it("cuts the live line to the width: it is redrawn in place on one row", () => {
    vi.useFakeTimers();
    let out = "";
    const progress = createProgress({
      write: (t) => (out += t),
      live: true,
      style: createStyle(false),
      width: 30,
      now: () => 5000,
    });
    progress.onEvent({ type: "defrag-started", step: five(3), startedAt: 0 });
    vi.advanceTimersByTime(300);
    progress.close();
    expect(out).toContain("\r\u001b[2K[3/5] cp3.lab.internal follo…");
  });
});
