/** `snapshot verify -o json`: one verdict per file, in the order given. */
import * as z from "zod/mini";
import { schemaVersion } from "./status.js";

export const fileVerdict = z.strictObject({
  path: z.string(),
  /** Size on disk; null when it could not be read. */
  bytes: z.nullable(z.number().check(z.minimum(0))),
  ok: z.boolean(),
  sha256Verified: z.boolean(),
  /** The full reason when not ok, else null. */
  error: z.nullable(z.string()),
  /** The manifest beside the file (`<path>.json`), null when there is none. */
  manifest: z.nullable(z.string()),
  /** From a valid manifest, else null: the cluster label, etcd revision, when taken, and from which member. */
  cluster: z.nullable(z.string()),
  revision: z.nullable(z.int().check(z.minimum(0))),
  takenAt: z.nullable(z.string()),
  source: z.nullable(z.strictObject({ node: z.string(), memberId: z.nullable(z.string()) })),
});

export const snapshotVerifyDocument = z
  .strictObject({ schemaVersion, files: z.array(fileVerdict), ok: z.boolean() })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot verify -o json",
      description: "Each file's size and SHA-256 trailer check; `ok` is true when every file passed.",
    }),
  );

export type FileVerdict = z.infer<typeof fileVerdict>;
export type SnapshotVerifyDocument = z.infer<typeof snapshotVerifyDocument>;
