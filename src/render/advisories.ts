/**
 * Below the status table and in a run's output: which etcd the members run, and its known defrag hazards. By
 * default one line each (several on the same members share one: briefAdvisories); with `-o wide` each in full,
 * as `check`'s "etcd version" item says it, with the catch-up rule on a line of its own.
 */
import { briefAdvisories, catchUpMarginFor, describeAdvisory } from "../cluster/advisories.js";
import type { ClusterView } from "../cluster/types.js";
import { describeVersions } from "../cluster/versions.js";
import { CATCH_UP_MARGIN } from "../policy.js";
import type { Style } from "./style.js";
import { wrapText } from "./text.js";

/** `width`: wrap to the table's width (undefined: a pipe, one line each). `wide`: the full text. */
export function advisoryLines(view: ClusterView, style: Style, width?: number, wide = false): string[] {
  if (view.members.length === 0) return [];
  const paint = (lines: string[], how: (t: string) => string) => lines.map((line) => how(line));
  const lines = [style.dim(`etcd ${describeVersions(view.members)}`)];
  if (!wide) {
    for (const brief of briefAdvisories(view.advisories, view.members.length))
      lines.push(...paint(wrapText(brief, width, "  "), style.warn));
    return lines;
  }
  for (const advisory of view.advisories) {
    const text = `advisory: ${describeAdvisory(advisory, view.members.length)} ${advisory.url}`;
    lines.push(...paint(wrapText(text, width, "  "), style.warn));
  }
  if (catchUpMarginFor(view) !== undefined) {
    const rule = `defrag waits before each member until every voting member is within ${CATCH_UP_MARGIN} entries of the leader's raft index`;
    lines.push(...paint(wrapText(rule, width, "  "), style.dim));
  }
  return lines;
}
