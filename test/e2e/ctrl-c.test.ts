/**
 * Ctrl-C at a real terminal, over real etcd: the built CLI runs in a pseudo-terminal (test/e2e/pty-ctrl-c.py,
 * python3's pty module) and ^C is typed into it, so the kernel sends SIGINT to the terminal's whole foreground
 * process group, as it does for a person. talosctl (the simulator, behind a wrapper that marks when a call has
 * started) must not receive it: the first Ctrl-C lets the running snapshot or defrag finish and be verified, then
 * the run ends `interrupted` (130); the second exits at once and takes talosctl and its partial file with it.
 * The simulator's delay fault holds the call open long enough for the key press to land inside it.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { expect, it } from "vitest";
import type { CallLogEntry, SimCluster } from "../../sim/cluster.js";
import { realTalosctlTag } from "../../sim/real-talosctl.js";
import { verifySnapshotFile } from "../../src/run/snapshot-file.js";
import type { RunReport } from "../../src/run/types.js";
import { CLI, describeWithEtcd, snapshotDir } from "./e2e-harness.js";

const PTY = join(dirname(fileURLToPath(import.meta.url)), "pty-ctrl-c.py");
/** How long the simulator holds the call open before doing it: the window the key press lands in. */
const HOLD_MS = 5000;

interface PtyRun {
  code: number;
  /** What the terminal showed (stderr: progress and the stop messages). */
  terminal: string;
  /** The -o json document, written to a file as with `> report.json`. */
  stdout: string;
  /** Calls logged since the run started. */
  calls: () => Promise<CallLogEntry[]>;
}

/**
 * A talosctl that is the simulator, plus a marker file per `etcd defrag` call, written before the call starts
 * (the `exec` keeps the pid and the process group the CLI gave it).
 */
function markingTalosctl(c: SimCluster): { path: string; marks: string } {
  const dir = mkdtempSync(join(tmpdir(), "ted-ctrlc-"));
  const path = join(dir, "talosctl");
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      `case " $* " in *" etcd defrag "*) : > ${JSON.stringify(join(dir, "defrag-started"))} ;; esac`,
      `exec ${JSON.stringify(c.talosctlPath)} "$@"`,
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return { path, marks: dir };
}

async function runInTerminal(c: SimCluster, args: string[], presses: string[]): Promise<PtyRun> {
  const talosctl = markingTalosctl(c);
  const report = join(talosctl.marks, "report.json");
  const from = (await c.callLog()).length;
  const result = await execa(
    "python3",
    [
      PTY,
      "--stdout",
      report,
      "--deadline",
      "100",
      ...presses.flatMap((p) => ["--press", p.replace("{marks}", talosctl.marks)]),
      "--",
      process.execPath,
      CLI,
      "--talosctl",
      talosctl.path,
      "-n",
      c.nodes.join(","),
      ...args,
    ],
    { env: { ...c.env, NO_COLOR: "1" }, reject: false, timeout: 120_000, stdin: "ignore" },
  );
  const terminal = String(result.stdout);
  expect(terminal, terminal).toContain(`presses: ${presses.length}`);
  return {
    code: result.exitCode ?? -1,
    terminal,
    stdout: existsSync(report) ? readFileSync(report, "utf8") : "",
    calls: async () => (await c.callLog()).slice(from),
  };
}

const ofCommand = (calls: CallLogEntry[], command: string) => calls.filter((e) => e.command === command);

/** The log entry of a call that a signal ended is written by the simulator as it dies: wait for it (bounded). */
async function waitForCall(run: PtyRun, command: string): Promise<CallLogEntry[]> {
  for (let i = 0; i < 100; i++) {
    const found = ofCommand(await run.calls(), command);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

describeWithEtcd(
  "e2e: Ctrl-C at a terminal over real etcd",
  { release: "v1.14", ips: ["127.0.0.121", "127.0.0.122", "127.0.0.123"] },
  (cluster) => {
    it("Ctrl-C during a defrag: talosctl is not hit, the defrag finishes and is verified, exit 130", async () => {
      const c = cluster();
      await c.setFaults(
        Object.fromEntries(c.nodes.map((n) => [n, { commands: { defrag: { delayMs: HOLD_MS } } }])),
      );
      try {
        // --force on a compact cluster: had talosctl died, nothing would show the defrag ran (exit 1).
        const args = ["-o", "json", "defrag", "--yes", "--force", "--no-snapshot", "--wait-timeout", "20s"];
        const run = await runInTerminal(c, args, ["path:{marks}/defrag-started"]);
        expect(run.code, run.terminal).toBe(130);
        expect(run.terminal).toMatch(/SIGINT: stopping after the defrag of \S+ finishes and is verified/);
        const calls = await run.calls();
        const defrags = ofCommand(calls, "defrag");
        expect(defrags.map((d) => d.exitCode)).toEqual([0]);
        // A talosctl the SIGINT reached would have cancelled its call and exited 1 (or died by it): every call ended 0.
        expect(calls.filter((e) => e.exitCode !== 0)).toEqual([]);
        const report = JSON.parse(run.stdout) as RunReport;
        expect(report.result).toBe("interrupted");
        expect(report.steps.map((s) => s.outcome)).toEqual(["done", "not-touched", "not-touched"]);
        expect(report.steps[0]).toMatchObject({ node: defrags[0]?.nodes[0], verified: true, error: null });
        // etcd's memory is read again after a stop too (a read, never a touch).
        expect(report.steps[0]?.after?.rssBytes).toEqual(expect.any(Number));
      } finally {
        await c.setFaults({});
      }
    });

    it("Ctrl-C during the snapshot: it finishes and verifies, nothing is defragmented, no .part left, exit 130", async () => {
      const c = cluster();
      await c.setFaults(
        Object.fromEntries(c.nodes.map((n) => [n, { commands: { snapshot: { delayMs: HOLD_MS } } }])),
      );
      const dir = snapshotDir();
      try {
        const args = ["-o", "json", "defrag", "--yes", "--force", "--snapshot-dir", dir];
        const run = await runInTerminal(c, args, [`path:${dir}/*.part`]);
        expect(run.code, run.terminal).toBe(130);
        const calls = await run.calls();
        expect(ofCommand(calls, "snapshot").map((s) => s.exitCode)).toEqual([0]);
        expect(ofCommand(calls, "defrag")).toEqual([]);
        const report = JSON.parse(run.stdout) as RunReport;
        expect(report.result).toBe("interrupted");
        expect(report.snapshot?.sha256Verified).toBe(true);
        expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
        const files = readdirSync(dir);
        expect(files.filter((f) => f.endsWith(".part"))).toEqual([]);
        // The snapshot and its manifest, nothing else.
        const snapshots = files.filter((f) => f.endsWith(".db"));
        expect(snapshots).toHaveLength(1);
        expect(files.sort()).toEqual([snapshots[0], `${snapshots[0]}.json`]);
        expect((await verifySnapshotFile(join(dir, snapshots[0] ?? ""))).sha256Verified).toBe(true);
      } finally {
        await c.setFaults({});
      }
    });

    it("Ctrl-C twice during the snapshot: exits at once (130), ends talosctl, leaves neither .part nor placeholder", async () => {
      const c = cluster();
      await c.setFaults(
        Object.fromEntries(c.nodes.map((n) => [n, { commands: { snapshot: { delayMs: 20_000 } } }])),
      );
      const dir = snapshotDir();
      try {
        const args = ["-o", "json", "defrag", "--yes", "--force", "--snapshot-dir", dir];
        const run = await runInTerminal(c, args, [`path:${dir}/*.part`, "text:press Ctrl-C again"]);
        expect(run.code, run.terminal).toBe(130);
        expect(run.terminal).toContain("SIGINT again: exiting now");
        // talosctl was ended by us on the way out (SIGTERM to its group), not by the terminal's SIGINT. talosctl
        // catches the first signal ("Signal received, aborting, ...") and exits 1, as the simulator does. The real
        // one (TALOSCTL_REAL) may also die by a second one, or by SIGPIPE (141) when it writes "Signal received"
        // after we have gone: which one ends it depends on timing, so each is ours; the simulator exits 1 there.
        const ended = (await waitForCall(run, "snapshot")).map((s) => s.exitCode);
        if (realTalosctlTag() === null) expect(ended).toEqual([1]);
        else expect([[1], [141], [143]]).toContainEqual(ended);
        expect(ofCommand(await run.calls(), "defrag")).toEqual([]);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        await c.setFaults({});
      }
    });
  },
);
