/** `snapshot list -o json`: the snapshots in a directory, newest first, each verified as `snapshot verify` does. */
import * as z from "zod/mini";
import { fileVerdict } from "./snapshot-verify.js";
import { schemaVersion } from "./status.js";

/** A snapshot being taken (`<name>.taking`), or left unfinished by a killed run (`stale`). */
export const unfinishedSnapshot = z.strictObject({
  path: z.string(),
  /** Bytes written so far. */
  bytes: z.int().check(z.minimum(0)),
  /** When it was started (the time in its name), ISO 8601 UTC. */
  startedAt: z.string(),
  /** When its files were last written, ISO 8601 UTC. */
  modifiedAt: z.string(),
  /** Not written for over an hour: left by a run that was killed; delete it. */
  stale: z.boolean(),
});

export const snapshotListDocument = z
  .strictObject({
    schemaVersion,
    dir: z.string(),
    snapshots: z.array(fileVerdict),
    unfinished: z.array(unfinishedSnapshot),
    ok: z.boolean(),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot list -o json",
      description:
        "The snapshots of a directory, newest first, and those being taken; `ok` is true when every one verified and none is stale.",
    }),
  );

export type SnapshotListDocument = z.infer<typeof snapshotListDocument>;
