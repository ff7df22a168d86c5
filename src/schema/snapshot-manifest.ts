/**
 * `<snapshot>.json`, the manifest written beside every snapshot once the file has verified (docs/CONTRACT.md,
 * "Snapshot manifest"). It is what makes a snapshot ours: retention (`--keep`) counts and deletes only snapshots
 * whose manifest names this cluster, `snapshot verify` checks a file against it, `snapshot list` shows it.
 */
import * as z from "zod/mini";
import { SCHEMA_VERSION } from "./version.js";

const memberId = z.string().check(z.regex(/^[0-9a-f]{1,16}$/));
const count = z.int().check(z.minimum(0));

export const snapshotManifest = z
  .strictObject({
    schemaVersion: z.literal(SCHEMA_VERSION),
    /** The snapshot's file name (no directory): the manifest names the file it describes. */
    file: z.string().check(z.minLength(1)),
    cluster: z.strictObject({
      /** The label in the file name: `--context`, else `cluster-` and a hash of the member IDs. */
      label: z.string().check(z.minLength(1)),
      /** The cluster's member IDs when it was taken, sorted; empty for an adopted file. */
      memberIds: z.array(memberId),
    }),
    /** etcd's revision in the snapshot, as talosctl reported it; null when not reported or adopted. */
    revision: z.nullable(count),
    /** The node (and its member) the snapshot was streamed from; null for an adopted file. */
    source: z.nullable(z.strictObject({ node: z.string(), memberId: z.nullable(memberId) })),
    /** Each member that reported status, with its etcd version (null when unknown). */
    members: z.array(z.strictObject({ node: z.string(), memberId, etcdVersion: z.nullable(z.string()) })),
    /** The snapshot file's size in bytes. */
    bytes: count,
    /** SHA-256 of the whole file (trailer included), lowercase hex: what `sha256sum FILE` prints. */
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    /** When it was taken (for an adopted file: the time in its name), ISO 8601 UTC. */
    takenAt: z.iso.datetime(),
    /** The talos-etcd-defrag version that wrote the manifest. */
    toolVersion: z.string(),
    /** Written by `snapshot adopt` for a file from before manifests: revision, source and members are unknown. */
    adopted: z.boolean(),
  })
  .check(
    z.meta({
      title: "talos-etcd-defrag snapshot manifest",
      description:
        "Beside each snapshot as <snapshot>.json: which cluster, revision and member it holds, its size and SHA-256.",
    }),
  );

export type SnapshotManifest = z.infer<typeof snapshotManifest>;
