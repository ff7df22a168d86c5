/**
 * The manifest beside each snapshot, `<snapshot>.json` (schema: src/schema/snapshot-manifest.ts): written 0600 and
 * atomically (a temporary name, then rename) once the snapshot has verified, read by retention, `snapshot verify`
 * and `snapshot list`. A snapshot with a manifest naming this cluster is ours; nothing else is.
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename } from "node:path";
import { clusterMemberIds } from "../cluster/identity.js";
import type { ClusterView } from "../cluster/types.js";
import { type SnapshotManifest, snapshotManifest } from "../schema/snapshot-manifest.js";
import { SCHEMA_VERSION } from "../schema/version.js";
import type { SnapshotCheck } from "./snapshot-file.js";

export type { SnapshotManifest } from "../schema/snapshot-manifest.js";

export function manifestPathFor(snapshotPath: string): string {
  return `${snapshotPath}.json`;
}

export interface ManifestFacts {
  path: string;
  label: string;
  view: ClusterView;
  node: string;
  revision: number | null;
  /** A verified check (it carries the whole file's SHA-256). */
  check: SnapshotCheck;
  takenAt: Date;
  toolVersion: string;
}

export function createManifest(facts: ManifestFacts): SnapshotManifest {
  const { view, check } = facts;
  if (check.sha256 === undefined) throw new Error("a manifest is written for a verified snapshot only");
  return {
    schemaVersion: SCHEMA_VERSION,
    file: basename(facts.path),
    cluster: { label: facts.label, memberIds: clusterMemberIds(view) },
    revision: facts.revision,
    source: { node: facts.node, memberId: view.members.find((m) => m.node === facts.node)?.memberId ?? null },
    members: view.members.map((m) => ({ node: m.node, memberId: m.memberId, etcdVersion: m.etcdVersion })),
    bytes: check.bytes,
    sha256: check.sha256,
    takenAt: facts.takenAt.toISOString(),
    toolVersion: facts.toolVersion,
    adopted: false,
  };
}

/**
 * For a file from before manifests, or named by hand (`snapshot adopt`): the cluster it is adopted into (its
 * member IDs, read from the cluster), its time (from our name, else the file's mtime); what only the run that
 * took it knew (revision, source, members' versions) is unknown.
 */
export function adoptedManifest(facts: {
  path: string;
  label: string;
  memberIds: readonly string[];
  takenAt: Date;
  check: SnapshotCheck;
  toolVersion: string;
}): SnapshotManifest {
  if (facts.check.sha256 === undefined) throw new Error("a manifest is written for a verified snapshot only");
  return {
    schemaVersion: SCHEMA_VERSION,
    file: basename(facts.path),
    cluster: { label: facts.label, memberIds: [...facts.memberIds].sort() },
    revision: null,
    source: null,
    members: [],
    bytes: facts.check.bytes,
    sha256: facts.check.sha256,
    takenAt: facts.takenAt.toISOString(),
    toolVersion: facts.toolVersion,
    adopted: true,
  };
}

/** Written under a temporary name (0600, O_EXCL) and renamed over `<snapshot>.json`: never seen half-written. */
export async function writeManifest(snapshotPath: string, manifest: SnapshotManifest): Promise<string> {
  const target = manifestPathFor(snapshotPath);
  const temporary = `${target}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    return target;
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

export type ManifestReading =
  | { kind: "none" }
  | { kind: "invalid"; path: string; problem: string }
  | { kind: "ok"; path: string; manifest: SnapshotManifest };

/** The manifest beside a snapshot: none, one that cannot be trusted (and why), or a valid one for this file. */
export async function readManifest(snapshotPath: string): Promise<ManifestReading> {
  const path = manifestPathFor(snapshotPath);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "none" };
    return { kind: "invalid", path, problem: `its manifest cannot be read: ${(err as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", path, problem: "its manifest is not JSON" };
  }
  const parsed = snapshotManifest.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` (${issue.path.join(".")})`;
    return { kind: "invalid", path, problem: `its manifest does not match the schema${where}` };
  }
  if (parsed.data.file !== basename(snapshotPath))
    return { kind: "invalid", path, problem: `its manifest describes another file (${parsed.data.file})` };
  return { kind: "ok", path, manifest: parsed.data };
}

/** Why a verified file does not match its manifest (size, then SHA-256), or null when it does. */
export function manifestMismatch(check: SnapshotCheck, manifest: SnapshotManifest): string | null {
  if (check.bytes !== manifest.bytes)
    return `its size ${check.bytes} differs from its manifest's ${manifest.bytes} bytes`;
  if (check.sha256 !== undefined && check.sha256 !== manifest.sha256)
    return "its SHA-256 differs from its manifest's";
  return null;
}
