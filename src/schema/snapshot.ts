/** `snapshot -o json`: one verified snapshot, with what retention removed. */
import * as z from "zod/mini";
import { reportSnapshot } from "./run-report.js";
import { schemaVersion, warnings } from "./status.js";

export const snapshotDocument = z
  .strictObject({
    schemaVersion,
    result: z.literal("ok"),
    snapshot: z.strictObject({ ...reportSnapshot.shape, pruned: z.array(z.string()), warnings }),
    warnings,
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot -o json",
      description: "One verified snapshot; a failed snapshot prints no document (exit 3).",
    }),
  );

export type SnapshotDocument = z.infer<typeof snapshotDocument>;
