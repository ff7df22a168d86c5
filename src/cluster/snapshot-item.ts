/**
 * `check`'s "recent snapshot" item: the newest snapshot the tool took for this cluster is younger than
 * --snapshot-max-age and verifies. What is on disk is found by src/run/recent-snapshot.ts; this is the verdict,
 * pure. `check` never takes a snapshot: a missing or stale one is a failed item with the command that takes one.
 */
import type { ChecklistItem } from "./checklist.js";

export const RECENT_SNAPSHOT_ITEM = "recent snapshot";

/**
 * The newest snapshot of this cluster in one directory, as found on disk: ours when its manifest's member IDs
 * overlap the cluster's (src/cluster/retention.ts), never by the label in its name.
 */
export interface SnapshotFinding {
  dir: string;
  /** The label this cluster's files are named with (the context, else a hash of the member IDs); names only. */
  label: string;
  /** Files with our name whose manifest is missing or names no members: whose they are cannot be told. */
  unmanaged: number;
  newest: {
    path: string;
    /** When it was taken (from its manifest). */
    takenAt: Date;
    /** Size on disk; null when unreadable. */
    bytes: number | null;
    /** The file verified on its own and against its manifest, as `snapshot verify` judges it. */
    sha256Verified: boolean;
    /** Why it failed verification (or could not be read); null when verified. */
    error: string | null;
  } | null;
  /** Why the directory could not be read; null when it could (a missing directory holds no snapshot). */
  error: string | null;
}

/** The `recentSnapshot` object of `check -o json`. */
export interface RecentSnapshotReport {
  dir: string;
  label: string;
  maxAgeMs: number;
  /** The newest snapshot of ours for this cluster; null when there is none. */
  path: string | null;
  /** ISO 8601, UTC; null when there is none. */
  takenAt: string | null;
  ageMs: number | null;
  bytes: number | null;
  sha256Verified: boolean;
  /** true exactly when the item passes: found, younger than maxAgeMs, verified. */
  ok: boolean;
  /** Why not ok, for a person; null when ok. */
  error: string | null;
}

const HINT = "take one with `talos-etcd-defrag snapshot`";

export function recentSnapshotItem(
  finding: SnapshotFinding,
  maxAgeMs: number,
  nowMs: number,
): { item: ChecklistItem; recentSnapshot: RecentSnapshotReport } {
  const newest = finding.newest;
  const ageMs = newest === null ? null : Math.max(0, nowMs - newest.takenAt.getTime());
  const problem =
    finding.error !== null
      ? `cannot read ${finding.dir}: ${finding.error}`
      : newest === null
        ? `no snapshot of this cluster's members in ${finding.dir}${finding.unmanaged > 0 ? ` (${finding.unmanaged} without a manifest naming members: \`talos-etcd-defrag snapshot adopt\` them)` : ""}`
        : !newest.sha256Verified
          ? `the newest, ${newest.path}, does not verify: ${newest.error ?? "unknown reason"}`
          : ageMs !== null && ageMs > maxAgeMs
            ? `the newest, ${newest.path}, is ${formatDurationMs(ageMs)} old (over --snapshot-max-age ${formatDurationMs(maxAgeMs)})`
            : null;
  const recentSnapshot: RecentSnapshotReport = {
    dir: finding.dir,
    label: finding.label,
    maxAgeMs,
    path: newest?.path ?? null,
    takenAt: newest?.takenAt.toISOString() ?? null,
    ageMs,
    bytes: newest?.bytes ?? null,
    sha256Verified: newest?.sha256Verified ?? false,
    ok: problem === null,
    error: problem,
  };
  const item: ChecklistItem =
    problem === null && newest !== null && ageMs !== null
      ? {
          name: RECENT_SNAPSHOT_ITEM,
          status: "pass",
          detail: `${newest.path}, ${formatDurationMs(ageMs)} old, sha256 verified`,
        }
      : { name: RECENT_SNAPSHOT_ITEM, status: "fail", detail: `${problem}: ${HINT}` };
  return { item, recentSnapshot };
}

/** Go-style and short: `45s`, `25m`, `3h12m`, `2d3h`. */
export function formatDurationMs(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}
