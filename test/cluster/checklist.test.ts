import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../src/cluster/checklist.js";
import { GiB, IDS, NODES, statusRow as row, viewOf } from "./builders.js";

const statusOf = (items: { name: string; status: string }[], name: string) =>
  items.find((i) => i.name === name)?.status;

describe("buildChecklist", () => {
  it("given a healthy lean cluster, says go with every item passing", () => {
    const list = buildChecklist(viewOf([row("a"), row("b"), row("c")]));
    expect(list.verdict).toBe("go");
    expect(list.items.every((i) => i.status === "pass")).toBe(true);
  });

  it("given a healthy but fragmented member, recommends defragmentation", () => {
    const list = buildChecklist(
      viewOf([row("a"), row("b"), row("c", { dbSize: 1_500_000_000, dbSizeInUse: 47_000_000 })]),
    );
    expect(list.verdict).toBe("defrag-recommended");
    expect(statusOf(list.items, "fragmentation (rule)")).toBe("warn");
  });

  it("given a member near the quota with mostly free pages, warns that defrag frees it", () => {
    const list = buildChecklist(
      viewOf([row("a"), row("b"), row("c", { dbSize: Math.round(1.8 * GiB), dbSizeInUse: 100_000_000 })], {
        rule: "dbSize < 0",
      }),
    );
    expect(statusOf(list.items, "quota headroom")).toBe("warn");
    expect(list.verdict).toBe("defrag-recommended");
  });

  it("given live data near the quota, says no-go because defrag cannot help", () => {
    const list = buildChecklist(
      viewOf([
        row("a"),
        row("b"),
        row("c", { dbSize: Math.round(1.9 * GiB), dbSizeInUse: Math.round(1.8 * GiB) }),
      ]),
    );
    expect(statusOf(list.items, "quota headroom")).toBe("fail");
    expect(list.verdict).toBe("no-go");
  });

  const failing: { item: string; view: () => ReturnType<typeof viewOf> }[] = [
    {
      item: "every member answers",
      view: () =>
        viewOf([row("a"), row("b")], {
          unreachable: [{ node: NODES.c, error: "rpc error: code = Unavailable" }],
        }),
    },
    {
      item: "no CORRUPT alarm",
      view: () =>
        viewOf([row("a"), row("b"), row("c")], {
          alarms: [{ node: NODES.a, memberId: IDS.b, alarm: "CORRUPT" }],
        }),
    },
    {
      item: "no NOSPACE alarm",
      view: () =>
        viewOf([row("a"), row("b"), row("c")], {
          alarms: [{ node: NODES.a, memberId: IDS.b, alarm: "NOSPACE" }],
        }),
    },
    {
      item: "one agreed leader",
      view: () =>
        viewOf([row("a", { leaderId: null }), row("b", { leaderId: null }), row("c", { leaderId: null })]),
    },
    {
      item: "members caught up",
      view: () => viewOf([row("a", { raftIndex: 90_000, raftAppliedIndex: 90_000 }), row("b"), row("c")]),
    },
  ];

  it.each(failing)("fails '$item' and says no-go", ({ item, view }) => {
    const list = buildChecklist(view());
    expect(statusOf(list.items, item)).toBe("fail");
    expect(list.verdict).toBe("no-go");
  });

  it("warns about a learner without refusing", () => {
    const list = buildChecklist(viewOf([row("a"), row("b"), row("c", { isLearner: true })]));
    expect(statusOf(list.items, "voting members only")).toBe("warn");
    expect(list.verdict).toBe("go");
  });
});
