/**
 * `check --upgrade-to`, the pure part: VERSION forms (release or installer image), the etcd upgrade-path rules
 * and the items built from a view. The CLI side is test/cli/check-upgrade.test.ts.
 */
import { describe, expect, it } from "vitest";
import { findTalosRelease, parseTalosRelease, type TalosRelease } from "../../src/cluster/talos-releases.js";
import type { MemberView } from "../../src/cluster/types.js";
import { upgradeItems } from "../../src/cluster/upgrade-items.js";
import { findRoute, judgeEtcdPath } from "../../src/cluster/upgrade-path.js";
import { parseUpgradeTarget } from "../../src/cluster/upgrade-target.js";

const SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

describe("--upgrade-to forms", () => {
  it.each([
    ["v1.11.3", [1, 11, 3]],
    ["1.11.3", [1, 11, 3]],
    ["ghcr.io/siderolabs/installer:v1.11.3", [1, 11, 3]],
    ["ghcr.io/siderolabs/installer:1.10.9", [1, 10, 9]],
    [`factory.talos.dev/installer/${SCHEMATIC}:v1.11.3`, [1, 11, 3]],
    [`factory.talos.dev/metal-installer/${SCHEMATIC}:v1.12.0`, [1, 12, 0]],
    [`factory.talos.dev/installer-secureboot/${SCHEMATIC}:v1.11.3`, [1, 11, 3]],
    ["registry.local:5000/mirror/siderolabs/installer:v1.11.3", [1, 11, 3]],
    [`ghcr.io/siderolabs/installer:v1.11.3@sha256:${"a".repeat(64)}`, [1, 11, 3]],
  ])("%s names Talos %j", (text, version) => {
    expect(parseUpgradeTarget(text)).toEqual({ input: text, version });
  });

  it.each([
    "latest",
    "v1.11",
    "v1.14.0-rc.1",
    "ghcr.io/siderolabs/installer:latest",
    "ghcr.io/siderolabs/installer",
    `ghcr.io/siderolabs/installer@sha256:${"a".repeat(64)}`,
    "ghcr.io/siderolabs/talos:v1.11.3",
    "siderolabs/installer:v1.11.3",
    "factory.talos.dev/installer/not-a-schematic:v1.11.3",
    "registry.k8s.io/etcd:v3.6.5",
    "",
  ])("%j is not an accepted form", (text) => {
    expect(parseUpgradeTarget(text)).toBeNull();
  });
});

const release = (name: string): TalosRelease => {
  const found = findTalosRelease(parseTalosRelease(name) ?? [0, 0, 0]);
  if (found === undefined) throw new Error(`${name} is not in the table`);
  return found;
};
const judge = (from: string | null, to: string) => judgeEtcdPath(from, release(to));
const names = (route: readonly { release: string; etcd: string }[] | null) =>
  route?.map((s) => `${s.release}=${s.etcd}`) ?? null;

describe("etcd upgrade path", () => {
  it.each<[string | null, string, string, string]>([
    ["3.5.21", "v1.10.9", "pass", "same-minor"],
    ["3.6.5", "v1.11.3", "pass", "no-change"],
    ["3.6.5", "v1.11.1", "warn", "patch-downgrade"],
    ["3.5.26", "v1.11.1", "pass", "next-minor"],
    ["3.5.26", "v1.11.3", "pass", "next-minor"],
    ["3.4.23", "v1.10.0", "pass", "next-minor"],
    ["3.6.5", "v1.13.9", "pass", "same-minor"],
    ["3.6.5", "v1.14.1", "pass", "next-minor"],
    ["3.5.21", "v1.14.1", "fail", "skipped-minor"],
    // etcd 20967 (zombie members): 3.6 only from 3.5.26 on; 19557's 3.5.20 is not enough.
    ["3.5.25", "v1.11.3", "fail", "etcd-20967"],
    ["3.5.21", "v1.11.3", "fail", "etcd-20967"],
    ["3.5.20", "v1.11.1", "fail", "etcd-20967"],
    ["3.5.0", "v1.11.3", "fail", "etcd-20967"],
    ["3.5.1", "v1.11.3", "fail", "etcd-20967"],
    ["3.5.18", "v1.11.1", "fail", "etcd-20967"],
    ["3.5.19", "v1.13.9", "fail", "etcd-20967"],
    ["3.4.23", "v1.11.3", "fail", "skipped-minor"],
    ["3.6.5", "v1.10.9", "fail", "downgrade"],
    [null, "v1.11.3", "fail", "unknown"],
  ])("%s -> %s is %s (%s)", (from, to, status, rule) => {
    expect(judge(from, to)).toMatchObject({ from, to: release(to).etcd, status, rule });
  });

  it("a no-op upgrade and an older patch are not called the same minor", () => {
    expect(judge("3.6.5", "v1.11.3").reason).toBe("etcd 3.6.5 -> 3.6.5: no change to etcd");
    expect(judge("3.6.5", "v1.11.1").reason).toBe(
      "etcd 3.6.5 -> 3.6.4: an older patch of the same minor: etcd allows it, but the fixes of 3.6.5 are lost",
    );
    expect(judge("3.5.21", "v1.10.9").reason).toBe("etcd 3.5.21 -> 3.5.26: a newer patch");
  });

  it("3.5.21 -> v1.11.3 goes through v1.10.9 (etcd 20967), each step with its etcd and reason, a snapshot first", () => {
    const j = judge("3.5.21", "v1.11.3");
    expect(j.issues).toEqual([20967]);
    expect(j.route).toEqual([
      {
        release: "v1.10.9",
        etcd: "3.5.26",
        reason: "a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967",
      },
      { release: "v1.11.3", etcd: "3.6.5", reason: "the next minor; the target" },
    ]);
    expect(j.reason).toBe(
      "etcd 3.5.21 -> 3.6.5: etcd issue 20967: members removed long ago can come back in etcd 3.6 and join the quorum (zombie members); take a snapshot before each step: v1.10.9 (etcd 3.5.26: a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967), then v1.11.3 (etcd 3.6.5: the next minor; the target)",
    );
  });

  it("names both 20967 and 19557 for 3.5.1-3.5.19 -> 3.6, and the way round", () => {
    const j = judge("3.5.18", "v1.11.1");
    expect(j.issues).toEqual([20967, 19557]);
    expect(j.reason).toMatch(
      /^etcd 3\.5\.18 -> 3\.6\.4: etcd issue 20967\/19557: .*zombie members.*too many learner member in cluster"; take a snapshot before each step: v1\.10\.9 /,
    );
    expect(names(j.route)).toEqual(["v1.10.9=3.5.26", "v1.11.1=3.6.4"]);
  });

  it.each<[string, string, string[]]>([
    ["3.4.23", "v1.11.3", ["v1.10.9=3.5.26", "v1.11.3=3.6.5"]],
    ["3.5.8", "v1.12.0", ["v1.10.9=3.5.26", "v1.12.0=3.6.7"]],
    ["3.4.23", "v1.10.5", ["v1.10.5=3.5.21"]],
    ["3.5.26", "v1.13.9", ["v1.13.9=3.6.12"]],
    ["3.5.21", "v1.14.1", ["v1.10.9=3.5.26", "v1.13.9=3.6.12", "v1.14.1=3.7.1"]],
    ["3.6.4", "v1.14.1", ["v1.14.1=3.7.1"]],
  ])("the shortest safe route from %s to %s: %j", (from, to, route) => {
    expect(names(judge(from, to).route)).toEqual(route);
  });

  it("a skipped minor says which and gives the way one minor at a time", () => {
    const j = judge("3.4.23", "v1.11.3");
    expect(j.reason).toMatch(
      /^etcd 3\.4\.23 -> 3\.6\.5 skips etcd 3\.5: etcd upgrades one minor at a time; take a snapshot before each step: v1\.10\.9 \(etcd 3\.5\.26: the next minor; etcd 3\.5\.26 or later before 3\.6, etcd issue 20967\), then v1\.11\.3/,
    );
    expect(judge("3.6.5", "v1.10.9").reason).toMatch(/downgrade procedure/);
    expect(judge("3.6.5", "v1.10.9").route).toBeNull();
  });

  it("never stops on a release whose etcd has a known defrag hazard (etcd 20271 on 3.6.4), never goes back", () => {
    const table = (...pairs: [string, string][]): TalosRelease[] =>
      pairs.map(([name, etcd]) => ({ name, etcd, version: parseTalosRelease(name) ?? [0, 0, 0] }));
    const target = { name: "v1.14.1", etcd: "3.7.1", version: [1, 14, 1] as const };
    // 3.5.26 -> 3.7.1 needs a 3.6 stop; the only one ships 3.6.4 (20271): none.
    expect(findRoute("3.5.26", target, table(["v1.11.0", "3.6.4"]))).toBeNull();
    expect(
      findRoute("3.5.26", target, table(["v1.11.0", "3.6.4"], ["v1.11.3", "3.6.5"]))?.map((r) => r.name),
    ).toEqual(["v1.11.3", "v1.14.1"]);
    // A stop must be older than the target and newer than the stop before it.
    expect(findRoute("3.5.26", target, table(["v1.15.0", "3.6.20"]))).toBeNull();
    expect(findRoute("3.5.21", target, table(["v1.10.9", "3.5.26"], ["v1.9.9", "3.6.12"]))).toBeNull();
    const far = judgeEtcdPath("3.5.21", { name: "v1.99.0", etcd: "3.7.1", version: [1, 99, 0] });
    expect(names(far.route)).toEqual(["v1.10.9=3.5.26", "v1.13.9=3.6.12", "v1.99.0=3.7.1"]);
    expect(far.route?.[1]?.reason).toBe("the next minor; etcd 3.6 before 3.7: one minor at a time");
  });
});

function member(node: string, etcdVersion: string | null, extra: Partial<MemberView> = {}): MemberView {
  return {
    node,
    memberId: node.replace(/\D/g, "").padStart(16, "0"),
    isLeader: false,
    isLearner: false,
    dbSize: 100e6,
    dbSizeInUse: 50e6,
    dbSizeFree: 50e6,
    inUseRatio: 0.5,
    quotaUsage: 0.05,
    raftIndex: 1,
    raftTerm: 1,
    raftAppliedIndex: 1,
    errors: [],
    otherErrors: [],
    defragRecommended: false,
    etcdVersion,
    ...extra,
  };
}

const three = (v: string | null) => ({
  members: ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((n) => member(n, v)),
});
const target = (text: string) => {
  const t = parseUpgradeTarget(text);
  if (t === null) throw new Error(text);
  return t;
};

describe("upgrade items", () => {
  it("3.5.18 -> v1.11.1 fails both the target etcd (20271, choose v1.11.3) and the path (19557)", () => {
    const { items, upgrade } = upgradeItems(three("3.5.18"), target("v1.11.1"));
    const [t, p, r] = items;
    expect(t).toMatchObject({ name: "target etcd", status: "fail" });
    expect(t?.detail).toMatch(
      /^v1\.11\.1 ships etcd 3\.6\.4: etcd issue 20271: .*\(fixed in etcd 3\.6\.5\): choose v1\.11\.3 or later$/,
    );
    expect(p).toMatchObject({ name: "etcd upgrade path", status: "fail" });
    expect(p?.detail).toMatch(
      /etcd issue 20967\/19557.*take a snapshot before each step: v1\.10\.9 \(etcd 3\.5\.26: .*\), then v1\.11\.1 \(etcd 3\.6\.4: the next minor; the target\)$/,
    );
    expect(r).toMatchObject({ name: "rolling reboots", status: "pass" });
    expect(upgrade).toMatchObject({
      target: "v1.11.1",
      release: "v1.11.1",
      known: true,
      etcdVersion: "3.6.4",
      freeRelease: "v1.11.3",
      votingMembers: 3,
      toleratesDown: 1,
      learners: [],
    });
    expect(upgrade.advisories.map((a) => a.id)).toEqual(["etcd-io/etcd#20271"]);
    expect(upgrade.path).toEqual([
      expect.objectContaining({
        from: "3.5.18",
        to: "3.6.4",
        status: "fail",
        rule: "etcd-20967",
        issues: [20967, 19557],
        route: [
          expect.objectContaining({ release: "v1.10.9", etcd: "3.5.26" }),
          expect.objectContaining({ release: "v1.11.1", etcd: "3.6.4" }),
        ],
        nodes: three("").members.map((m) => m.node),
      }),
    ]);
  });

  it("3.5.21 -> v1.11.3 fails the path (etcd 20967) and names the way through v1.10.9", () => {
    const { items, upgrade } = upgradeItems(three("3.5.21"), target("ghcr.io/siderolabs/installer:v1.11.3"));
    expect(items.map((i) => i.status)).toEqual(["pass", "fail", "pass"]);
    expect(items[1]?.detail).toMatch(
      /^etcd 3\.5\.21 -> 3\.6\.5: etcd issue 20967: .*take a snapshot before each step: v1\.10\.9 \(etcd 3\.5\.26: .*\), then v1\.11\.3 \(etcd 3\.6\.5: the next minor; the target\)$/,
    );
    expect(upgrade.path.map((p) => p.route?.map((s) => s.release))).toEqual([["v1.10.9", "v1.11.3"]]);
  });

  it("3.5.26 -> v1.11.3 passes both", () => {
    const { items, upgrade } = upgradeItems(three("3.5.26"), target("ghcr.io/siderolabs/installer:v1.11.3"));
    expect(items.map((i) => i.status)).toEqual(["pass", "pass", "pass"]);
    expect(items[0]?.detail).toBe("v1.11.3 ships etcd 3.6.5: no known defrag hazard");
    expect(upgrade).toMatchObject({
      release: "v1.11.3",
      etcdVersion: "3.6.5",
      advisories: [],
      freeRelease: null,
    });
  });

  it("a target whose line has no hazard-free release names the next line's", () => {
    const { items } = upgradeItems(three("3.5.16"), target("v1.9.2"));
    expect(items[0]?.detail).toMatch(/choose v1\.10\.9 or later \(no later v1\.9 release is free of it\)$/);
  });

  it("an unknown release fails the target item, says so, and leaves the path unchecked", () => {
    const { items, upgrade } = upgradeItems(three("3.6.5"), target("v1.14.0"));
    expect(items[0]).toMatchObject({ status: "fail" });
    expect(items[0]?.detail).toMatch(
      /^v1\.14\.0 is unknown: not in this tool's table of Talos releases \(v1\.4\.0–v1\.14\.1\)/,
    );
    expect(items[1]).toMatchObject({ status: "warn", informational: true });
    expect(upgrade).toMatchObject({ known: false, etcdVersion: null, path: [], advisories: [] });
  });

  it("mixed versions: only the failing step is shown, with its nodes", () => {
    const view = {
      members: [member("10.0.0.1", "3.5.26"), member("10.0.0.2", "3.5.19"), member("10.0.0.3", "3.5.26")],
    };
    const { items, upgrade } = upgradeItems(view, target("v1.11.3"));
    expect(items[1]?.status).toBe("fail");
    expect(items[1]?.detail).toMatch(/^etcd 3\.5\.19 -> 3\.6\.5: etcd issue 20967\/19557.* \(10\.0\.0\.2\)$/);
    expect(upgrade.path.map((p) => [p.from, p.status, p.nodes])).toEqual([
      ["3.5.26", "pass", ["10.0.0.1", "10.0.0.3"]],
      ["3.5.19", "fail", ["10.0.0.2"]],
    ]);
  });

  it("an older etcd patch warns on the path without changing the verdict (informational)", () => {
    const { items } = upgradeItems(three("3.6.5"), target("v1.11.1"));
    expect(items[1]).toMatchObject({ status: "warn", informational: true });
    expect(items[1]?.detail).toMatch(/an older patch of the same minor/);
  });

  it.each<[string, MemberView[], string, RegExp]>([
    [
      "one voter",
      [member("10.0.0.1", "3.6.5")],
      "warn",
      /with 1 voting member etcd tolerates 0 down, so etcd is unavailable/,
    ],
    [
      "two voters",
      [member("10.0.0.1", "3.6.5"), member("10.0.0.2", "3.6.5")],
      "warn",
      /2 voting members etcd tolerates 0 down, so etcd loses its quorum/,
    ],
    [
      "five voters",
      ["1", "2", "3", "4", "5"].map((n) => member(`10.0.0.${n}`, "3.6.5")),
      "pass",
      /5 voting members etcd tolerates 2 down/,
    ],
    [
      "a learner",
      [...three("3.6.5").members, member("10.0.0.4", "3.6.5", { isLearner: true })],
      "warn",
      /3 voting members etcd tolerates 1 down; a learner exists \(10\.0\.0\.4\): a control-plane join is in progress/,
    ],
  ])("rolling reboots with %s: %s", (_, members, status, detail) => {
    const item = upgradeItems({ members }, target("v1.11.3")).items[2];
    expect(item?.status).toBe(status);
    expect(item?.detail).toMatch(detail);
    // Neither makes a healthy cluster's check exit 4: there is nothing to defragment about it.
    if (status === "warn") expect(item?.informational).toBe(true);
  });
});
