/**
 * The same happy path with each talosctl output format the simulator prints (v1.10, v1.13, v1.14), on one
 * real etcd cluster: parsing, discovery and verification must not depend on the release.
 */
import { expect, it } from "vitest";
import { RELEASES } from "../../sim/config.js";
import { fragmentCluster } from "../../sim/data.js";
import { callGateway } from "../../sim/gateway.js";
import { realTalosctlTag, releaseOfTag } from "../../sim/real-talosctl.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { callsOf, describeWithEtcd, parseJson, runCli } from "./e2e-harness.js";

// With the real talosctl (TALOSCTL_REAL) only its own era's format exists: the other releases are the Node
// simulator's formats, which no real binary of that tag prints. They are skipped by name, not silently.
const realTag = realTalosctlTag();
const OURS = realTag === null ? RELEASES : RELEASES.filter((r) => r === releaseOfTag(realTag));
const OTHERS = RELEASES.filter((r) => !OURS.includes(r));

describeWithEtcd(
  "e2e: the happy path with every talosctl release's output",
  { release: "v1.10", ips: ["127.0.0.51", "127.0.0.52", "127.0.0.53"] },
  (cluster) => {
    if (OTHERS.length > 0)
      it.skip.each(OTHERS)(
        `talosctl %s: the Node simulator's format, not printed by the real talosctl ${realTag ?? ""}`,
        () => {},
      );
    it.each(OURS)("talosctl %s: status, then defrag followers first and the leader last", async (release) => {
      const c = cluster();
      await c.setRelease(release);
      await fragmentCluster(c.endpoints(c.nodes[0] ?? ""), {
        targetBytes: 8_000_000,
        reclaimableRatio: 0.6,
      });
      const view = parseJson<ClusterView>(await runCli(c, ["-o", "json", "status"]));
      expect(view.healthy).toBe(true);
      expect(view.members).toHaveLength(3);
      // v1.10 prints no PROTOCOL: the version is the simulated etcdspec image's; later releases show etcd's own.
      const running = await callGateway<{ version: string }>(
        c.endpoints(c.nodes[0] ?? ""),
        "maintenance/status",
        {},
      );
      const version = release === "v1.10" ? "3.5.21" : running.version;
      expect(view.members.map((m) => m.etcdVersion)).toEqual([version, version, version]);
      expect(view.advisories.some((a) => a.issues.includes(20271))).toBe(before20271Fix(version));
      const leader = view.leader?.node;
      expect(leader).toBe(await c.leaderNode());

      const from = (await c.callLog()).length;
      const result = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--force",
        "--no-snapshot",
        "--wait-timeout",
        "30s",
      ]);
      expect(result.code, result.stderr).toBe(0);
      const report = parseJson<RunReport>(result);
      expect(report.steps.map((s) => s.outcome)).toEqual(["done", "done", "done"]);
      // An affected etcd (3.4.23 here, 3.5.21 as v1.10's image says) is defragmented with the catch-up rule.
      expect(report.advisories).toEqual(view.advisories);
      expect(report.warnings.some((w) => /within 100 entries/.test(w))).toBe(before20271Fix(version));
      for (const step of report.steps)
        expect(step.after?.dbSize ?? Number.POSITIVE_INFINITY).toBeLessThan(step.before.dbSize);
      const defrags = callsOf((await c.callLog()).slice(from), "defrag");
      expect(defrags.at(-1)?.node).toBe(leader);
    });
  },
);

/** etcd issue 20271 was fixed in 3.4.38, 3.5.23 and 3.6.5; 3.7 has the fix. */
function before20271Fix(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number);
  const fixed: Record<string, number> = { "3.4": 38, "3.5": 23, "3.6": 5 };
  const line = `${major}.${minor}`;
  return line in fixed ? patch < (fixed[line] ?? 0) : major < 3 || (major === 3 && minor < 4);
}
