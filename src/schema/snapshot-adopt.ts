/** `snapshot adopt -o json`: one outcome per file, in the order given. */
import * as z from "zod/mini";
import { schemaVersion } from "./status.js";

export const adoptVerdict = z.strictObject({
  path: z.string(),
  /** A manifest was written now. */
  adopted: z.boolean(),
  /** The file's name now when adopt renamed it to our scheme (it was named by hand); else null. */
  renamedTo: z.nullable(z.string()),
  /** The manifest beside the file after the command (written now or already there); null when none. */
  manifest: z.nullable(z.string()),
  /** Why it was not adopted (also "it has a manifest already"); null when adopted. */
  error: z.nullable(z.string()),
});

export const snapshotAdoptDocument = z
  .strictObject({ schemaVersion, files: z.array(adoptVerdict), ok: z.boolean() })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot adopt -o json",
      description:
        "Each file adopted (a manifest written) or why not; `ok` is true when every file has a manifest.",
    }),
  );

export type SnapshotAdoptDocument = z.infer<typeof snapshotAdoptDocument>;
