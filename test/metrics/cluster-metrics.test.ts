import { describe, expect, test } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import { renderClusterMetrics } from "../../src/metrics/cluster-metrics.js";
import { CLUSTER_METRICS, MEMBER_METRICS } from "../../src/metrics/names.js";
import { nameOf, parseExposition } from "./parse-exposition.js";
import { SAMPLE_NOW, SAMPLE_VIEW } from "./sample-view.js";

const LEADER = 'node="172.20.0.3",member_id="ecebb05b59a776f1"';
const BLOATED = 'node="172.20.0.4",member_id="0b47fb33e59bf0e2"';
const LEARNER = 'node="172.20.0.2",member_id="a49c021e76e707db"';

describe("renderClusterMetrics", () => {
  const text = renderClusterMetrics(SAMPLE_VIEW, "defrag", SAMPLE_NOW);
  const parsed = parseExposition(text);
  /** Every series of a file written by defrag carries command="defrag", after its own labels. */
  const sample = (name: string, labels = "") =>
    parsed.samples.get(`${name}{${labels === "" ? "" : `${labels},`}command="defrag"}`);

  test("per member sizes, quota ratio and flags carry node, member_id and command labels", () => {
    expect(sample(MEMBER_METRICS.dbSize, BLOATED)).toBe(1_500_000_000);
    expect(sample(MEMBER_METRICS.dbSizeInUse, BLOATED)).toBe(47_000_000);
    expect(sample(MEMBER_METRICS.dbSizeFree, BLOATED)).toBe(1_453_000_000);
    expect(sample(MEMBER_METRICS.quotaUsage, BLOATED)).toBe(0.6985);
    expect(sample(MEMBER_METRICS.defragRecommended, BLOATED)).toBe(1);
    expect(sample(MEMBER_METRICS.defragRecommended, LEADER)).toBe(0);
    expect(sample(MEMBER_METRICS.leader, LEADER)).toBe(1);
    expect(sample(MEMBER_METRICS.leader, BLOATED)).toBe(0);
    expect(sample(MEMBER_METRICS.learner, LEARNER)).toBe(1);
    expect(sample(MEMBER_METRICS.learner, LEADER)).toBe(0);
    expect(sample(MEMBER_METRICS.dbSize, LEADER)).toBe(21_000_000);
  });

  test("etcd's RSS and the free disk beside its data, only for members where they were read", () => {
    expect(sample(MEMBER_METRICS.rssBytes, BLOATED)).toBe(1_700_000_000);
    expect(sample(MEMBER_METRICS.rssBytes, LEADER)).toBe(95_000_000);
    expect(sample(MEMBER_METRICS.diskAvailableBytes, BLOATED)).toBe(30_000_000);
    expect(sample(MEMBER_METRICS.rssBytes, LEARNER)).toBeUndefined();
    expect(sample(MEMBER_METRICS.diskAvailableBytes, LEARNER)).toBeUndefined();
    const unread = SAMPLE_VIEW.members.map(({ rssBytes: _r, diskAvailableBytes: _d, ...m }) => m);
    const without = renderClusterMetrics({ ...SAMPLE_VIEW, members: unread }, "defrag", SAMPLE_NOW);
    expect(without).not.toContain(MEMBER_METRICS.rssBytes);
  });

  test("cluster gauges: members, unreachable nodes, health, quota with its source, check time", () => {
    expect(sample(CLUSTER_METRICS.members)).toBe(3);
    expect(sample(CLUSTER_METRICS.unreachableNodes)).toBe(1);
    expect(sample(CLUSTER_METRICS.healthy)).toBe(0);
    expect(sample(CLUSTER_METRICS.quota, 'source="default"')).toBe(2_147_483_648);
    expect(sample(CLUSTER_METRICS.lastCheck)).toBe(SAMPLE_NOW.getTime() / 1000);
  });

  test("alarms count members once each, and CORRUPT/NOSPACE are always present", () => {
    expect(sample(CLUSTER_METRICS.alarmsActive, 'alarm="NOSPACE"')).toBe(1);
    expect(sample(CLUSTER_METRICS.alarmsActive, 'alarm="CORRUPT"')).toBe(0);
    const calm = parseExposition(renderClusterMetrics({ ...SAMPLE_VIEW, alarms: [] }, "defrag", SAMPLE_NOW));
    expect(calm.samples.get(`${CLUSTER_METRICS.alarmsActive}{alarm="NOSPACE",command="defrag"}`)).toBe(0);
    const odd = renderClusterMetrics(
      {
        ...SAMPLE_VIEW,
        alarms: [
          { memberId: "1", alarm: "CORRUPT" },
          { memberId: "2", alarm: "CORRUPT" },
        ],
      },
      "defrag",
      SAMPLE_NOW,
    );
    expect(
      parseExposition(odd).samples.get(`${CLUSTER_METRICS.alarmsActive}{alarm="CORRUPT",command="defrag"}`),
    ).toBe(2);
  });

  test("every family has HELP and TYPE gauge before its samples, in base units, never _total", () => {
    expect(parsed.order.length).toBe(
      Object.keys(MEMBER_METRICS).length + Object.keys(CLUSTER_METRICS).length,
    );
    for (const name of parsed.order) {
      expect(parsed.types.get(name)).toBe("gauge");
      expect(parsed.helps.get(name)?.length).toBeGreaterThan(10);
      expect(name).toMatch(/^talos_etcd_defrag_[a-z_]+$/);
      expect(name).not.toMatch(/_total$/);
    }
    const lines = text.trimEnd().split("\n");
    for (const [index, line] of lines.entries()) {
      if (line.startsWith("#")) continue;
      const name = nameOf(line.split(" ")[0] ?? "");
      const header = lines
        .slice(0, index)
        .reverse()
        .find((l) => l.startsWith("# TYPE"));
      expect(header).toBe(`# TYPE ${name} gauge`);
    }
    expect(text.endsWith("\n")).toBe(true);
  });

  test("output is byte-identical whatever order members and alarms arrive in", () => {
    const shuffled: ClusterView = {
      ...SAMPLE_VIEW,
      members: [...SAMPLE_VIEW.members].reverse(),
      alarms: [...SAMPLE_VIEW.alarms].reverse(),
    };
    expect(renderClusterMetrics(shuffled, "defrag", SAMPLE_NOW)).toBe(text);
  });

  test("a view without members still reports the cluster gauges and no empty families", () => {
    const empty = renderClusterMetrics({ ...SAMPLE_VIEW, members: [], healthy: false }, "defrag", SAMPLE_NOW);
    const emptyParsed = parseExposition(empty);
    expect(emptyParsed.samples.get(`${CLUSTER_METRICS.members}{command="defrag"}`)).toBe(0);
    expect(empty).not.toContain(MEMBER_METRICS.dbSize);
  });

  test.each(["status", "check", "defrag"] as const)(
    "every series written by %s carries command=<it>, so the files of two commands never share a series",
    (command) => {
      const own = parseExposition(renderClusterMetrics(SAMPLE_VIEW, command, SAMPLE_NOW));
      expect(own.samples.size).toBeGreaterThan(20);
      for (const key of own.samples.keys()) expect(key).toMatch(new RegExp(`[{,]command="${command}"}$`));
    },
  );

  test("a leadership change keeps every series: per-member labels are node, member_id and command only", () => {
    const moved: ClusterView = {
      ...SAMPLE_VIEW,
      members: SAMPLE_VIEW.members.map((m) => ({ ...m, isLeader: m.node === "172.20.0.4" })),
      leader: { node: "172.20.0.4", memberId: "0b47fb33e59bf0e2" },
    };
    const after = parseExposition(renderClusterMetrics(moved, "defrag", SAMPLE_NOW));
    expect([...after.samples.keys()].sort()).toEqual([...parsed.samples.keys()].sort());
    // The role is a value now: one 0/1 gauge for leader, one for learner.
    expect(after.samples.get(`${MEMBER_METRICS.leader}{${BLOATED},command="defrag"}`)).toBe(1);
    expect(after.samples.get(`${MEMBER_METRICS.leader}{${LEADER},command="defrag"}`)).toBe(0);
    for (const key of parsed.samples.keys()) {
      if (!key.startsWith("talos_etcd_defrag_member_")) continue;
      const names = [...key.matchAll(/([a-z_]+)="/g)].map((m) => m[1]);
      expect(names, key).toEqual(["node", "member_id", "command"]);
    }
  });

  test("label values are escaped: backslash, double quote, newline", () => {
    const member = SAMPLE_VIEW.members[0];
    if (member === undefined) throw new Error("sample view has members");
    const view: ClusterView = { ...SAMPLE_VIEW, members: [{ ...member, node: 'cp\\1 "a"\nb' }] };
    const out = renderClusterMetrics(view, "defrag", SAMPLE_NOW);
    expect(out).toContain(
      '{node="cp\\\\1 \\"a\\"\\nb",member_id="ecebb05b59a776f1",command="defrag"} 21000000',
    );
    expect(out.split("\n").every((line) => !line.startsWith("b"))).toBe(true);
  });
});
