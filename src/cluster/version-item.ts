/**
 * The `check` item "etcd version": which etcd each member runs and the known defrag hazards of those versions.
 * It warns but never changes the verdict: an old etcd is a reason to upgrade Talos, not a reason to call a
 * healthy, lean cluster unready (or to make a CronJob's `check` exit 4).
 */
import { CATCH_UP_MARGIN } from "../policy.js";
import { catchUpMarginFor, describeAdvisory } from "./advisories.js";
import type { ChecklistItem } from "./checklist.js";
import type { ClusterView } from "./types.js";
import { describeVersions } from "./versions.js";

export const ETCD_VERSION_ITEM = "etcd version";

export function etcdVersionItem(view: Pick<ClusterView, "members" | "advisories">): ChecklistItem {
  const name = ETCD_VERSION_ITEM;
  const warn = (detail: string): ChecklistItem => ({ name, status: "warn", detail, informational: true });
  if (view.members.length === 0) return warn("no member answered: unknown");
  // Unknown versions are named once, here; advisories only ever list members whose version is known.
  const unknown = view.members.filter((m) => m.etcdVersion === null).map((m) => m.node);
  const findings = view.advisories.map((a) => describeAdvisory(a, view.members.length));
  if (unknown.length > 0)
    findings.push(
      `etcd version unknown on ${unknown.length === view.members.length ? "every member" : unknown.join(", ")} (a digest-pinned image, or not reported): no known defrag hazard can be ruled out.`,
    );
  if (findings.length === 0)
    return { name, status: "pass", detail: `etcd ${describeVersions(view.members)}: no known defrag hazard` };
  const waits =
    catchUpMarginFor(view) === undefined
      ? ""
      : ` Defrag waits before each member until every voting member is within ${CATCH_UP_MARGIN} entries of the leader.`;
  return warn(`${findings.join(" ")}${waits}`);
}
