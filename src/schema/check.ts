/** `check -o json`: the go/no-go checklist, with the status document it was made from. */
import * as z from "zod/mini";
import { advisory, schemaVersion, statusDocument, warnings } from "./status.js";

export const checklistItem = z.strictObject({
  name: z.string(),
  status: z.enum(["pass", "warn", "fail"]),
  detail: z.string(),
  /** Present (true) on a warning that never makes the verdict `defrag-recommended`. */
  informational: z.optional(z.literal(true)),
});

const nullableString = z.nullable(z.string());

/** With --upgrade-to: what the target Talos release ships and how the members' etcd gets there. */
export const upgradeReport = z.strictObject({
  target: z.string(),
  release: z.string(),
  known: z.boolean(),
  etcdVersion: nullableString,
  advisories: z.array(advisory),
  freeRelease: nullableString,
  path: z.array(
    z.strictObject({
      from: nullableString,
      to: z.string(),
      status: z.enum(["pass", "warn", "fail"]),
      rule: z.string(),
      issues: z.array(z.int()),
      reason: z.string(),
      /** The shortest safe sequence of Talos releases to the target (the target last); null when there is none. */
      route: z.nullable(
        z.array(z.strictObject({ release: z.string(), etcd: z.string(), reason: z.string() })),
      ),
      nodes: z.array(z.string()),
    }),
  ),
  votingMembers: z.int(),
  toleratesDown: z.int(),
  learners: z.array(z.string()),
});

/** With --upgrade-to or --snapshot-max-age: the newest snapshot of ours for this cluster. */
export const recentSnapshotReport = z.strictObject({
  dir: z.string(),
  label: z.string(),
  maxAgeMs: z.number(),
  path: nullableString,
  takenAt: nullableString,
  ageMs: z.nullable(z.number()),
  bytes: z.nullable(z.number()),
  sha256Verified: z.boolean(),
  ok: z.boolean(),
  error: nullableString,
});

export const checkDocument = z
  .strictObject({
    schemaVersion,
    verdict: z.enum(["go", "defrag-recommended", "no-go"]),
    items: z.array(checklistItem),
    go: z.boolean(),
    advisories: z.array(advisory),
    upgrade: z.optional(upgradeReport),
    recentSnapshot: z.optional(recentSnapshotReport),
    status: statusDocument,
    warnings: z.optional(warnings),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag check -o json",
      description: "The go/no-go checklist: exit 0 go, 3 no-go, 4 defragmentation recommended.",
    }),
  );

export type CheckDocument = z.infer<typeof checkDocument>;
