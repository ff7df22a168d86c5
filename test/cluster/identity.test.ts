/** What names a cluster: the member list's IDs, the same whichever nodes were asked (lock and snapshot label). */
import { describe, expect, it } from "vitest";
import { clusterMemberIds } from "../../src/cluster/identity.js";
import { defaultSnapshotLabel } from "../../src/run/snapshot.js";
import { IDS, statusRow as row, viewOf as view } from "./builders.js";

describe("clusterMemberIds", () => {
  const all = view([row("a"), row("b"), row("c")]);
  // [which nodes answered status]
  const selections: [string, ReturnType<typeof view>][] = [
    ["all three", all],
    ["one follower", view([row("b")])],
    ["the leader alone", view([row("a")])],
    ["two, in answer order", view([row("c"), row("b")])],
  ];
  it.each(selections)("%s: the member list's IDs, sorted, and one snapshot label", (_, v) => {
    expect(v.clusterMemberIds).toEqual([IDS.a, IDS.b, IDS.c].sort());
    expect(clusterMemberIds(v)).toEqual([IDS.a, IDS.b, IDS.c].sort());
    expect(defaultSnapshotLabel(v)).toBe(defaultSnapshotLabel(all));
  });

  it("without a member list, the members that reported status still name it", () => {
    const v = { ...view([row("b")]), clusterMemberIds: [] };
    expect(clusterMemberIds(v)).toEqual([IDS.b]);
  });
});
