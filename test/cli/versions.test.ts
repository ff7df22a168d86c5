/**
 * The etcd version end to end through main(): talosctl output (PROTOCOL, or the etcdspec image on v1.10) ->
 * `status`/`check` JSON and text, and the advisories on `plan`/`defrag` reports.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { Advisory, ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";
import { commandOf, createStatefulCluster, defragJsonArgs, NODES, runCli } from "./stateful-exec.js";

const tempDir = useTempDir("ted-versions-");

async function runFixture(key: string, args: string[]) {
  const [release, scenario] = key.split("/") as [string, string];
  const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
  const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, ...args], rec.io);
  return { code, rec };
}

type CheckDoc = Checklist & { advisories: Advisory[]; status: ClusterView };

describe("check names the known defrag hazards of the etcd the members run", () => {
  it.each<[string, string, RegExp | null]>([
    // v1.10 prints no PROTOCOL: the version is the etcdspec image's (Talos v1.10.0–1.10.8 ship 3.5.21).
    [
      "v1.10/healthy-3",
      "warn",
      /etcd issue 20271 affects etcd 3\.5\.21 on every member.*Fixed in etcd 3\.5\.23 \(Talos v1\.10\.9 ships 3\.5\.26\)/,
    ],
    [
      "v1.13/etcd-3.6.4",
      "warn",
      /etcd issue 20271 affects etcd 3\.6\.4 on every member.*Fixed in etcd 3\.6\.5 \(Talos v1\.11\.3 ships 3\.6\.5\)/,
    ],
    ["v1.13/etcd-mixed", "warn", /etcd issue 20271 affects etcd 3\.6\.4 on 172\.20\.0\.4:/],
    ["v1.10/etcd-arm64", "warn", /etcd issue 20271 .* etcd issue 18842\/18854 affects etcd 3\.5\.16/],
    ["v1.10/etcd-digest", "warn", /etcd version unknown on every member/],
    ["v1.13/healthy-3", "pass", /^etcd 3\.6\.5 on every member: no known defrag hazard$/],
    ["v1.14/healthy-3", "pass", /^etcd 3\.6\.12 on every member: no known defrag hazard$/],
    ["v1.14/etcd-3.7.1", "pass", /^etcd 3\.7\.1 on every member: no known defrag hazard$/],
  ])("%s: the etcd version item is %s", async (key, status, detail) => {
    const { code, rec } = await runFixture(key, ["-o", "json", "check"]);
    // An advisory never changes the verdict of a healthy, lean cluster: exit 0, not 4.
    expect(code, rec.stderr()).toBe(0);
    const doc = JSON.parse(rec.stdout()) as CheckDoc;
    expect(doc.verdict).toBe("go");
    const item = doc.items.find((i) => i.name === "etcd version");
    expect(item?.status).toBe(status);
    // A warning here is informational: it never makes check exit 4.
    expect(item?.informational).toBe(status === "warn" ? true : undefined);
    if (detail !== null) expect(item?.detail).toMatch(detail);
    expect(doc.advisories).toEqual(doc.status.advisories);
    expect(doc.advisories.some((a) => a.issues.includes(20271))).toBe(/20271/.test(item?.detail ?? ""));

    const text = await runFixture(key, ["check"]);
    expect(text.code).toBe(0);
    expect(text.rec.stdout()).toContain(`[${status === "pass" ? "ok]  " : "warn]"} etcd version:`);
    expect(text.rec.stdout().includes("etcd issue 20271")).toBe(/20271/.test(item?.detail ?? ""));
  });
});

describe("status prints the versions and advisories below the table", () => {
  it("names etcd issue 20271, the waiting rule and the fix for 3.5.21 in one line (v1.10, from the etcdspec image)", async () => {
    const { code, rec } = await runFixture("v1.10/healthy-3", ["status"]);
    expect(code).toBe(0);
    const out = rec.stdout();
    expect(out).toContain("etcd 3.5.21 on every member");
    expect(out).toContain(
      "advisory: etcd 3.5.21 has etcd#20271: defrag waits for every voter to catch up; fixed in Talos v1.10.9; details: check\n",
    );
    expect(out).not.toMatch(/https:|defrag waits before each member/);
  });

  it("says the advisory in full with -o wide, as check does", async () => {
    const { code, rec } = await runFixture("v1.10/healthy-3", ["-o", "wide", "status"]);
    expect(code).toBe(0);
    const out = rec.stdout();
    expect(out).toMatch(
      /^advisory: etcd issue 20271 affects etcd 3\.5\.21 .* https:\/\/github\.com\/etcd-io\/etcd\/issues\/20271$/m,
    );
    expect(out).toMatch(/defrag waits before each member until every voting member is within 100 entries/);
  });

  it("says only which etcd runs when it has no known hazard", async () => {
    const { rec } = await runFixture("v1.14/etcd-3.7.1", ["status"]);
    expect(rec.stdout()).toContain("etcd 3.7.1 on every member");
    expect(rec.stdout()).not.toMatch(/advisory|defrag waits/);
  });
});

describe("where the version comes from", () => {
  const etcdspecCalls = (calls: string[][]) => calls.filter((c) => c.join(" ").includes("get etcdspec"));

  it("with --quota and PROTOCOL (v1.11+), etcdspec is not asked at all", async () => {
    const { code, rec } = await runFixture("v1.13/etcd-3.6.4", ["-o", "json", "status", "--quota", "2GiB"]);
    expect(code).toBe(0);
    expect(etcdspecCalls(rec.calls)).toEqual([]);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view.members.map((m) => m.etcdVersion)).toEqual(["3.6.4", "3.6.4", "3.6.4"]);
  });

  it("with --quota and no PROTOCOL (v1.10), etcdspec is asked once, for the image", async () => {
    const { code, rec } = await runFixture("v1.10/healthy-3", ["-o", "json", "status", "--quota", "2GiB"]);
    expect(code).toBe(0);
    expect(etcdspecCalls(rec.calls)).toHaveLength(1);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view.quota).toEqual({ bytes: 2 * 1024 ** 3, source: "flag" });
    expect(view.members.map((m) => m.etcdVersion)).toEqual(["3.5.21", "3.5.21", "3.5.21"]);
  });

  it("with --quota and no PROTOCOL, an etcdspec that fails leaves the version unknown, with a warning", async () => {
    const { code, rec } = await runFixture("v1.10/unpadded-ids", ["-o", "json", "status", "--quota", "2GiB"]);
    expect(code).toBe(0);
    expect(etcdspecCalls(rec.calls)).toHaveLength(1);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view.members.map((m) => m.etcdVersion)).toEqual([null, null, null]);
    expect(rec.stderr()).toMatch(
      /warning: could not read the etcd image from 172\.20\.0\.2 .*: etcd version unknown/,
    );
  });

  it("without an etcdspec answer (v1.10), the version is unknown and status still works", async () => {
    const { code, rec } = await runFixture("v1.10/unpadded-ids", ["-o", "json", "status"]);
    expect(code).toBe(0);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view.members.map((m) => m.etcdVersion)).toEqual([null, null, null]);
    expect(rec.stderr()).toMatch(/could not read the etcd quota/);
  });
});

describe("plan and defrag reports carry the advisories", () => {
  it.each([
    ["3.6.4", ["etcd-io/etcd#20271"]],
    ["3.6.5", []],
  ])("on etcd %s: %j", async (version, ids) => {
    const cluster = createStatefulCluster();
    cluster.knobs.etcdVersion = version;
    const plan = await runCli(cluster, ["-n", NODES, "-o", "json", "plan"]);
    expect(plan.code, plan.stderr).toBe(0);
    const planned = JSON.parse(plan.stdout) as RunReport;
    expect(planned.advisories.map((a) => a.id)).toEqual(ids);

    const run = await runCli(cluster, defragJsonArgs(NODES, "--snapshot-dir", join(tempDir(), "snaps")));
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.advisories.map((a) => a.id)).toEqual(ids);
    expect(cluster.calls.filter((c) => commandOf(c) === "etcd defrag")).toHaveLength(3);
    // Said to a person in one line (the full text is the JSON's warnings, the catch-up rule's among them).
    const warned = /^advisory: etcd 3\.6\.4 has etcd#20271: defrag waits for every voter to catch up;/m.test(
      run.stderr,
    );
    expect(warned).toBe(ids.length > 0);
    expect(report.warnings.some((w) => /etcd issue 20271 affects etcd 3\.6\.4 on every member/.test(w))).toBe(
      ids.length > 0,
    );
    expect(report.warnings.some((w) => /within 100 entries/.test(w))).toBe(ids.length > 0);
  });
});
