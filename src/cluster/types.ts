/** The cluster view: the pure model that planning, checks and rendering work from. */
import type { NodeFailure } from "../talos/types.js";

export type QuotaSource = "default" | "flag" | "cluster";

export interface Quota {
  bytes: number;
  source: QuotaSource;
}

export interface MemberView {
  node: string;
  memberId: string;
  isLeader: boolean;
  isLearner: boolean;
  dbSize: number;
  dbSizeInUse: number;
  dbSizeFree: number;
  inUseRatio: number;
  /** dbSize / quota. */
  quotaUsage: number;
  raftIndex: number;
  raftTerm: number;
  raftAppliedIndex: number;
  /** etcd's error strings as talosctl printed them, alarms included. */
  errors: string[];
  /** The errors that are not alarms: what this member itself complains about. */
  otherErrors: string[];
  /** The rule's verdict for this member. */
  defragRecommended: boolean;
  /** `major.minor.patch` from PROTOCOL (v1.11+), else from the etcdspec image; null when unknown. */
  etcdVersion: string | null;
  /** etcd's resident memory (`talosctl processes`); null when unknown, absent when not read. */
  rssBytes?: number | null;
  /** Free bytes on the volume holding /var/lib/etcd (`talosctl mounts`); null when unknown, absent when not read. */
  diskAvailableBytes?: number | null;
}

export interface AlarmView {
  memberId: string;
  alarm: string;
}

export type ProblemKind =
  | "unreachable"
  | "missing-status"
  | "no-voter"
  | "no-leader"
  | "leader-disagreement"
  | "learner"
  | "alarm-corrupt"
  | "alarm-nospace"
  | "member-errors"
  | "applied-lag";

export interface Problem {
  kind: ProblemKind;
  /** One sentence a person reads, naming the node or member. */
  message: string;
  node?: string;
  memberId?: string;
}

/** A known etcd defrag hazard that applies to members of this cluster (see advisories.ts for the table). */
export interface Advisory {
  /** The upstream reference, e.g. `etcd-io/etcd#20271`. */
  id: string;
  /** Upstream issue (and fix) numbers. */
  issues: number[];
  url: string;
  /** Affected versions as a semver range: `<3.4.38 || >=3.5.0 <3.5.23 || >=3.6.0 <3.6.5`. */
  etcdVersions: string;
  /** The first fixed etcd of each release line. */
  fixedIn: string[];
  /** Talos releases whose default etcd has the fix, e.g. `v1.10.9 (etcd 3.5.26)`. */
  talosFixedIn: string[];
  /** What goes wrong, then what it means for the operator. */
  summary: string;
  /** Whether `defrag` touches a member only while every voting member is caught up (see catch-up margin). */
  waitsForCatchUp: boolean;
  /** The members running an affected version. */
  members: { node: string; memberId: string; etcdVersion: string }[];
}

/**
 * Where `talosctl etcd forfeit-leadership` would send leadership: Talos hands it to the first member other
 * than the leader in ascending member-ID order, learners included, and etcd refuses a learner.
 */
export interface LeaderTransferee {
  memberId: string;
  /** From the member's client URL; null when it has none. */
  node: string | null;
  name: string;
  isLearner: boolean;
}

/** A member with etcd's memory and free disk read beside it (null when unknown): as status and check print it. */
export type ReportedMember = MemberView & { rssBytes: number | null; diskAvailableBytes: number | null };

/** The `status -o json` document of docs/CONTRACT.md (src/schema/status.ts; field names are the contract). */
export interface ReportedView extends ClusterView {
  members: ReportedMember[];
}

/** The cluster as one read sees it; status and check print it with the members' resources (ReportedView). */
export interface ClusterView {
  members: MemberView[];
  /**
   * Every member ID in etcd's member list (learners included), sorted: the cluster itself, whichever nodes were
   * asked. Empty when no voter answered `etcd members`. See cluster/identity.ts.
   */
  clusterMemberIds: string[];
  leader: { node: string; memberId: string } | null;
  /** null when the leader or the member list is unknown, or the leader is alone. */
  leaderTransferee: LeaderTransferee | null;
  alarms: AlarmView[];
  unreachable: NodeFailure[];
  quota: Quota;
  healthy: boolean;
  problems: Problem[];
  /** Known defrag hazards of the etcd versions the members run; empty when none applies or none is known. */
  advisories: Advisory[];
}
