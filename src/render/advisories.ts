/** Below the status table: which etcd the members run, and each known defrag hazard of those versions. */
import { catchUpMarginFor, describeAdvisory } from "../cluster/advisories.js";
import type { ClusterView } from "../cluster/types.js";
import { describeVersions } from "../cluster/versions.js";
import { CATCH_UP_MARGIN } from "../policy.js";
import type { Style } from "./style.js";

export function advisoryLines(view: ClusterView, style: Style): string[] {
  if (view.members.length === 0) return [];
  const lines = [style.dim(`etcd ${describeVersions(view.members)}`)];
  for (const advisory of view.advisories)
    lines.push(style.warn(`advisory: ${describeAdvisory(advisory, view.members.length)} ${advisory.url}`));
  if (catchUpMarginFor(view) !== undefined)
    lines.push(
      style.dim(
        `defrag waits before each member until every voting member is within ${CATCH_UP_MARGIN} entries of the leader's raft index`,
      ),
    );
  return lines;
}
