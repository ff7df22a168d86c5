/**
 * Issue 28 §4: `check --upgrade-to` against real clusters of the etcd versions it judges, each built from etcd's Go
 * modules (scripts/etcd-build): 3.5.21 (Talos v1.10.0–v1.10.8), whose way to 3.6 goes through v1.10.9 (etcd
 * 20967); 3.6.4 (Talos v1.11.0–v1.11.2), which has etcd 20271; 3.7.1 (Talos 1.14). The etcd version each cluster
 * reports is read from the real etcd, not assumed. Without the builds the tests skip loudly; REQUIRE_ETCD=1 (CI)
 * makes that a failure.
 */
import { expect, it } from "vitest";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { UpgradeReport } from "../../src/cluster/upgrade-items.js";
import { parseJson, runCli, snapshotDir } from "./e2e-harness.js";
import { describeOnEtcdBuild } from "./etcd-builds.js";

type CheckDoc = Checklist & { upgrade?: UpgradeReport; status: ClusterView };

async function check(c: Parameters<typeof runCli>[0], target: string) {
  const run = await runCli(c, [
    "-o",
    "json",
    "check",
    "--upgrade-to",
    target,
    "--snapshot-dir",
    snapshotDir(),
  ]);
  const doc = parseJson<CheckDoc>(run);
  return { code: run.code, doc, item: (name: string) => doc.items.find((i) => i.name === name) };
}

const versionsOf = (doc: CheckDoc) => [...new Set(doc.status.members.map((m) => m.etcdVersion))];
/** Every failed item's name: with no snapshot taken, "recent snapshot" fails as well. */
const failed = (doc: CheckDoc) => doc.items.filter((i) => i.status === "fail").map((i) => i.name);

describeOnEtcdBuild(
  "e2e: check --upgrade-to on etcd 3.5.21",
  "3.5.21",
  { release: "v1.10", ips: ["127.0.0.171", "127.0.0.172", "127.0.0.173"] },
  (cluster) => {
    it("3.5.21 -> v1.11.3 is no-go: the path goes through v1.10.9 (etcd 20967), a snapshot before each step", async (ctx) => {
      const c = cluster(ctx);
      const { code, doc, item } = await check(c, "ghcr.io/siderolabs/installer:v1.11.3");
      expect(versionsOf(doc)).toEqual(["3.5.21"]);
      expect(code).toBe(3);
      expect(item("target etcd")).toMatchObject({ status: "pass" });
      expect(item("etcd upgrade path")).toMatchObject({ status: "fail" });
      expect(item("etcd upgrade path")?.detail).toBe(
        "etcd 3.5.21 -> 3.6.5: etcd issue 20967: members removed long ago can come back in etcd 3.6 and join the quorum (zombie members); take a snapshot before each step: v1.10.9 (etcd 3.5.26: a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967), then v1.11.3 (etcd 3.6.5: the next minor; the target)",
      );
      expect(doc.upgrade?.path).toHaveLength(1);
      expect(doc.upgrade?.path[0]).toMatchObject({
        from: "3.5.21",
        to: "3.6.5",
        rule: "etcd-20967",
        issues: [20967],
        route: [
          { release: "v1.10.9", etcd: "3.5.26" },
          { release: "v1.11.3", etcd: "3.6.5" },
        ],
      });
      expect(doc.upgrade?.path[0]?.nodes.slice().sort()).toEqual(c.nodes.slice().sort());
      // The running 3.5.21 has etcd 20271 too: the etcd version item warns, and the stop is v1.10.9, not v1.10.x.
      expect(doc.status.advisories.map((a) => a.id)).toContain("etcd-io/etcd#20271");
      expect(failed(doc)).toEqual(["etcd upgrade path", "recent snapshot"]);
    });

    it("3.5.21 -> v1.10.9 is a newer patch; -> v1.14.1 skips 3.6 and goes through v1.10.9 and a 3.6 release", async (ctx) => {
      const c = cluster(ctx);
      const patch = await check(c, "v1.10.9");
      expect(patch.doc.upgrade?.path[0]).toMatchObject({
        from: "3.5.21",
        rule: "same-minor",
        status: "pass",
      });
      expect(failed(patch.doc)).toEqual(["recent snapshot"]);
      const far = await check(c, "v1.14.1");
      expect(far.doc.upgrade?.path[0]).toMatchObject({ from: "3.5.21", to: "3.7.1", rule: "skipped-minor" });
      expect(far.doc.upgrade?.path[0]?.route?.map((s) => `${s.release}=${s.etcd}`)).toEqual([
        "v1.10.9=3.5.26",
        "v1.13.9=3.6.12",
        "v1.14.1=3.7.1",
      ]);
    });
  },
);

describeOnEtcdBuild(
  "e2e: check --upgrade-to on etcd 3.6.4",
  "3.6.4",
  { release: "v1.13", ips: ["127.0.0.174", "127.0.0.175", "127.0.0.176"] },
  (cluster) => {
    it("a 3.6.4 cluster has the etcd 20271 advisory; v1.11.1 (3.6.4) is no-go for it, v1.11.3 a newer patch", async (ctx) => {
      const c = cluster(ctx);
      const same = await check(c, "v1.11.1");
      expect(versionsOf(same.doc)).toEqual(["3.6.4"]);
      const advisory = same.doc.status.advisories.find((a) => a.id === "etcd-io/etcd#20271");
      expect(advisory?.members.map((m) => m.node).sort()).toEqual(c.nodes.slice().sort());
      expect(same.item("etcd version")).toMatchObject({ status: "warn" });
      expect(same.item("etcd version")?.detail).toMatch(
        /^etcd issue 20271 affects etcd 3\.6\.4 on every member/,
      );
      expect(same.item("target etcd")?.detail).toMatch(
        /^v1\.11\.1 ships etcd 3\.6\.4: etcd issue 20271: .*: choose v1\.11\.3 or later$/,
      );
      expect(same.doc.upgrade?.path[0]).toMatchObject({ from: "3.6.4", rule: "no-change", status: "pass" });
      expect(same.item("etcd upgrade path")?.detail).toBe("etcd 3.6.4 -> 3.6.4: no change to etcd");
      expect(same.code).toBe(3);
      expect(failed(same.doc)).toEqual(["target etcd", "recent snapshot"]);

      const fixed = await check(c, "v1.11.3");
      expect(fixed.item("target etcd")).toMatchObject({ status: "pass" });
      expect(fixed.doc.upgrade?.path[0]).toMatchObject({ from: "3.6.4", to: "3.6.5", rule: "same-minor" });
      expect(failed(fixed.doc)).toEqual(["recent snapshot"]);
    });
  },
);

describeOnEtcdBuild(
  "e2e: check --upgrade-to on etcd 3.7.1",
  "3.7.1",
  { release: "v1.14", ips: ["127.0.0.177", "127.0.0.178", "127.0.0.179"] },
  (cluster) => {
    it("a Talos 1.14 cluster (etcd 3.7.1): v1.14.1 changes nothing in etcd; v1.13.9 lowers the minor, with no route", async (ctx) => {
      const c = cluster(ctx);
      const same = await check(c, "v1.14.1");
      expect(versionsOf(same.doc)).toEqual(["3.7.1"]);
      expect(same.doc.status.advisories).toEqual([]);
      expect(same.item("target etcd")?.detail).toBe("v1.14.1 ships etcd 3.7.1: no known defrag hazard");
      expect(same.doc.upgrade?.path[0]).toMatchObject({
        from: "3.7.1",
        rule: "no-change",
        status: "pass",
        route: [{ release: "v1.14.1", etcd: "3.7.1" }],
      });
      expect(failed(same.doc)).toEqual(["recent snapshot"]);

      const down = await check(c, "v1.13.9");
      expect(down.doc.upgrade?.path[0]).toMatchObject({
        from: "3.7.1",
        to: "3.6.12",
        rule: "downgrade",
        route: null,
      });
      expect(down.item("etcd upgrade path")?.detail).toMatch(
        /lowers the etcd minor: etcd needs its downgrade procedure/,
      );
      expect(down.code).toBe(3);
    });
  },
);
