/**
 * The pre-upgrade go/no-go checklist, as data. Pure: derived from the cluster view alone.
 * go (exit 0): healthy and lean; recommend (exit 4): healthy but defragmentation is due; no-go (exit 3).
 */
import type { ClusterView, ProblemKind } from "./types.js";
import { etcdVersionItem } from "./version-item.js";

export type ItemStatus = "pass" | "warn" | "fail";

export interface ChecklistItem {
  name: string;
  status: ItemStatus;
  detail: string;
  /**
   * Whether this item's status counts toward the verdict. False for items that only inform (a learner, the etcd
   * version's advisories): their warning is shown but leaves a healthy, lean cluster at "go".
   */
  affectsVerdict: boolean;
}

export type Verdict = "go" | "defrag-recommended" | "no-go";

export interface Checklist {
  verdict: Verdict;
  items: ChecklistItem[];
}

/** Below this share of the quota a member has headroom; etcd-defrag's documented rule uses the same 0.8. */
export const QUOTA_HEADROOM = 0.8;

export function buildChecklist(view: ClusterView): Checklist {
  const messages = (...kinds: ProblemKind[]) =>
    view.problems.filter((p) => kinds.includes(p.kind)).map((p) => p.message);
  const item = (
    name: string,
    failures: string[],
    okDetail: string,
    onFail: ItemStatus = "fail",
    affectsVerdict = true,
  ): ChecklistItem =>
    failures.length === 0
      ? { name, status: "pass", detail: okDetail, affectsVerdict }
      : { name, status: onFail, detail: failures.join("; "), affectsVerdict };

  const items: ChecklistItem[] = [
    item(
      "every member answers",
      messages("unreachable", "missing-status"),
      `${view.members.length} members answered`,
    ),
    item(
      "one agreed leader",
      messages("no-leader", "leader-disagreement"),
      `leader ${view.leader?.node ?? "?"}`,
    ),
    item("no CORRUPT alarm", messages("alarm-corrupt"), "none"),
    item(
      "no NOSPACE alarm",
      messages("alarm-nospace").map((m) => `${m} (run defrag)`),
      "none",
    ),
    item(
      "members caught up",
      messages("applied-lag"),
      "every applied index is close to the leader's raft index",
    ),
    item("no member errors", messages("member-errors"), "none"),
    item("voting members only", messages("learner"), "no learners", "warn", false),
    quotaItem(view),
    fragmentationItem(view),
    etcdVersionItem(view),
  ];
  const counted = items.filter((i) => i.affectsVerdict);
  const verdict: Verdict = counted.some((i) => i.status === "fail")
    ? "no-go"
    : counted.some((i) => i.status === "warn")
      ? "defrag-recommended"
      : "go";
  return { verdict, items };
}

function quotaItem(view: ClusterView): ChecklistItem {
  const name = "quota headroom";
  const over = view.members.filter((m) => m.quotaUsage >= QUOTA_HEADROOM);
  const worst = Math.max(0, ...view.members.map((m) => m.quotaUsage));
  if (over.length === 0)
    return {
      name,
      status: "pass",
      detail: `largest member uses ${(worst * 100).toFixed(1)}% of the quota`,
      affectsVerdict: true,
    };
  // Defragmentation helps only when the space is free pages, not live data.
  const dataBound = over.filter((m) => m.dbSizeInUse / view.quota.bytes >= QUOTA_HEADROOM);
  if (dataBound.length > 0) {
    return {
      name,
      status: "fail",
      affectsVerdict: true,
      detail: `${dataBound.map((m) => m.node).join(", ")}: live data uses ${QUOTA_HEADROOM * 100}% or more of the quota; defrag cannot help, raise quota-backend-bytes`,
    };
  }
  return {
    name,
    status: "warn",
    affectsVerdict: true,
    detail: `${over.map((m) => m.node).join(", ")} at ${(worst * 100).toFixed(1)}% of the quota; defrag frees it`,
  };
}

function fragmentationItem(view: ClusterView): ChecklistItem {
  const due = view.members.filter((m) => m.defragRecommended);
  const name = "fragmentation (rule)";
  if (due.length === 0)
    return { name, status: "pass", detail: "no member matches the rule", affectsVerdict: true };
  return {
    name,
    status: "warn",
    affectsVerdict: true,
    detail: `defragmentation recommended for ${due.map((m) => m.node).join(", ")}`,
  };
}
