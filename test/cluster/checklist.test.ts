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
      viewOf([row("a"), row("b"), row("c", { dbSize: Math.round(1.8 * GiB), dbSizeInUse: 100_000_000 })]),
    );
    expect(statusOf(list.items, "quota headroom")).toBe("warn");
    expect(list.verdict).toBe("defrag-recommended");
  });

  it("a member near the quota that the rule does not pick recommends nothing: a defrag run would leave it", () => {
    const list = buildChecklist(
      viewOf([row("a"), row("b"), row("c", { dbSize: Math.round(1.8 * GiB), dbSizeInUse: 100_000_000 })], {
        rule: "dbSize < 0",
      }),
    );
    expect(list.items.find((i) => i.name === "quota headroom")).toEqual({
      name: "quota headroom",
      status: "warn",
      detail: "172.20.0.4 90.0% of the quota; the rule does not pick it, so defrag leaves it",
      informational: true,
    });
    expect(list.verdict).toBe("go");
  });

  it("quota headroom gives each node its own figure, in the tables' natural node order", () => {
    // View order a (.3), b (.2), c (.4): each at its own share of the 2 GiB quota, mostly free pages.
    const list = buildChecklist(
      viewOf([
        row("a", { dbSize: Math.round(1.7 * GiB), dbSizeInUse: 100_000_000 }),
        row("b", { dbSize: Math.round(1.9 * GiB), dbSizeInUse: 100_000_000 }),
        row("c", { dbSize: Math.round(1.8 * GiB), dbSizeInUse: 100_000_000 }),
      ]),
    );
    const quota = list.items.find((i) => i.name === "quota headroom");
    expect(quota?.status).toBe("warn");
    expect(quota?.detail).toBe(
      "172.20.0.2 95.0%, 172.20.0.3 85.0%, 172.20.0.4 90.0% of the quota; defrag frees it",
    );
    const fragmentation = list.items.find((i) => i.name === "fragmentation (rule)");
    expect(fragmentation?.detail).toBe("defragmentation recommended for 172.20.0.2, 172.20.0.3, 172.20.0.4");
  });

  it("live data near the quota names each node with its own share, in natural order", () => {
    const list = buildChecklist(
      viewOf([
        row("a", { dbSize: Math.round(1.9 * GiB), dbSizeInUse: Math.round(1.7 * GiB) }),
        row("b"),
        row("c", { dbSize: Math.round(1.9 * GiB), dbSizeInUse: Math.round(1.8 * GiB) }),
      ]),
    );
    expect(list.items.find((i) => i.name === "quota headroom")?.detail).toBe(
      "live data: 172.20.0.3 85.0%, 172.20.0.4 90.0% of the quota; defrag cannot help, raise quota-backend-bytes",
    );
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

describe("buildChecklist: the etcd version item", () => {
  const itemOf = (list: ReturnType<typeof buildChecklist>) =>
    list.items.find((i) => i.name === "etcd version");
  const on = (version: string | undefined) => ({ etcdVersion: version ?? null, protocol: version ?? "" });

  it("passes on an etcd without known defrag hazards, naming the version", () => {
    const list = buildChecklist(
      viewOf([row("a", on("3.6.12")), row("b", on("3.6.12")), row("c", on("3.6.12"))]),
    );
    expect(itemOf(list)).toEqual({
      name: "etcd version",
      status: "pass",
      detail: "etcd 3.6.12 on every member: no known defrag hazard",
    });
    expect(list.verdict).toBe("go");
  });

  it.each([
    ["3.5.21", "3.5.23", "Talos v1.10.9 ships 3.5.26"],
    ["3.6.4", "3.6.5", "Talos v1.11.3 ships 3.6.5"],
  ])(
    "warns on %s, naming etcd issue 20271, the fixed etcd %s and the Talos release, and stays go",
    (version, fixed, talos) => {
      const list = buildChecklist(
        viewOf([row("a", on(version)), row("b", on(version)), row("c", on(version))]),
      );
      const item = itemOf(list);
      expect(item?.status).toBe("warn");
      expect(item?.detail).toContain("etcd issue 20271");
      expect(item?.detail).toContain(`Fixed in etcd ${fixed}`);
      expect(item?.detail).toContain(talos);
      expect(item?.detail).toMatch(/within 100 entries of the leader/);
      // A healthy, lean cluster on an affected etcd is still go (exit 0), not "defrag recommended" (exit 4).
      expect(list.verdict).toBe("go");
    },
  );

  it("says unknown when a member's version is unknown", () => {
    const list = buildChecklist(
      viewOf([row("a", on("3.6.12")), row("b", on("3.6.12")), row("c", on(undefined))]),
    );
    expect(itemOf(list)?.status).toBe("warn");
    expect(itemOf(list)?.detail).toMatch(/etcd version unknown on 172\.20\.0\.4/);
    expect(list.verdict).toBe("go");
  });

  it("leaves the verdict to the items that count: fragmentation still recommends a defrag", () => {
    const list = buildChecklist(
      viewOf([
        row("a", on("3.6.4")),
        row("b", on("3.6.4")),
        row("c", { ...on("3.6.4"), dbSize: 1_500_000_000, dbSizeInUse: 47_000_000 }),
      ]),
    );
    expect(list.verdict).toBe("defrag-recommended");
    expect(list.items.filter((i) => i.informational === true).map((i) => i.name)).toEqual(["etcd version"]);
  });
});

// `defrag` never touches a learner: a check that judged one would disagree with the run it stands for (a
// CronJob defragmenting on exit 4 would loop for as long as the learner waits). Issue 18 item 4.
describe("buildChecklist leaves learners out of the verdict", () => {
  const learner = (over: Parameters<typeof row>[1]) => row("c", { isLearner: true, ...over });

  it("a fragmented learner: go, fragmentation does not warn for it", () => {
    const list = buildChecklist(
      viewOf([row("a"), row("b"), learner({ dbSize: 1_500_000_000, dbSizeInUse: 47_000_000 })]),
    );
    expect(list.verdict).toBe("go");
    const item = list.items.find((i) => i.name === "fragmentation (rule)");
    expect(item?.status === "pass" || item?.informational === true, JSON.stringify(item)).toBe(true);
  });

  it("a learner whose live data is near the quota: not no-go", () => {
    const list = buildChecklist(
      viewOf([
        row("a"),
        row("b"),
        learner({ dbSize: Math.round(1.9 * GiB), dbSizeInUse: Math.round(1.8 * GiB) }),
      ]),
    );
    expect(list.verdict).toBe("go");
    expect(statusOf(list.items, "quota headroom")).toBe("pass");
  });

  it("a learner near the quota with free pages: go, no recommendation", () => {
    const list = buildChecklist(
      viewOf([row("a"), row("b"), learner({ dbSize: Math.round(1.8 * GiB), dbSizeInUse: 100_000_000 })], {
        rule: "dbSize < 0",
      }),
    );
    expect(list.verdict).toBe("go");
  });
});

// When no voting member answered, nothing about the cluster is known: no item may pass with "none" (issue 18).
describe("buildChecklist when no voting member answered", () => {
  it("fails the items that would otherwise pass for want of an answer (alarms, leader, errors, lag)", () => {
    const nobody = viewOf([], {
      unreachable: ["a", "b", "c"].map((k) => ({
        node: NODES[k as keyof typeof NODES],
        kind: "permission-denied" as const,
        error: "rpc error: code = PermissionDenied desc = not authorized",
      })),
    });
    const list = buildChecklist(nobody);
    expect(list.verdict).toBe("no-go");
    for (const name of [
      "one agreed leader",
      "no CORRUPT alarm",
      "no NOSPACE alarm",
      "members caught up",
      "no member errors",
    ])
      expect(
        list.items.find((i) => i.name === name),
        name,
      ).toMatchObject({
        status: "fail",
        detail: expect.stringMatching(/unknown/),
      });
  });
});
