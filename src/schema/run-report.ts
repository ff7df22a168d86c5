/** `defrag -o json` and `plan -o json` (and `defrag --dry-run`): the run report. */
import * as z from "zod/mini";
import { advisory, alarm, bytes, memberId, schemaVersion, warnings } from "./status.js";

/** The snapshot taken before a run (and the core of the `snapshot` document's). */
export const reportSnapshot = z.strictObject({
  path: z.string(),
  bytes,
  sha256Verified: z.boolean(),
  revision: z.nullable(z.int()),
  totalKeys: z.nullable(z.int()),
  node: z.string(),
  /** `<path>.json`, the snapshot's manifest; null when it could not be written (a warning says why). */
  manifest: z.nullable(z.string()),
  /** Snapshots of this cluster in the folder that do not verify (file against manifest): retention neither counted nor deleted them. */
  unverified: z.array(z.strictObject({ path: z.string(), error: z.string() })),
});

export const sizes = z.strictObject({ dbSize: bytes, dbSizeInUse: bytes, rssBytes: z.nullable(bytes) });

export const leaderDecision = z.strictObject({
  mode: z.enum(["auto", "forfeit", "last"]),
  move: z.boolean(),
  predictedStallMs: z.nullable(z.number()),
  thresholdMs: z.nullable(z.number()),
  basis: z.enum(["measured", "estimate", "mode"]),
  followersMeasured: z.int().check(z.minimum(0)),
  bytesPerSecond: z.nullable(z.number()),
  fixedCostMs: z.nullable(z.number()),
  reason: z.string(),
});

export const reportStep = z.strictObject({
  node: z.string(),
  memberId,
  role: z.enum(["follower", "leader", "learner"]),
  action: z.enum(["defrag", "skip"]),
  reason: z.string(),
  leaderMovedTo: z.nullable(z.string()),
  leaderDecision: z.nullable(leaderDecision),
  before: sizes,
  after: z.nullable(sizes),
  durationMs: z.number().check(z.minimum(0)),
  verified: z.boolean(),
  outcome: z.enum(["done", "skipped", "failed", "not-touched", "planned"]),
  error: z.nullable(z.string()),
});

export const runReportDocument = z
  .strictObject({
    schemaVersion,
    result: z.enum(["ok", "nothing-to-do", "refused", "failed", "interrupted"]),
    dryRun: z.boolean(),
    snapshot: z.nullable(reportSnapshot),
    steps: z.array(reportStep),
    alarmsDisarmed: z.array(alarm),
    durationMs: z.number().check(z.minimum(0)),
    warnings,
    refusedReasons: z.array(z.string()),
    error: z.nullable(z.string()),
    advisories: z.array(advisory),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag defrag -o json, plan -o json",
      description:
        "The run report: what was (or, on a dry run, would be) done to each member, and the outcome.",
    }),
  );

export type RunReportDocument = z.infer<typeof runReportDocument>;
