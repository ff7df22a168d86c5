/** Fault knobs and the call log, on the model backend (the fault code path is backend-independent). */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertSimBuilt, runSim } from "../../sim/exec-sim.js";
import { startModelCluster } from "../../sim/model.js";
import type { SimCluster } from "../../sim/types.js";

let cluster: SimCluster;
let all: string;
let a: string;
let b: string;

beforeAll(async () => {
  cluster = await startModelCluster({ release: "v1.13" });
  assertSimBuilt(cluster);
  all = cluster.nodes.join(",");
  [a = "", b = ""] = cluster.nodes;
});

afterAll(async () => {
  await cluster?.stop();
});

const UNAVAILABLE =
  /rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp [\d.]+:50000: connect: connection refused"/;

describe("faults", () => {
  it("unreachable: ≤v1.13 warns and exits 0, v1.14 prints 'error from node' and exits 1", async () => {
    await cluster.setFaults({ [b]: { unreachable: true } });
    const legacy = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(legacy.exitCode).toBe(0);
    expect(legacy.stderr).toMatch(
      new RegExp(`^WARNING: 1 error occurred:\n\t\\* ${b}: ${UNAVAILABLE.source}\n\n$`),
    );
    expect(legacy.stdout).not.toContain(b);
    await cluster.setRelease("v1.14");
    const current = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(current.exitCode).toBe(1);
    expect(current.stderr).toMatch(new RegExp(`^error from node ${b}: ${UNAVAILABLE.source}\n$`));
    expect(current.stdout.trimEnd().split("\n")).toHaveLength(3);
    await cluster.setRelease("v1.13");
  });

  it("a stopped member: its etcd calls wait as Talos's do, until the caller gives up; the node still answers", async () => {
    await cluster.setFaults({});
    await cluster.stopMember(b);
    try {
      const defrag = await runSim(cluster, ["-n", b, "etcd", "defrag"], { timeoutMs: 800 });
      expect(defrag.durationMs).toBeGreaterThanOrEqual(800);
      expect(defrag.exitCode).toBe(1);
      expect((await runSim(cluster, ["-n", b, "processes"])).exitCode).toBe(0);
    } finally {
      await cluster.startMember(b);
    }
  });

  it("permissionDenied per command: forfeit denied, status still fine", async () => {
    await cluster.setFaults({ [a]: { commands: { "forfeit-leadership": { permissionDenied: true } } } });
    const forfeit = await runSim(cluster, ["-n", a, "etcd", "forfeit-leadership"]);
    expect(forfeit.exitCode).toBe(1);
    expect(forfeit.stderr).toContain(`* ${a}: rpc error: code = PermissionDenied desc = not authorized`);
    expect((await runSim(cluster, ["-n", a, "etcd", "status"])).exitCode).toBe(0);
  });

  it("worker nodes answer Unimplemented", async () => {
    await cluster.setFaults({ [a]: { worker: true } });
    const out = await runSim(cluster, ["-n", a, "etcd", "status"]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain(
      "rpc error: code = Unimplemented desc = etcd status is only available on control plane nodes",
    );
  });

  it("garbage on stdout, exit code override with stderr text", async () => {
    await cluster.setFaults({
      [a]: { commands: { status: { garbage: true }, members: { exitCode: 7, stderr: "boom" } } },
    });
    const garbage = await runSim(cluster, ["-n", a, "etcd", "status"]);
    expect(garbage.exitCode).toBe(0);
    expect(garbage.stdout).not.toMatch(/^NODE {3,}MEMBER/);
    expect(garbage.stdout.length).toBeGreaterThan(0);
    const failed = await runSim(cluster, ["-n", a, "etcd", "members"]);
    expect([failed.exitCode, failed.stderr, failed.stdout]).toEqual([7, "boom\n", ""]);
  });

  it("delayMs delays the node and puts its row last", async () => {
    await cluster.setFaults({ [a]: { delayMs: 300 } });
    const out = await runSim(cluster, ["-n", all, "etcd", "status"]);
    expect(out.durationMs).toBeGreaterThanOrEqual(300);
    expect(out.stdout.trimEnd().split("\n").pop()).toMatch(new RegExp(`^${a.replaceAll(".", "\\.")} `));
  });

  it("hang never answers; a timeout's SIGTERM cancels the call as talosctl does, and the log says exit 1", async () => {
    await cluster.setFaults({ [a]: { commands: { defrag: { hang: true } } } });
    const out = await runSim(cluster, ["-n", a, "etcd", "defrag"], { timeoutMs: 800 });
    expect(out.exitCode).toBe(1);
    expect(out.durationMs).toBeGreaterThanOrEqual(800);
    await new Promise((r) => setTimeout(r, 200));
    const last = (await cluster.callLog()).pop();
    expect(last).toMatchObject({ command: "defrag", nodes: [a], exitCode: 1 });
    await cluster.setFaults({});
  });
});

/**
 * The real talosctl (pkg/cli/context.go, both eras; fixtures/captured/<tag>/snapshot-interrupted) catches the
 * first SIGINT or SIGTERM: it says so on stderr, cancels its call, prints the call's error and exits 1; it has
 * stopped listening by then, so a second signal kills it.
 */
describe("signals, as talosctl takes them", () => {
  const SIGNALLED = "Signal received, aborting, press Ctrl+C once again to abort immediately...\n";
  const CANCELED = "rpc error: code = Canceled desc = context canceled";

  /** Starts a call that hangs, sends it a signal once it is under way, and returns how it ended. */
  async function interrupt(argv: string[], signal: NodeJS.Signals) {
    // Under way: the simulator notes a call's start (TALOS_SIM_START_LOG) after its signal handlers are in place.
    const startLog = join(mkdtempSync(join(tmpdir(), "sim-signal-log-")), "starts.jsonl");
    const child = spawn(cluster.talosctlPath, argv, {
      env: { ...process.env, ...cluster.env, TALOS_SIM_START_LOG: startLog },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once("exit", (code, signal) => done({ code, signal })),
    );
    for (let i = 0; i < 600 && !existsSync(startLog); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(startLog)).toBe(true);
    child.kill(signal);
    return { ...(await ended), stderr };
  }

  it.each<[string, string[], string]>([
    ["status", ["etcd", "status"], `error getting status: ${CANCELED}`],
    ["members", ["etcd", "members"], `error getting members: ${CANCELED}`],
    ["defrag", ["etcd", "defrag"], CANCELED],
    ["forfeit-leadership", ["etcd", "forfeit-leadership"], CANCELED],
    ["alarm list", ["etcd", "alarm", "list"], `error getting alarms: ${CANCELED}`],
  ])(
    "a first SIGTERM during %s: the notice, the canceled call's error, exit 1",
    async (command, words, error) => {
      await cluster.setFaults({ [a]: { commands: { [command]: { hang: true } } } });
      try {
        const out = await interrupt(["-n", a, ...words], "SIGTERM");
        expect([out.code, out.signal, out.stderr]).toEqual([1, null, `${SIGNALLED}${error}\n`]);
        const last = (await cluster.callLog()).pop();
        expect(last).toMatchObject({ command, exitCode: 1 });
      } finally {
        await cluster.setFaults({});
      }
    },
  );

  it("v1.14's status, one call per node, drops the cancelled node's error and exits 0", async () => {
    await cluster.setRelease("v1.14");
    await cluster.setFaults({ [a]: { commands: { status: { hang: true } } } });
    try {
      const out = await interrupt(["-n", a, "etcd", "status"], "SIGTERM");
      expect([out.code, out.signal, out.stderr]).toEqual([0, null, SIGNALLED]);
    } finally {
      await cluster.setFaults({});
      await cluster.setRelease("v1.13");
    }
  });

  it.each<[string, string]>([
    ["v1.13", "sha256 checksum not found (size 0)"],
    ["v1.14", `error reading: ${CANCELED}`],
  ])("an interrupted snapshot on %s: its era's error, exit 1, no .part left", async (release, error) => {
    await cluster.setRelease(release as "v1.13" | "v1.14");
    await cluster.setFaults({ [a]: { commands: { snapshot: { hang: true } } } });
    const dir = mkdtempSync(join(tmpdir(), "sim-signal-"));
    try {
      const out = await interrupt(["-n", a, "etcd", "snapshot", join(dir, "db.snapshot")], "SIGINT");
      expect([out.code, out.signal, out.stderr]).toEqual([1, null, `${SIGNALLED}${error}\n`]);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await cluster.setFaults({});
      await cluster.setRelease("v1.13");
    }
  });
});

describe("call log", () => {
  it("records argv, nodes, command, times and exit code of every invocation in order", async () => {
    const before = (await cluster.callLog()).length;
    await runSim(cluster, ["--talosconfig", "/dev/null", "-n", a, "etcd", "alarm", "list"]);
    await runSim(cluster, ["-n", all, "etcd", "defrag"]);
    const entries = (await cluster.callLog()).slice(before);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      argv: ["--talosconfig", "/dev/null", "-n", a, "etcd", "alarm", "list"],
      nodes: [a],
      command: "alarm list",
      exitCode: 0,
    });
    expect(entries[1]).toMatchObject({ command: "defrag", nodes: cluster.nodes, exitCode: 1 });
    expect(entries[0]?.end).toBeGreaterThanOrEqual(entries[0]?.start ?? Number.POSITIVE_INFINITY);
    expect(entries[1]?.start).toBeGreaterThanOrEqual(entries[0]?.end ?? Number.POSITIVE_INFINITY);
  });
});
