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

/** The `status -o json` document of docs/CONTRACT.md (field names are the contract). */
export interface ClusterView {
  members: MemberView[];
  leader: { node: string; memberId: string } | null;
  /** null when the leader or the member list is unknown, or the leader is alone. */
  leaderTransferee: LeaderTransferee | null;
  alarms: AlarmView[];
  unreachable: NodeFailure[];
  quota: Quota;
  healthy: boolean;
  problems: Problem[];
}
