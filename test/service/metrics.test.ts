/** The defrag service's numbers for the metrics file: what a run gave back. */
import { describe, expect, it } from "vitest";
import type { ReportStep, RunReport, StepOutcome } from "../../src/run/types.js";
import { bytesReclaimed, membersNotShrunk } from "../../src/service/metrics.js";

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

describe("membersNotShrunk", () => {
  // before.dbSizeInUse is 1 byte: what was free is before - 1; a tenth of it must come back.
  it.each([
    ["a member that gave back at least a tenth of its free bytes shrank", [step("done", 1001, 900)], 0],
    ["one that gave back less is counted", [step("done", 1001, 902)], 1],
    ["one that grew is counted", [step("done", 1001, 1100)], 1],
    ["a member with nothing free that stayed put is not", [step("done", 1, 1)], 0],
    [
      "skipped, failed and untouched members are not",
      [step("skipped", 1001, null), step("failed", 1001, null)],
      0,
    ],
  ])("%s", (_, steps, count) => {
    expect(membersNotShrunk(report(steps))).toBe(count);
  });
});
