import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress } from "../../src/render/progress.js";
import { createStyle } from "../../src/render/style.js";
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
      before: { dbSize: 1_500_000_000, dbSizeInUse: 47_000_000 },
      after: { dbSize: 47_000_000, dbSizeInUse: 47_000_000 },
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
