/**
 * The whole CLI on an 80-column terminal against a five-member homelab (cp1.lab.internal ..., nine-digit raft
 * indexes, GB databases; troubled: a NOSPACE alarm and a node that does not answer): every line of stdout and
 * stderr fits, for status, check, plan, defrag and alarms list. `-o wide` shows every column; a pipe gets
 * whole lines; JSON is untouched by widths.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import { displayWidth } from "../../src/render/text.js";
import { useTempDir } from "../support/temp-dir.js";
import { homelabCluster } from "./homelab-cluster.js";
import { runCli } from "./stateful-exec.js";

const tempDir = useTempDir("ted-80-");
function homelab(troubled: boolean) {
  return homelabCluster(troubled ? { nospace: true, unreachable: ["cp5.lab.internal"] } : {});
}

const TERMINAL = { stdoutWidth: 80, stderrWidth: 80, stdinIsTTY: true };

const COMMANDS: [string, string[]][] = [
  ["status", ["status"]],
  ["check", ["check"]],
  ["plan", ["plan"]],
  ["defrag", ["defrag", "--yes", "--wait-timeout", "2s"]],
  ["alarms list", ["alarms", "list"]],
];

describe("alarms disarm refused on an 80-column terminal", () => {
  it("wraps its refused: and hint: lines at spaces", async () => {
    const { cluster, nodes } = homelab(true);
    const run = await runCli(cluster, ["-n", nodes, "alarms", "disarm"], TERMINAL);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^refused: /m);
    for (const line of run.stderr.split("\n")) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });
});

describe.each([false, true])("on an 80-column terminal (troubled cluster: %s)", (troubled) => {
  it.each(COMMANDS)("%s: every line of stdout and stderr fits", async (_, args) => {
    const { cluster, nodes } = homelab(troubled);
    const snapshots = args[0] === "defrag" ? ["--snapshot-dir", join(tempDir(), "s")] : [];
    const run = await runCli(cluster, ["-n", nodes, ...args, ...snapshots], TERMINAL);
    expect(run.stdout).not.toBe("");
    for (const line of `${run.stdout}${run.stderr}`.split("\n"))
      expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    // Every member is named whole in the table (alarms list: the alarmed one; check names only what fails).
    const named = { alarms: troubled ? ["cp3"] : [], check: [] }[args[0] ?? ""] ?? [
      "cp1",
      "cp2",
      "cp3",
      "cp4",
      "cp5",
    ];
    for (const node of named)
      expect(run.stdout).toMatch(new RegExp(`(^|\\s)${node}\\.lab\\.internal\\s`, "m"));
  });
});

describe("-o wide, pipes and JSON", () => {
  it("status -o wide shows the member IDs and nine-digit raft indexes that the default table leaves out", async () => {
    const narrow = await runCli(homelab(true).cluster, ["-n", homelab(true).nodes, "status"], TERMINAL);
    const wide = await runCli(
      homelab(true).cluster,
      ["-n", homelab(true).nodes, "-o", "wide", "status"],
      TERMINAL,
    );
    expect(narrow.stdout).not.toContain("ecebb05b59a776f1");
    expect(narrow.stdout.split("\n")[0]).not.toMatch(/RAFT INDEX/);
    expect(wide.stdout.split("\n")[0]).toMatch(
      /^NODE +MEMBER +ROLE .* RAFT INDEX +APPLIED +LAG .* ALARMS +ERRORS$/,
    );
    expect(wide.stdout).toMatch(
      /^cp2\.lab\.internal +ecebb05b59a776f1 +leader .* 4123456\d\d +4123456\d\d +0 /m,
    );
    expect(wide.stdout).toMatch(/^cp5\.lab\.internal .* did not answer: rpc error: code = Unavailable/m);
  });

  it("a pipe (no width, no COLUMNS) gets whole lines: nothing is cut", async () => {
    const { cluster, nodes } = homelab(true);
    const run = await runCli(cluster, ["-n", nodes, "plan"]);
    expect(`${run.stdout}${run.stderr}`).not.toContain("…");
    expect(run.stdout).not.toContain("reasons:");
    expect(run.stdout).toMatch(
      /^1 +cp3\.lab\.internal +follower +defrag .* rule: dbQuotaUsage 0\.978 > 0\.8$/m,
    );
  });

  it("-o json is one document whatever the width", async () => {
    const { cluster, nodes } = homelab(true);
    const run = await runCli(cluster, ["-n", nodes, "-o", "json", "status"], {
      ...TERMINAL,
      stdoutWidth: 20,
    });
    const view = JSON.parse(run.stdout) as ClusterView;
    expect(view.members.map((m) => m.node)).toHaveLength(4);
    expect(view.unreachable[0]?.error).toMatch(/no route to host"$/);
  });

  it("an unknown -o names the three formats (exit 2)", async () => {
    const { cluster, nodes } = homelab(false);
    const run = await runCli(cluster, ["-n", nodes, "-o", "yaml", "status"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/table, wide, json/);
    expect(cluster.calls).toEqual([]);
  });
});
