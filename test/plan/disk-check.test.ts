/** The free-space rule for a defrag's copy, and check's "disk space" item. */
import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import {
  addDiskSpaceItem,
  COPY_HEADROOM_BYTES,
  checkDiskSpace,
  type DiskReading,
  neededForDefrag,
} from "../../src/plan/disk-check.js";
import { SAMPLE_VIEW } from "../metrics/sample-view.js";

const MiB = 1024 * 1024;
const onVar = (availableBytes: number): DiskReading => ({ mountedOn: "/var", availableBytes });

describe("neededForDefrag", () => {
  it.each([
    [0, COPY_HEADROOM_BYTES],
    [10_000_000, 12_000_000 + 64 * MiB],
    [1_000_000_000, 1_200_000_000 + 64 * MiB],
    [2_147_483_648, Math.ceil(2_147_483_648 * 1.2) + 64 * MiB],
  ])("%d bytes in use need %d free", (inUse, needed) => {
    expect(neededForDefrag(inUse)).toBe(needed);
  });
});

describe("checkDiskSpace", () => {
  const inUse = 500_000_000;
  const needed = neededForDefrag(inUse);
  it.each([
    ["plenty", onVar(10_000_000_000), "ok"],
    ["exactly enough", onVar(needed), "ok"],
    ["one byte short", onVar(needed - 1), "short"],
    ["a full volume", onVar(0), "short"],
    ["no reading", null, "unknown"],
    ["not read at all", undefined, "unknown"],
  ] as const)("%s: %s", (_name, disk, kind) => {
    expect(checkDiskSpace(inUse, disk).kind).toBe(kind);
  });

  it("says where: the mount point comes with the verdict", () => {
    expect(checkDiskSpace(inUse, { mountedOn: "/var/lib/etcd", availableBytes: 1 })).toMatchObject({
      kind: "short",
      mountedOn: "/var/lib/etcd",
      neededBytes: needed,
      availableBytes: 1,
    });
  });
});

describe("check's disk space item", () => {
  // SAMPLE_VIEW: .3 leader (4.5 MB live), .4 bloated follower (47 MB live), .2 learner (4.5 MB live).
  const view: ClusterView = SAMPLE_VIEW;
  const base = buildChecklist(view);
  const volumes = (entries: [string, number][]) =>
    new Map(entries.map(([node, free]) => [node, onVar(free)]));

  it("passes when every member has room, keeping the verdict", () => {
    const checklist = addDiskSpaceItem(
      base,
      view,
      volumes([
        ["172.20.0.2", 7e9],
        ["172.20.0.3", 7e9],
        ["172.20.0.4", 7e9],
      ]),
    );
    expect(checklist.items.at(-1)).toMatchObject({ name: "disk space", status: "pass" });
    expect(checklist.verdict).toBe(base.verdict);
  });

  it("fails (no-go) when a member is short, naming node, need, mount point and what is free", () => {
    const checklist = addDiskSpaceItem(
      base,
      view,
      volumes([
        ["172.20.0.2", 7e9],
        ["172.20.0.3", 7e9],
        ["172.20.0.4", 30_000_000],
      ]),
    );
    expect(checklist.verdict).toBe("no-go");
    expect(checklist.items.at(-1)).toEqual({
      name: "disk space",
      status: "fail",
      detail: "172.20.0.4: a defrag needs 124 MB free on /var, 30 MB available",
    });
  });

  it("only warns when free space is unknown, and does not change the verdict", () => {
    const healthy: ClusterView = { ...view, unreachable: [], alarms: [], healthy: true, problems: [] };
    const go = buildChecklist(healthy);
    const checklist = addDiskSpaceItem(go, healthy, volumes([["172.20.0.3", 7e9]]));
    expect(checklist.items.at(-1)).toEqual({
      name: "disk space",
      status: "warn",
      detail: "free space unknown on 172.20.0.4: not checked", // .2, the learner, is left out
    });
    expect(checklist.verdict).toBe(go.verdict);
  });
});

describe("check's disk space item leaves learners out (issue 18)", () => {
  // SAMPLE_VIEW's .2 is a learner: defrag never touches it, so its disk never decides the verdict.
  const healthy: ClusterView = { ...SAMPLE_VIEW, unreachable: [], alarms: [], healthy: true, problems: [] };
  const go = buildChecklist(healthy);
  const volumes = (entries: [string, number][]) =>
    new Map(entries.map(([node, free]) => [node, onVar(free)]));

  it("a learner short of disk: not no-go, and not named as short", () => {
    const checklist = addDiskSpaceItem(
      go,
      healthy,
      volumes([
        ["172.20.0.2", 1_000],
        ["172.20.0.3", 7e9],
        ["172.20.0.4", 7e9],
      ]),
    );
    expect(checklist.verdict).toBe(go.verdict);
    expect(checklist.items.at(-1)?.status).not.toBe("fail");
  });
});
