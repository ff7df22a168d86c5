/** `snapshot list -o json`: the snapshots in a directory, newest first, each verified as `snapshot verify` does. */
import * as z from "zod/mini";
import { fileVerdict } from "./snapshot-verify.js";
import { schemaVersion } from "./status.js";

export const snapshotListDocument = z
  .strictObject({ schemaVersion, dir: z.string(), snapshots: z.array(fileVerdict), ok: z.boolean() })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot list -o json",
      description: "The snapshots of a directory, newest first; `ok` is true when every one verified.",
    }),
  );

export type SnapshotListDocument = z.infer<typeof snapshotListDocument>;
