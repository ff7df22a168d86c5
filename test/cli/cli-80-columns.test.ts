/**
 * The whole CLI on an 80-column terminal against a five-member homelab (cp1.lab.internal ..., nine-digit raft
 * indexes, GB databases; troubled: a NOSPACE alarm and a node that does not answer): every line of stdout and
 * stderr fits, for status, check, plan, defrag and alarms list. `-o wide` shows every column; a pipe gets
 * whole lines; JSON is untouched by widths.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { displayWidth, stripAnsi } from "../../src/render/text.js";
import { useTempDir } from "../support/temp-dir.js";
import { homelabCluster } from "./homelab-cluster.js";
import { createStatefulCluster, runCli } from "./stateful-exec.js";

const tempDir = useTempDir("ted-80-");
const MB = 1_000_000;
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

/**
 * Issue 21's trial: an 80-column terminal (stdout and stderr the same one) against 3 members on etcd 3.4.23,
 * which has two known defrag advisories (etcd 20271 and 18842).
 */
describe("say it once: a 3-member cluster on etcd 3.4.23 in an 80-column terminal", () => {
  const SCREEN = { ...TERMINAL, stdoutIsTTY: true, stderrIsTTY: true, sharedTerminal: true };
  const NODES3 = ["10.5.0.2", "10.5.0.3", "10.5.0.4"];
  const on3423 = () => {
    const cluster = createStatefulCluster(
      NODES3.map((node, i) => ({
        node,
        memberId: `5f1e2d3c4b5a697${i}`,
        hostname: `cp${i + 1}`,
        dbSize: 300 * MB,
        dbSizeInUse: 50 * MB,
      })),
      "10.5.0.3",
    );
    cluster.knobs.etcdVersion = "3.4.23";
    return cluster;
  };
  /** What the screen shows: a line redrawn in place (\r) shows its last drawing. */
  const screen = (run: { stdout: string; stderr: string }) =>
    `${run.stderr}${run.stdout}`
      .split("\n")
      .map((line) => stripAnsi(line.slice(line.lastIndexOf("\r") + 1)).replaceAll("\u001b[2K", ""))
      .filter((line) => line !== "");
  /** The lines of warnings and advisories: each `warning:`/`advisory:` line, its wrapped rest, "N warnings above". */
  const warningLines = (lines: string[]) => {
    const out: string[] = [];
    let inside = false;
    for (const line of lines.map((l) => stripAnsi(l))) {
      inside = /^(warning|advisory): /.test(line) || (inside && line.startsWith("  "));
      if (inside || / warnings? above$/.test(line)) out.push(line);
    }
    return out;
  };
  const run = (args: string[], io: Partial<CliIO> = SCREEN) =>
    runCli(on3423(), ["-n", NODES3.join(","), ...args], io);

  it("status: at most 11 lines, the advisories in one line that fits", async () => {
    const status = await run(["status"]);
    expect(status.code).toBe(0);
    const lines = screen(status);
    expect(lines.length, lines.join("\n")).toBeLessThanOrEqual(11);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(stripAnsi(status.stdout)).toMatch(
      /^advisory: etcd 3\.4\.23 has etcd#20271 and etcd#18842: defrag /m,
    );
    expect(status.stderr).toBe("");
  });

  it("defrag --yes: no line twice, at most 6 lines of warnings and advisories", async () => {
    const defrag = await run(["defrag", "--yes", "--snapshot-dir", join(tempDir(), "s")]);
    expect(defrag.code, defrag.stderr).toBe(0);
    const lines = screen(defrag);
    const twice = lines.filter((line, i) => lines.indexOf(line) !== i);
    expect(twice, lines.join("\n")).toEqual([]);
    expect(warningLines(lines).length, lines.join("\n")).toBeLessThanOrEqual(6);
    expect(warningLines(lines).length).toBeGreaterThan(0);
    // The JSON keeps every warning in full.
    const json = await run(["-o", "json", "defrag", "--yes", "--snapshot-dir", join(tempDir(), "j")]);
    const warnings = (JSON.parse(json.stdout) as { warnings: string[] }).warnings;
    expect(warnings.filter((w) => /^etcd issue (20271|18842\/18854) affects/.test(w))).toHaveLength(2);
    expect(warnings.some((w) => /within 100 entries of the leader's raft index/.test(w))).toBe(true);
  });

  it("plan says each warning once, on stderr: the report on stdout holds none", async () => {
    const plan = await run(["plan"]);
    expect(plan.code).toBe(0);
    expect(warningLines(plan.stdout.split("\n"))).toEqual([]);
    const lines = screen(plan);
    expect(lines.filter((l) => l.startsWith("advisory: "))).toHaveLength(1);
    const said = warningLines(lines);
    expect(said.filter((line, i) => said.indexOf(line) !== i)).toEqual([]);
  });

  it("with stdout elsewhere (a file, a pipe) the report's warnings on stderr carry every warning", async () => {
    const plan = await run(["plan"], { stdinIsTTY: true, stderrIsTTY: true, stderrWidth: 80 });
    expect(warningLines(plan.stdout.split("\n"))).toEqual([]);
    const tail = stripAnsi(plan.stderr.slice(plan.stderr.indexOf("plan: ")));
    expect(tail).toMatch(/^advisory: etcd 3\.4\.23 has etcd#20271/m);
    expect(tail).not.toMatch(/warnings? above/);
  });

  it.each([true, false])(
    "a metrics warning after the run is said once on one screen, and in stderr's closing list otherwise (same terminal: %s)",
    async (shared) => {
      const dir = join(tempDir(), "collector");
      await mkdir(dir);
      const cluster = on3423();
      // The directory disappears between the check before the run and the write after it.
      cluster.knobs.beforeDefrag = async (node) => {
        if (node === "10.5.0.3") await rm(dir, { recursive: true, force: true });
      };
      const args = ["-n", NODES3.join(","), "defrag", "--yes", "--no-snapshot"];
      const defrag = await runCli(cluster, [...args, "--metrics-file", join(dir, "d.prom")], {
        ...SCREEN,
        sharedTerminal: shared,
      });
      expect(defrag.code, defrag.stderr).toBe(0);
      expect(defrag.stdout).not.toMatch(/warning:/);
      const said = screen(defrag).filter((l) => l.startsWith("warning: metrics not written"));
      expect(said).toHaveLength(1);
      // On one screen the advisory progress printed is counted, not repeated; otherwise stderr ends with it too.
      const advisories = screen(defrag).filter((l) => l.startsWith("advisory: "));
      expect(advisories).toHaveLength(shared ? 1 : 2);
    },
  );

  it.each([
    ["defrag --yes", ["defrag", "--yes", "--no-snapshot"]],
    ["plan", ["plan"]],
  ])("a refused %s says each reason once on one screen (issue 27 item 17)", async (_, args) => {
    // Given a member that does not answer: the gate refuses
    const cluster = on3423();
    cluster.knobs.unreachable.add("10.5.0.4");
    const refused = await runCli(cluster, ["-n", NODES3.join(","), ...args], SCREEN);
    expect(refused.code, refused.stderr).toBe(3);
    // Then the screen says the reason (talosctl's error for the silent member) once, however it wraps
    const lines = screen(refused);
    const said = lines.join(" ").replace(/\s+/g, " ").split("dial tcp 10.5.0.4:50000").length - 1;
    expect(said, lines.join("\n")).toBe(1);
    expect(lines.join("\n")).toMatch(/refused/);
  });

  it("status with no node answering names each node's failure once", async () => {
    const cluster = on3423();
    for (const node of NODES3) cluster.knobs.unreachable.add(node);
    const status = await runCli(cluster, ["-n", NODES3.join(","), "status"], SCREEN);
    expect(status.code).toBe(1);
    const all = `${status.stdout}${status.stderr}`.replace(/\s+/g, " ");
    for (const node of NODES3) expect(all.split(`dial tcp ${node}:50000`)).toHaveLength(2);
  });
});
