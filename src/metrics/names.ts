/**
 * Every metric name we emit, in one place: docs/SCHEDULING.md and examples/prometheus/alerts.yaml refer to
 * these, and a test checks that the alert rules only use names listed here.
 */
import { METRIC_PREFIX } from "./exposition.js";

const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

/**
 * The commands that write a metrics file. Every series carries `command="<it>"`, so the files of different
 * commands in one textfile folder never hold the same series (see cluster-metrics.ts for why a label rather than
 * one writer per series); the one series only one command writes (last_success) is labelled all the same.
 */
export const METRICS_COMMANDS = ["status", "check", "defrag"] as const;
export type MetricsCommand = (typeof METRICS_COMMANDS)[number];

/**
 * Per member; labels node, member_id, command: stable while the member lives. The role is not a label (a
 * leadership move would end every series of two members and start new ones): it is member_leader and
 * member_learner, 1 or 0. Until this change the label `role` was there: the one deliberate label change.
 */
export const MEMBER_METRICS = {
  dbSize: name("member_db_size_bytes"),
  dbSizeInUse: name("member_db_size_in_use_bytes"),
  dbSizeFree: name("member_db_size_free_bytes"),
  quotaUsage: name("member_quota_usage_ratio"),
  /** 1 for the raft leader, 0 for the others. */
  leader: name("member_leader"),
  /** 1 for a raft learner (non-voting), 0 for voting members. */
  learner: name("member_learner"),
  defragRecommended: name("member_defrag_recommended"),
  /** Only members whose value was read (talosctl processes / mounts): no sample means unknown. */
  rssBytes: name("member_rss_bytes"),
  diskAvailableBytes: name("member_disk_available_bytes"),
} as const;

/** Whole cluster, as seen by one `status`/`check`/`defrag` read; label command, plus those named below. */
export const CLUSTER_METRICS = {
  members: name("members"),
  unreachableNodes: name("unreachable_nodes"),
  healthy: name("cluster_healthy"),
  /** label alarm; value = how many members have it raised. NOSPACE and CORRUPT are always present. */
  alarmsActive: name("alarms_active"),
  /** label source (default | flag | cluster). */
  quota: name("quota_bytes"),
  lastCheck: name("last_check_timestamp_seconds"),
} as const;

/** The run that wrote the file; label command, and result on the result gauge. */
export const RUN_METRICS = {
  result: name("run_result"),
  start: name("run_start_timestamp_seconds"),
  duration: name("run_duration_seconds"),
  membersDefragmented: name("run_members_defragmented"),
  reclaimed: name("run_reclaimed_bytes"),
  /** Members the run defragmented whose file shrank by less than a tenth of its free bytes (src/run/shrink.ts). */
  membersNotShrunk: name("run_members_not_shrunk"),
  /** Snapshots of this cluster that retention found not verifying against their manifests (src/cluster/retention.ts). */
  snapshotsUnverified: name("run_snapshots_unverified"),
  /**
   * Written by `defrag` only (command="defrag"), carried over from its own previous file: survives failed runs,
   * so "too long since the last success" can alert. `status` and `check` never write it: a copy in their files
   * would be a second writer of the same series (and a frozen one, in a file that once was the defrag's).
   */
  lastSuccess: name("last_success_timestamp_seconds"),
} as const;

export const ALL_METRIC_NAMES: readonly string[] = [
  ...Object.values(MEMBER_METRICS),
  ...Object.values(CLUSTER_METRICS),
  ...Object.values(RUN_METRICS),
];
