/**
 * Did a defrag achieve something? A member "did not shrink" when its file got smaller by less than a tenth
 * (MIN_SHRINK_SHARE) of the bytes it was expected to free, its `dbSizeFree` before the defrag. Such a run is a
 * warning in the report and a metric (run_members_not_shrunk), so a schedule that achieves nothing is visible. Pure.
 */
import { MIN_SHRINK_SHARE } from "../policy.js";
import { formatSize } from "../talos/size.js";
import type { Sizes } from "./types.js";

export function shrankAsExpected(before: Sizes, after: Sizes): boolean {
  const expected = Math.max(0, before.dbSize - before.dbSizeInUse);
  return before.dbSize - after.dbSize >= MIN_SHRINK_SHARE * expected;
}

export function describeNoShrink(node: string, before: Sizes, after: Sizes): string {
  const expected = Math.max(0, before.dbSize - before.dbSizeInUse);
  return `${node}: the database did not shrink as expected (${formatSize(before.dbSize)} -> ${formatSize(after.dbSize)}, ${before.dbSize} -> ${after.dbSize} bytes; ${formatSize(expected)} was free before): the defrag freed less than a tenth of that`;
}
