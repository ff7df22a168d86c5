import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import {
  commandOf,
  createStatefulCluster,
  defragJsonArgs,
  isMutating,
  NODES,
  nodesOf,
  runCli,
} from "./stateful-exec.js";

const tempDir = useTempDir("ted-refuse-");

const defragArgs = (...extra: string[]) =>
  defragJsonArgs(NODES, "--snapshot-dir", join(tempDir(), "snaps"), ...extra);
const callsOf = (calls: string[][], command: string) => calls.filter((c) => commandOf(c).startsWith(command));
const lastIndexOf = (calls: string[][], command: string) =>
  calls.findLastIndex((c) => commandOf(c).startsWith(command));

describe("a CORRUPT alarm", () => {
  it("refuses defrag (exit 3) without a single mutating call", async () => {
    const cluster = createStatefulCluster();
    cluster.alarms = [{ memberId: "0b47fb33e59bf0e2", alarm: "CORRUPT" }];
    const run = await runCli(cluster, defragArgs());
    expect(run.code).toBe(3);
    expect(cluster.calls.filter(isMutating)).toEqual([]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("refused");
    expect(report.refusedReasons.join("\n")).toMatch(/CORRUPT/);
  });

  it("refuses alarms disarm (exit 3): disarm would clear CORRUPT too", async () => {
    const cluster = createStatefulCluster();
    cluster.alarms = [
      { memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" },
      { memberId: "a49c021e76e707db", alarm: "CORRUPT" },
    ];
    const run = await runCli(cluster, ["-n", NODES, "alarms", "disarm"]);
    expect(run.code).toBe(3);
    expect(callsOf(cluster.calls, "etcd alarm disarm")).toEqual([]);
    expect(run.stderr).toMatch(/refused:.*CORRUPT/);
    expect(cluster.alarms).toHaveLength(2);
  });
});

describe("a NOSPACE alarm", () => {
  const nospace = () => {
    const cluster = createStatefulCluster();
    // 1.5 GB of a 1.6 GB quota is 94 %: over the 90 % below which the alarm may go.
    cluster.knobs.quotaBytes = 1_600_000_000;
    cluster.alarms = [{ memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" }];
    return cluster;
  };

  it("is disarmed after the last defrag once every member is below 90 % of the quota (exit 0)", async () => {
    const cluster = nospace();
    const run = await runCli(cluster, defragArgs());
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.alarmsDisarmed).toEqual([{ memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" }]);
    const disarms = callsOf(cluster.calls, "etcd alarm disarm");
    expect(disarms).toHaveLength(1);
    expect(lastIndexOf(cluster.calls, "etcd alarm disarm")).toBeGreaterThan(
      lastIndexOf(cluster.calls, "etcd defrag"),
    );
    expect(cluster.alarms).toEqual([]);
  });

  it("alarms disarm lifts it once every member is below 90 % of the quota (exit 0)", async () => {
    const cluster = nospace();
    for (const m of cluster.members) m.dbSize = m.dbSizeInUse;
    const run = await runCli(cluster, ["-n", NODES, "alarms", "disarm"]);
    expect(run.code, run.stderr).toBe(0);
    // One voter, the leader (172.20.0.3): alarms are cluster-wide (src/run/disarm.ts).
    expect(callsOf(cluster.calls, "etcd alarm disarm").map((c) => nodesOf(c))).toEqual([["172.20.0.3"]]);
    expect(cluster.alarms).toEqual([]);
    expect(run.stdout).toBe("disarmed: NOSPACE on 0b47fb33e59bf0e2\n");
  });

  it("alarms disarm refuses (exit 3) while a member is still near the quota", async () => {
    const cluster = nospace();
    const run = await runCli(cluster, ["-n", NODES, "alarms", "disarm"]);
    expect(run.code).toBe(3);
    expect(callsOf(cluster.calls, "etcd alarm disarm")).toEqual([]);
    expect(run.stderr).toMatch(/172\.20\.0\.4 at 93\.8 %/);
  });
});

it("a node unreachable before the run: exit 3, nothing mutating, the node named", async () => {
  const cluster = createStatefulCluster();
  cluster.knobs.unreachable.add("172.20.0.4");
  const run = await runCli(cluster, defragArgs());
  expect(run.code).toBe(3);
  expect(cluster.calls.filter(isMutating)).toEqual([]);
  expect((JSON.parse(run.stdout) as RunReport).refusedReasons.join("\n")).toMatch(/172\.20\.0\.4/);
});

describe("a defrag call that fails and leaves the database unchanged", () => {
  const failing = () => {
    const cluster = createStatefulCluster();
    cluster.knobs.failDefrag.add("172.20.0.2");
    return cluster;
  };

  it("stops with exit 1, never re-issues that defrag, and reports done / failed / not touched", async () => {
    const cluster = failing();
    const run = await runCli(cluster, defragArgs("--no-snapshot"));
    expect(run.code).toBe(1);
    const defrags = callsOf(cluster.calls, "etcd defrag").map((c) => nodesOf(c)[0]);
    expect(defrags).toEqual(["172.20.0.4", "172.20.0.2"]);
    expect(callsOf(cluster.calls, "etcd forfeit-leadership")).toEqual([]);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.result).toBe("failed");
    expect(report.steps.map((s) => [s.node, s.outcome])).toEqual([
      ["172.20.0.4", "done"],
      ["172.20.0.2", "failed"],
      ["172.20.0.3", "not-touched"],
    ]);
    expect(report.steps[1]?.error).toMatch(/request timed out/);
    expect(report.error).toMatch(/172\.20\.0\.2.*did not shrink/);
    expect(run.stderr).toMatch(/not re-issued/);
  });

  it("the table says which members were done and which were not touched", async () => {
    const run = await runCli(
      failing(),
      defragArgs("--no-snapshot").filter((a) => a !== "json" && a !== "-o"),
    );
    expect(run.code).toBe(1);
    const row = (node: string) => run.stdout.split("\n").find((l) => l.includes(` ${node} `)) ?? "";
    expect(row("172.20.0.4")).toMatch(/defragmented/);
    expect(row("172.20.0.2")).toMatch(/FAILED/);
    expect(row("172.20.0.3")).toMatch(/not touched/);
    expect(run.stdout).toMatch(/FAILED: the run stopped/);
  });
});

describe("invalid flags exit 2 before any talosctl call, naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [
      ["defrag", "--yes", "--leader", "sideways"],
      /invalid --leader "sideways": expected one of auto, forfeit, last/,
    ],
    [["defrag", "--yes", "--keep", "-1"], /invalid --keep "-1"/],
    [["defrag", "--yes", "--wait-timeout", "5x"], /invalid --wait-timeout "5x"/],
    [["defrag", "--yes", "--leader-move-above", "-1s"], /invalid --leader-move-above "-1s"/],
    [["plan", "--leader-move-above", "soon"], /invalid --leader-move-above "soon"/],
    // forfeit always moves and last never does: a threshold given with them would be silently meaningless.
    [
      ["defrag", "--yes", "--leader", "forfeit", "--leader-move-above", "1s"],
      /--leader-move-above only applies to --leader auto \(--leader forfeit always moves/,
    ],
    [
      ["plan", "--leader", "last", "--leader-move-above", "0"],
      /--leader-move-above only applies to --leader auto \(--leader last never moves/,
    ],
    [["defrag", "--yes", "--rule", "dbSize >"], /invalid --rule at position 8/],
    [["plan", "--rule", "dbSize >"], /invalid --rule at position 8/],
    [["snapshot", "--keep", "-1"], /invalid --keep "-1"/],
    [["check", "--quota", "lots"], /invalid --quota "lots"/],
    // Sizes that round to 0 bytes would make every quota use read 0 (issue 18 item 8).
    [["check", "--quota", "0.4"], /invalid --quota "0\.4": .*at least 1 byte/],
    [["status", "--quota", "0.4B"], /invalid --quota "0\.4B": .*at least 1 byte/],
    [["alarms", "disarm", "--quota", "0.0001KB"], /invalid --quota "0\.0001KB": .*at least 1 byte/],
  ];
  it.each(cases)("%j", async (args, message) => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, ["-n", NODES, ...args]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(cluster.calls).toEqual([]);
  });

  // A zero wait would give every verification a single look: a member still catching up after its defrag
  // would fail the run after changes began. Refused up front, like --timeout 0.
  it("--wait-timeout 0 is refused like --timeout 0", async () => {
    const cluster = createStatefulCluster();
    const run = await runCli(cluster, [
      "-n",
      NODES,
      "defrag",
      "--yes",
      "--no-snapshot",
      "--wait-timeout",
      "0",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--wait-timeout must be greater than zero");
    expect(cluster.calls).toEqual([]);
  });
});
