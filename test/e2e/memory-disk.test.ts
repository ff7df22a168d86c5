/**
 * etcd's memory and the free-disk check over real etcd: status reports each member's RSS as its etcd process
 * has it, defrag records RSS before and after each member (and it drops once the fragmented file is gone), and
 * a node that the simulator reports short of disk is never defragmented.
 */
import { readdir, readFile } from "node:fs/promises";
import { expect, it, onTestFinished } from "vitest";
import { fragmentCluster } from "../../sim/data.js";
import type { SimCluster } from "../../sim/types.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { describeWithEtcd, parseJson, runCli } from "./e2e-harness.js";

const RULE = ["--rule", "dbSizeInUse / dbSize < 0.6"];
// Their files free a few MB, below the reclaim floor (--min-reclaim, 32 MiB) that would skip them all.
const NO_FLOOR = ["--min-reclaim", "0"];

/** VmRSS of the etcd serving this node, read the way the kernel reports it. */
async function measureRss(node: string): Promise<number> {
  for (const pid of (await readdir("/proc")).filter((e) => /^\d+$/.test(e))) {
    const argv = await readFile(`/proc/${pid}/cmdline`, "utf8").then(
      (t) => t.split("\0"),
      () => [] as string[],
    );
    const urls = argv.indexOf("--listen-client-urls");
    if (!(argv[0] ?? "").endsWith("etcd") || urls < 0) continue;
    if (argv[urls + 1] !== `http://${node}:2379`) continue;
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
  }
  throw new Error(`no etcd process for ${node}`);
}

const measureAll = async (c: SimCluster) =>
  new Map(await Promise.all(c.nodes.map(async (n) => [n, await measureRss(n)] as const)));

/** 80 % reclaimable. fragmentCluster stops churning once the file is big enough, so a second call is cheap. */
async function fragment(c: SimCluster): Promise<void> {
  const leader = await c.leaderNode();
  await fragmentCluster(c.endpoints(leader ?? c.nodes[0] ?? ""), {
    targetBytes: 40_000_000,
    reclaimableRatio: 0.8,
  });
}

describeWithEtcd(
  "e2e: etcd's memory and free disk over real etcd",
  { release: "v1.14", ips: ["127.0.0.81", "127.0.0.82", "127.0.0.83"] },
  (cluster) => {
    it.each(["v1.13", "v1.14"] as const)(
      "%s: status JSON carries each member's RSS and free disk",
      async (release) => {
        const c = cluster();
        await c.setRelease(release);
        onTestFinished(() => c.setRelease("v1.14"));
        const before = await measureAll(c);
        const status = await runCli(c, ["-o", "json", "status"]);
        const after = await measureAll(c);
        expect(status.code, status.stderr).toBe(0);
        expect(status.stderr).toBe("");
        const view = parseJson<ClusterView>(status);
        expect(view.members).toHaveLength(3);
        for (const m of view.members) {
          const low = Math.min(before.get(m.node) ?? 0, after.get(m.node) ?? 0);
          const high = Math.max(before.get(m.node) ?? 0, after.get(m.node) ?? 0);
          // talosctl prints RSS with two significant digits: within 5 % of what the kernel said around the call.
          expect(m.rssBytes, m.node).toBeGreaterThanOrEqual(low * 0.95);
          expect(m.rssBytes, m.node).toBeLessThanOrEqual(high * 1.05);
          expect(m.diskAvailableBytes, m.node).toBeGreaterThan(0);
        }
      },
    );

    it("the first member of the plan short of disk: refused (exit 3), no member touched", async () => {
      const c = cluster();
      await fragment(c);
      const plan = parseJson<RunReport>(await runCli(c, ["-o", "json", "plan", ...RULE, ...NO_FLOOR]));
      const first = plan.steps[0]?.node ?? "";
      await c.setFaults({ [first]: { diskAvailableBytes: 1_000_000 } });
      onTestFinished(() => c.setFaults({}));
      const logStart = (await c.callLog()).length;

      const result = await runCli(c, [
        "-o",
        "json",
        "defrag",
        "--yes",
        "--no-snapshot",
        ...RULE,
        ...NO_FLOOR,
      ]);
      expect(result.code, result.stderr).toBe(3);
      const report = parseJson<RunReport>(result);
      expect(report.result).toBe("refused");
      expect(report.refusedReasons[0]).toMatch(
        new RegExp(
          `^not enough free disk space on ${first.replace(/\./g, "\\.")} .* free on /var .*0 B available`,
        ),
      );
      const log = (await c.callLog()).slice(logStart);
      expect(log.filter((e) => e.command === "defrag")).toEqual([]);
      expect(result.stderr).toContain(
        `${first} ${plan.steps[0]?.role}: not touched: not enough free disk space`,
      );
    });

    it("the leader short of disk: refused before any member is touched (exit 3), as plan says; with room, RSS before -> after", async () => {
      const c = cluster();
      // Its own fragmentation (cheap after the test above), so that it stands alone with -t.
      await fragment(c);
      const leader = (await c.leaderNode()) ?? "";
      await c.setFaults({ [leader]: { diskAvailableBytes: 1_000_000 } });
      onTestFinished(() => c.setFaults({}));
      const defrag = ["-o", "json", "defrag", "--yes", "--no-snapshot", ...RULE, ...NO_FLOOR];
      const plan = await runCli(c, ["-o", "json", "plan", ...RULE, ...NO_FLOOR]);
      expect(plan.code, plan.stderr).toBe(3);
      const logStart = (await c.callLog()).length;

      // The plan refuses; so does the run, before its first member (it used to defragment the followers first).
      const refused = await runCli(c, defrag);
      expect(refused.code, refused.stderr).toBe(3);
      const report = parseJson<RunReport>(refused);
      expect(report.result).toBe("refused");
      expect(report.steps.map((s) => s.outcome)).toEqual(["not-touched", "not-touched", "not-touched"]);
      expect(report.refusedReasons.join("\n")).toMatch(/not enough free disk space on .* free on \/var/);
      const log = (await c.callLog()).slice(logStart);
      expect(log.filter((e) => e.command === "defrag" || e.command === "forfeit-leadership")).toEqual([]);

      // With room again, every member is defragmented, each with etcd's memory before -> after.
      await c.setFaults({});
      const ok = await runCli(c, defrag);
      expect(ok.code, ok.stderr).toBe(0);
      const done = parseJson<RunReport>(ok).steps.filter((s) => s.outcome === "done");
      expect(done.length).toBeGreaterThan(0);
      for (const step of done) {
        expect(step.before.rssBytes, step.node).toBeGreaterThan(0);
        expect(step.after?.rssBytes, step.node).toBeGreaterThan(0);
      }
      // The fragmented file was mapped into etcd's memory; the compacted one is much smaller.
      const sum = (pick: (s: (typeof done)[number]) => number) => done.reduce((t, s) => t + pick(s), 0);
      expect(sum((s) => s.after?.rssBytes ?? 0)).toBeLessThan(sum((s) => s.before.rssBytes ?? 0));
      const after = (await c.callLog()).slice(logStart);
      expect(after.filter((e) => e.command === "processes").every((e) => e.nodes.length === 3)).toBe(true);
    });
  },
);
