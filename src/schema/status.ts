/**
 * `status -o json` (docs/CONTRACT.md, "status -o json"), and the parts other documents share with it: member
 * IDs, alarms, nodes that did not answer, advisories. Strict objects: a field the contract does not name fails.
 */
import * as z from "zod/mini";
import { SCHEMA_VERSION } from "./version.js";

/** The format version every document starts with; see version.ts. */
export const schemaVersion = z
  .literal(SCHEMA_VERSION)
  .check(z.describe("format version: raised on a rename or removal, kept on an addition"));

/** etcd member ID: 16 lowercase hex digits. */
export const memberId = z.string().check(z.regex(/^[0-9a-f]{16}$/));

/** Bytes as parsed from talosctl (decimal units, exact to the printed precision). */
export const bytes = z.number().check(z.minimum(0));

/** A raised alarm: `NOSPACE`, `CORRUPT`, or another name etcd uses. */
export const alarm = z.strictObject({ memberId, alarm: z.string() });

/** A node that did not answer a call; `error` is talosctl's text. */
export const unreachable = z.strictObject({
  node: z.string(),
  kind: z.enum([
    "unreachable",
    "permission-denied",
    "not-control-plane",
    "timed-out",
    "learner-refused",
    "other",
  ]),
  error: z.string(),
});

/** A known etcd defrag hazard of the versions the members run. */
export const advisory = z.strictObject({
  id: z.string(),
  issues: z.array(z.int()),
  url: z.string(),
  etcdVersions: z.string(),
  fixedIn: z.array(z.string()),
  talosFixedIn: z.array(z.string()),
  summary: z.string(),
  waitsForCatchUp: z.boolean(),
  members: z.array(z.strictObject({ node: z.string(), memberId, etcdVersion: z.string() })),
});

export const member = z.strictObject({
  node: z.string(),
  memberId,
  isLeader: z.boolean(),
  isLearner: z.boolean(),
  dbSize: bytes,
  dbSizeInUse: bytes,
  dbSizeFree: bytes,
  inUseRatio: z.number().check(z.minimum(0), z.maximum(1)),
  quotaUsage: z.number().check(z.minimum(0)),
  raftIndex: z.int().check(z.minimum(0)),
  raftTerm: z.int().check(z.minimum(0)),
  raftAppliedIndex: z.int().check(z.minimum(0)),
  errors: z.array(z.string()),
  otherErrors: z.array(z.string()),
  defragRecommended: z.boolean(),
  etcdVersion: z.nullable(z.string()),
  rssBytes: z.nullable(bytes),
  diskAvailableBytes: z.nullable(bytes),
});

export const problem = z.strictObject({
  kind: z.enum([
    "unreachable",
    "missing-status",
    "no-voter",
    "no-leader",
    "leader-disagreement",
    "learner",
    "alarm-corrupt",
    "alarm-nospace",
    "member-errors",
    "applied-lag",
  ]),
  message: z.string(),
  node: z.optional(z.string()),
  memberId: z.optional(memberId),
});

/** Side outputs that failed (metrics file, pruning, lock removal): said, never a change of exit code. */
export const warnings = z.array(z.string());

export const statusDocument = z
  .strictObject({
    schemaVersion,
    members: z.array(member),
    /** Every member ID in etcd's member list (learners included), sorted; empty when no voter answered. */
    clusterMemberIds: z.array(memberId),
    leader: z.nullable(z.strictObject({ node: z.string(), memberId })),
    leaderTransferee: z.nullable(
      z.strictObject({ memberId, node: z.nullable(z.string()), name: z.string(), isLearner: z.boolean() }),
    ),
    alarms: z.array(alarm),
    unreachable: z.array(unreachable),
    quota: z.strictObject({ bytes, source: z.enum(["default", "cluster", "flag"]) }),
    healthy: z.boolean(),
    problems: z.array(problem),
    advisories: z.array(advisory),
    /** Present only when a side output (the metrics file) failed. */
    warnings: z.optional(warnings),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag status -o json",
      description: "Every member's sizes, role, raft state and the rule's verdict; the cluster's health.",
    }),
  );

export type StatusDocument = z.infer<typeof statusDocument>;
