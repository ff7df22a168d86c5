/** Fault knobs and the call log, on the model backend (the fault code path is backend-independent). */
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

  it("a stopped member looks unreachable; defrag on it fails", async () => {
    await cluster.setFaults({});
    await cluster.stopMember(b);
    const defrag = await runSim(cluster, ["-n", b, "etcd", "defrag"]);
    await cluster.startMember(b);
    expect(defrag.exitCode).toBe(1);
    expect(defrag.stderr).toMatch(new RegExp(`^1 error occurred:\n\t\\* ${b}: ${UNAVAILABLE.source}\n\n\n$`));
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

  it("hang never answers; the kill is recorded in the call log", async () => {
    await cluster.setFaults({ [a]: { commands: { defrag: { hang: true } } } });
    const out = await runSim(cluster, ["-n", a, "etcd", "defrag"], { timeoutMs: 800 });
    expect(out.exitCode).toBeNull();
    expect(out.durationMs).toBeGreaterThanOrEqual(800);
    await new Promise((r) => setTimeout(r, 200));
    const last = (await cluster.callLog()).pop();
    expect(last).toMatchObject({ command: "defrag", nodes: [a], exitCode: 143 });
    await cluster.setFaults({});
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
