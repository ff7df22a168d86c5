/**
 * The pre-upgrade go/no-go checklist, as data. Pure: derived from the cluster view alone.
 * go (exit 0): healthy and lean; recommend (exit 4): healthy but defragmentation is due; no-go (exit 3).
 * Learners are judged by nothing but their own informational item: `defrag` never touches one, so its size, its
 * quota use and its disk never decide a verdict (as in the gate).
 */
import { QUOTA_HEADROOM } from "../policy.js";
import type { ClusterView, ProblemKind } from "./types.js";
import { alarmsKnown } from "./unseen.js";
import { etcdVersionItem } from "./version-item.js";
import { votersOf } from "./voters.js";

export type ItemStatus = "pass" | "warn" | "fail";

export interface ChecklistItem {
  name: string;
  status: ItemStatus;
  detail: string;
  /**
   * A warning worth saying that defragmentation would not change (a learner, the etcd version's known hazards):
   * it never makes the verdict exit 4.
   */
  informational?: true;
}

export type Verdict = "go" | "defrag-recommended" | "no-go";

export interface Checklist {
  verdict: Verdict;
  items: ChecklistItem[];
}

export function buildChecklist(view: ClusterView): Checklist {
  const messages = (...kinds: ProblemKind[]) =>
    view.problems.filter((p) => kinds.includes(p.kind)).map((p) => p.message);
  // With no voting member answering, an item with nothing to report would pass with "none": it is unknown.
  const unknown = alarmsKnown(view) ? [] : ["unknown: no voting member answered"];
  const item = (name: string, failures: string[], okDetail: string): ChecklistItem =>
    failures.length === 0
      ? { name, status: "pass", detail: okDetail }
      : { name, status: "fail", detail: failures.join("; ") };
  const known = (name: string, failures: string[], okDetail: string): ChecklistItem =>
    item(name, failures.length > 0 ? failures : unknown, okDetail);

  const items: ChecklistItem[] = [
    item(
      "every member answers",
      messages("unreachable", "missing-status"),
      `${view.members.length} members answered`,
    ),
    known(
      "one agreed leader",
      messages("no-leader", "leader-disagreement"),
      `leader ${view.leader?.node ?? "?"}`,
    ),
    known("no CORRUPT alarm", messages("alarm-corrupt"), "none"),
    known(
      "no NOSPACE alarm",
      messages("alarm-nospace").map((m) => `${m} (run defrag)`),
      "none",
    ),
    known(
      "members caught up",
      messages("applied-lag"),
      "every applied index is close to the leader's raft index",
    ),
    known("no member errors", messages("member-errors"), "none"),
    learnerItem(messages("learner")),
    quotaItem(view),
    fragmentationItem(view),
    etcdVersionItem(view),
  ];
  const verdict: Verdict = items.some((i) => i.status === "fail")
    ? "no-go"
    : items.some((i) => i.status === "warn" && i.informational !== true)
      ? "defrag-recommended"
      : "go";
  return { verdict, items };
}

/** A learner is a normal part of a control-plane join: say so, never fail or recommend for it. */
function learnerItem(learners: string[]): ChecklistItem {
  const name = "voting members only";
  if (learners.length === 0) return { name, status: "pass", detail: "no learners" };
  return { name, status: "warn", detail: learners.join("; "), informational: true };
}

function quotaItem(view: ClusterView): ChecklistItem {
  const name = "quota headroom";
  const voters = votersOf(view);
  const over = voters.filter((m) => m.quotaUsage >= QUOTA_HEADROOM);
  const worst = Math.max(0, ...voters.map((m) => m.quotaUsage));
  if (over.length === 0)
    return {
      name,
      status: "pass",
      detail: `largest voting member uses ${(worst * 100).toFixed(1)}% of the quota`,
    };
  // Defragmentation helps only when the space is free pages, not live data.
  const dataBound = over.filter((m) => m.dbSizeInUse / view.quota.bytes >= QUOTA_HEADROOM);
  if (dataBound.length > 0) {
    return {
      name,
      status: "fail",
      detail: `${dataBound.map((m) => m.node).join(", ")}: live data uses ${QUOTA_HEADROOM * 100}% or more of the quota; defrag cannot help, raise quota-backend-bytes`,
    };
  }
  return {
    name,
    status: "warn",
    detail: `${over.map((m) => m.node).join(", ")} at ${(worst * 100).toFixed(1)}% of the quota; defrag frees it`,
  };
}

function fragmentationItem(view: ClusterView): ChecklistItem {
  const due = votersOf(view).filter((m) => m.defragRecommended);
  const learners = view.members.filter((m) => m.isLearner && m.defragRecommended).map((m) => m.node);
  const name = "fragmentation (rule)";
  if (due.length === 0)
    return {
      name,
      status: "pass",
      detail:
        learners.length === 0
          ? "no member matches the rule"
          : `no voting member matches the rule (learner ${learners.join(", ")} does, but a learner is never defragmented)`,
    };
  return {
    name,
    status: "warn",
    detail: `defragmentation recommended for ${due.map((m) => m.node).join(", ")}`,
  };
}
