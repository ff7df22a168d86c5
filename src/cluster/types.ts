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
  errors: string[];
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

/** The `status -o json` document of DESIGN.md (field names are the contract). */
export interface ClusterView {
  members: MemberView[];
  leader: { node: string; memberId: string } | null;
  alarms: AlarmView[];
  unreachable: NodeFailure[];
  quota: Quota;
  healthy: boolean;
  problems: Problem[];
}
