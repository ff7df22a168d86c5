/** The defrag service's numbers for the metrics file: what a run gave back. */
import { describe, expect, it } from "vitest";
import type { ReportStep, RunReport, StepOutcome } from "../../src/run/types.js";
import { bytesReclaimed } from "../../src/service/metrics.js";

const step = (outcome: StepOutcome, before: number, after: number | null): ReportStep => ({
  node: "10.0.0.1",
  memberId: "a",
  role: "follower",
  action: "defrag",
  reason: "",
  leaderMovedTo: null,
  leaderDecision: null,
  before: { dbSize: before, dbSizeInUse: 1, rssBytes: null },
  after: after === null ? null : { dbSize: after, dbSizeInUse: 1, rssBytes: null },
  durationMs: 0,
  verified: outcome === "done",
  outcome,
  error: null,
});

const report = (steps: ReportStep[]): RunReport => ({
  result: "ok",
  dryRun: false,
  snapshot: null,
  steps,
  alarmsDisarmed: [],
  durationMs: 0,
  warnings: [],
  refusedReasons: [],
  error: null,
  advisories: [],
});

describe("bytesReclaimed", () => {
  it.each([
    ["members done: before minus after", [step("done", 100, 40), step("done", 50, 10)], 100],
    ["a member that grew counts as zero, not negative", [step("done", 100, 40), step("done", 10, 30)], 60],
    [
      "failed, skipped and untouched members count nothing",
      [step("failed", 100, 1), step("skipped", 9, 1)],
      0,
    ],
    ["a member done without an after size counts nothing", [step("done", 100, null)], 0],
    ["no steps", [], 0],
  ])("%s", (_, steps, expected) => {
    expect(bytesReclaimed(report(steps))).toBe(expected);
  });
});
