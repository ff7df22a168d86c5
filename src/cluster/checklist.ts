/**
 * The pre-upgrade go/no-go checklist, as data. Pure: derived from the cluster view alone.
 * go (exit 0): healthy and lean; recommend (exit 4): healthy but defragmentation is due; no-go (exit 3).
 * Learners are judged by nothing but their own informational item: `defrag` never touches one, so its size, its
 * quota use and its disk never decide a verdict (as in the gate).
 */
import { MIN_RECLAIM_BYTES, QUOTA_HEADROOM } from "../policy.js";
import { compareNatural } from "../render/natural-order.js";
import { decideDefrag } from "./defrag-decision.js";
import type { ClusterView, MemberView, ProblemKind } from "./types.js";
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

export interface ChecklistOptions {
  /** --min-reclaim: a member the rule picks with fewer free bytes is skipped (0: off). */
  minReclaimBytes?: number;
}

export function buildChecklist(view: ClusterView, options: ChecklistOptions = {}): Checklist {
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
      messages("unreachable", "missing-status", "no-voter"),
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
    quotaItem(view, options.minReclaimBytes ?? MIN_RECLAIM_BYTES),
    fragmentationItem(view, options.minReclaimBytes ?? MIN_RECLAIM_BYTES),
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

/** Members in the order the tables list them (cp2 before cp10), so an item's node list reads like the table. */
function inNodeOrder(members: readonly MemberView[]): MemberView[] {
  return [...members].sort((a, b) => compareNatural(a.node, b.node));
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

/** "cp1 97.8%, cp2 95.1%": each node with its own figure; one shared figure hid all but the worst. */
function eachWith(members: readonly MemberView[], ratio: (m: MemberView) => number): string {
  return inNodeOrder(members)
    .map((m) => `${m.node} ${percent(ratio(m))}`)
    .join(", ");
}

function quotaItem(view: ClusterView, minReclaimBytes: number): ChecklistItem {
  const name = "quota headroom";
  const voters = votersOf(view);
  const over = voters.filter((m) => m.quotaUsage >= QUOTA_HEADROOM);
  const worst = Math.max(0, ...voters.map((m) => m.quotaUsage));
  if (over.length === 0)
    return { name, status: "pass", detail: `largest voting member uses ${percent(worst)} of the quota` };
  // Defragmentation helps only when the space is free pages, not live data.
  const liveShare = (m: MemberView) => m.dbSizeInUse / view.quota.bytes;
  const dataBound = over.filter((m) => liveShare(m) >= QUOTA_HEADROOM);
  if (dataBound.length > 0) {
    return {
      name,
      status: "fail",
      detail: `live data: ${eachWith(dataBound, liveShare)} of the quota; defrag cannot help, raise quota-backend-bytes`,
    };
  }
  // "defrag frees it" only for the members a defrag run would defragment (the decision plan and defrag make).
  const decided = inNodeOrder(over).map((m) => ({
    m,
    d: decideDefrag(m, view.quota.bytes, { minReclaimBytes }),
  }));
  const usage = (m: MemberView) => `${m.node} ${percent(m.quotaUsage)} of the quota`;
  const floored = decided.flatMap(({ m, d }) =>
    !d.defrag && d.why === "floor" ? [`${usage(m)}: ${d.floor}`] : [],
  );
  const freed = decided.filter(({ d }) => d.defrag).map(({ m }) => m);
  const unpicked = decided.filter(({ d }) => !d.defrag && d.why === "rule").map(({ m }) => m);
  const parts = [
    ...floored,
    ...(freed.length === 0 ? [] : [`${eachWith(freed, (m) => m.quotaUsage)} of the quota; defrag frees it`]),
    ...(unpicked.length === 0
      ? []
      : [
          `${eachWith(unpicked, (m) => m.quotaUsage)} of the quota; the rule does not pick it, so defrag leaves it`,
        ]),
  ];
  const detail = parts.join("; ");
  // A member the floor skips stays near NOSPACE: no defrag run will change that, only a larger quota (or a lower
  // floor). One the rule leaves is said, but recommends nothing: a defrag run would not touch it.
  if (floored.length > 0) return { name, status: "fail", detail };
  if (freed.length > 0) return { name, status: "warn", detail };
  return { name, status: "warn", detail, informational: true };
}

/** Members the rule picks but the reclaim floor skips are named with the reason, as `plan` gives it. */
function fragmentationItem(view: ClusterView, minReclaimBytes: number): ChecklistItem {
  const decided = inNodeOrder(votersOf(view)).map((m) => ({
    m,
    d: decideDefrag(m, view.quota.bytes, { minReclaimBytes }),
  }));
  const due = decided.filter((p) => p.d.defrag).map((p) => p.m);
  const skipped = decided.flatMap(({ m, d }) =>
    !d.defrag && d.why === "floor" ? [`${m.node} skipped: ${d.floor}`] : [],
  );
  const learners = view.members.filter((m) => m.isLearner && m.defragRecommended).map((m) => m.node);
  const learnerNote =
    learners.length === 0
      ? []
      : [`learner ${learners.join(", ")} matches, but a learner is never defragmented`];
  const name = "fragmentation (rule)";
  if (due.length === 0)
    return {
      name,
      status: "pass",
      detail:
        skipped.length > 0 || learners.length > 0
          ? [...skipped, ...learnerNote].join("; ")
          : "no member matches the rule",
    };
  return {
    name,
    status: "warn",
    detail: [
      `defragmentation recommended for ${inNodeOrder(due)
        .map((m) => m.node)
        .join(", ")}`,
      ...skipped,
    ].join("; "),
  };
}
