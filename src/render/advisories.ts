/** Below the status table: which etcd the members run, and each known defrag hazard of those versions. */
import { catchUpMarginFor, describeAdvisory } from "../cluster/advisories.js";
import type { ClusterView } from "../cluster/types.js";
import { describeVersions } from "../cluster/versions.js";
import { CATCH_UP_MARGIN } from "../policy.js";
import type { Style } from "./style.js";
import { wrapText } from "./text.js";

/** `width`: wrap each advisory to the table's width (undefined: one line each, as `-o wide` does). */
export function advisoryLines(view: ClusterView, style: Style, width?: number): string[] {
  if (view.members.length === 0) return [];
  const lines = [style.dim(`etcd ${describeVersions(view.members)}`)];
  for (const advisory of view.advisories) {
    const text = `advisory: ${describeAdvisory(advisory, view.members.length)} ${advisory.url}`;
    lines.push(...wrapText(text, width, "  ").map((line) => style.warn(line)));
  }
  if (catchUpMarginFor(view) !== undefined) {
    const rule = `defrag waits before each member until every voting member is within ${CATCH_UP_MARGIN} entries of the leader's raft index`;
    lines.push(...wrapText(rule, width, "  ").map((line) => style.dim(line)));
  }
  return lines;
}
