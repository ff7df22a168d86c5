import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import type { Exec } from "../../src/talos/types.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import {
  commandOf,
  createStatefulCluster,
  isMutating,
  NODES,
  runCli,
  tabulate,
} from "../cli/stateful-exec.js";
import { useTempDir } from "../support/temp-dir.js";
import { loadFixture } from "../talos/fixtures.js";

const _tempDir = useTempDir("ted-output-");

/** The v1.13 healthy-3 fixtures, with one subcommand's stdout rewritten. */
function rewriting(sub: string, rewrite: (stdout: string) => string) {
  return (calls: string[][]): Exec => {
    const fixture = fixtureExec("v1.13", "healthy-3", calls);
    return async (file, args, options) => {
      const result = await fixture(file, args, options);
      return commandOf(args).startsWith(sub) ? { ...result, stdout: rewrite(result.stdout) } : result;
    };
  };
}

const cutMidRow = (stdout: string) => stdout.slice(0, stdout.lastIndexOf("\n", stdout.length - 2) + 40);
const dropLastRow = (stdout: string) => stdout.slice(0, stdout.lastIndexOf("\n", stdout.length - 2) + 1);

const CASES: [string, string, (s: string) => string][] = [
  ["status cut in the middle of a row", "etcd status", cutMidRow],
  ["status with NUL bytes and escapes", "etcd status", (s) => s.replace("21 MB", "21\u0000M\u001b[2J")],
  [
    "status replaced by an HTML error page",
    "etcd status",
    () => "<html><body>502 Bad Gateway</body></html>\n",
  ],
  ["members cut in the middle of a row", "etcd members", cutMidRow],
];
const ALARM_GARBAGE = () => "ALARMS: none, probably\n";

describe("garbage or truncated talosctl output", () => {
  it.each(CASES)(
    "%s: status exits 1 naming the command, defrag is refused (exit 3)",
    async (_, sub, rewrite) => {
      const status = recordIO(rewriting(sub, rewrite));
      const args = ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4"];
      expect(await main([...args, "status"], status.io)).toBe(1);
      expect(status.stderr()).toContain(`cannot parse output of \`talosctl ${sub}\``);
      expect(status.stdout()).toBe("");

      const defrag = recordIO(rewriting(sub, rewrite));
      expect(await main([...args, "-o", "json", "defrag", "--yes", "--no-snapshot"], defrag.io)).toBe(3);
      const report = JSON.parse(defrag.stdout()) as RunReport;
      expect(report.refusedReasons.join("\n")).toMatch(/cannot read the cluster: cannot parse output/);
      expect(defrag.calls.filter(isMutating)).toEqual([]);
    },
  );

  it("alarm list with an unknown layout: status exits 1 naming the command; defrag never asks it (alarms come from status)", async () => {
    const args = ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4"];
    const status = recordIO(rewriting("etcd alarm list", ALARM_GARBAGE));
    expect(await main([...args, "status"], status.io)).toBe(1);
    expect(status.stderr()).toContain("cannot parse output of `talosctl etcd alarm list`");

    const defrag = recordIO(rewriting("etcd alarm list", ALARM_GARBAGE));
    await main([...args, "-o", "json", "defrag", "--yes", "--no-snapshot", "--dry-run"], defrag.io);
    expect(defrag.calls.filter((c) => c.join(" ").includes("alarm list"))).toEqual([]);
  });

  it("status missing a whole row (cut at a line end): the member is reported missing, defrag refused (exit 3)", async () => {
    const args = ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4", "-o", "json"];
    const status = recordIO(rewriting("etcd status", dropLastRow));
    expect(await main([...args, "status"], status.io)).toBe(0);
    const view = JSON.parse(status.stdout()) as ClusterView;
    expect(view.healthy).toBe(false);
    expect(view.members.map((m) => m.node).sort()).toEqual(["172.20.0.2", "172.20.0.3"]);
    expect(view.problems.map((p) => p.kind)).toContain("missing-status");

    const defrag = recordIO(rewriting("etcd status", dropLastRow));
    expect(await main([...args, "defrag", "--yes", "--no-snapshot"], defrag.io)).toBe(3);
    expect((JSON.parse(defrag.stdout()) as RunReport).refusedReasons.join("\n")).toMatch(
      /was not asked or did not report status/,
    );
    expect(defrag.calls.filter(isMutating)).toEqual([]);
  });

  it("status printing nothing at all with exit 0: not an empty healthy cluster; defrag refused (exit 3)", async () => {
    const args = ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4", "-o", "json"];
    const status = recordIO(rewriting("etcd status", () => ""));
    await main([...args, "status"], status.io);
    expect((JSON.parse(status.stdout()) as ClusterView).healthy).toBe(false);
    const defrag = recordIO(rewriting("etcd status", () => ""));
    expect(await main([...args, "defrag", "--yes", "--no-snapshot"], defrag.io)).toBe(3);
    expect(defrag.calls.filter(isMutating)).toEqual([]);
  });
});

/** Server releases per node: etcd 3.6 (v1.11+ Talos), 3.5 (STORAGE unknown), and an old one without PROTOCOL. */
const RELEASES: Record<string, [string, string]> = {
  "172.20.0.2": ["3.6.12", "3.6.0"],
  "172.20.0.3": ["3.5.17", "unknown"],
  "172.20.0.4": ["", ""],
};

/** Re-tabulates a v1.13 status table with PROTOCOL/STORAGE set per node, as one talosctl prints mixed servers. */
function mixReleases(stdout: string): string {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  const rows = lines.map((line) => line.trimEnd().split(/ {3,}/));
  for (const row of rows.slice(1)) {
    while (row.length < 12) row.push("");
    const release = RELEASES[row[0] ?? ""];
    if (release !== undefined) [row[9], row[10]] = release;
  }
  return tabulate(rows.map((row) => row.join("\t")));
}

describe("mixed etcd releases across nodes (one talosctl, servers of different releases)", () => {
  it("status reads every row: healthy, three members, one leader", async () => {
    const mixed = mixReleases(loadFixture("v1.13", "healthy-3", "status").stdout);
    expect(mixed).toMatch(/172\.20\.0\.3 .* 3\.5\.17 +unknown +\n/);
    expect(mixed).toMatch(/172\.20\.0\.2 .* 3\.6\.12 +3\.6\.0 +\n/);
    const rec = recordIO(rewriting("etcd status", mixReleases));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4", "-o", "json", "status"],
      rec.io,
    );
    expect(code, rec.stderr()).toBe(0);
    const view = JSON.parse(rec.stdout()) as ClusterView;
    expect(view).toMatchObject({ healthy: true, problems: [], leader: { node: "172.20.0.3" } });
    expect(view.members).toHaveLength(3);
  });

  it("defrag runs through as usual (exit 0): followers, then the leader after moving leadership", async () => {
    const cluster = createStatefulCluster();
    const real = cluster.exec;
    cluster.exec = async (file, args, options) => {
      const result = await real(file, args, options);
      return commandOf(args) === "etcd status" ? { ...result, stdout: mixReleases(result.stdout) } : result;
    };
    // 0: the move happens whatever the measured rate (this cluster answers at once), as the title says.
    const args = ["-n", NODES, "-o", "json", "defrag", "--yes", "--no-snapshot", "--leader-move-above", "0"];
    const run = await runCli(cluster, args);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      ["172.20.0.4", "done"],
      ["172.20.0.2", "done"],
      ["172.20.0.3", "done"],
    ]);
    expect(report.steps[2]?.leaderMovedTo).not.toBeNull();
  });
});
