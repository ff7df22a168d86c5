/**
 * Whether a `defrag` run would defragment a member: the one decision `plan`, `defrag` and `check` share, so that
 * check recommends a defrag (exit 4) exactly when a defrag run would do one (a CronJob that defrags on exit 4 must
 * not loop on a defrag that is then refused). Learners never; `--force` every voter; else the rule's verdict, less
 * the members the reclaim floor skips. Pure.
 */
import { reclaimFloorReason } from "./reclaim-floor.js";
import type { MemberView } from "./types.js";

export type DefragDecision =
  | { defrag: true }
  | { defrag: false; why: "learner" | "rule" }
  | { defrag: false; why: "floor"; floor: string };

export interface DefragDecisionOptions {
  /** --min-reclaim in bytes (0: off). */
  minReclaimBytes: number;
  force?: boolean;
}

export function decideDefrag(
  member: Pick<MemberView, "isLearner" | "defragRecommended" | "dbSize" | "dbSizeFree" | "dbSizeInUse">,
  quotaBytes: number,
  options: DefragDecisionOptions,
): DefragDecision {
  if (member.isLearner) return { defrag: false, why: "learner" };
  if (options.force === true) return { defrag: true };
  if (!member.defragRecommended) return { defrag: false, why: "rule" };
  const floor = reclaimFloorReason(member, quotaBytes, options.minReclaimBytes);
  return floor === null ? { defrag: true } : { defrag: false, why: "floor", floor };
}
