/**
 * One hung node must not blind a multi-node read (issue 18 item 10): talosctl waits for every node, so a single
 * node that never answers makes the whole call time out. The client then asks the nodes one by one, in parallel,
 * with the same timeout, keeps the rows of those that answer and names the one that did not (kind `timed-out`).
 */
import { describe, expect, it } from "vitest";
import { CommandError } from "../../src/errors.js";
import { createTalosctl } from "../../src/talos/client.js";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import { loadFixture, type Subcommand } from "./fixtures.js";

const NODES = ["172.20.0.2", "172.20.0.3", "172.20.0.4"];
const HUNG = "172.20.0.4";

const timedOut: ExecResult = {
  stdout: "",
  stderr: "",
  exitCode: undefined,
  timedOut: true,
  durationMs: 3000,
};

/** Answers from v1.13/healthy-3, restricted to the nodes asked; any call that includes HUNG times out. */
function hungExec(calls: { nodes: string[]; command: string; timeoutMs?: number }[]): Exec {
  return async (_file, args, options) => {
    const at = args.indexOf("-n");
    const nodes = at < 0 ? [] : (args[at + 1] ?? "").split(",");
    const command = args.slice(at < 0 ? 0 : at + 2).join(" ");
    calls.push({
      nodes,
      command,
      ...(options?.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (nodes.includes(HUNG)) return timedOut;
    const sub: Subcommand =
      command === "etcd status" ? "status" : command === "etcd members" ? "members" : "alarm-list";
    const lines = loadFixture("v1.13", "healthy-3", sub).stdout.split("\n");
    const rows = lines.slice(1).filter((l) => nodes.some((n) => l.startsWith(`${n} `)));
    return {
      stdout: [lines[0], ...rows, ""].join("\n"),
      stderr: "",
      exitCode: 0,
      timedOut: false,
      durationMs: 5,
    };
  };
}

const client = (calls: Parameters<typeof hungExec>[0]) =>
  createTalosctl({ talosctl: "talosctl", nodes: NODES }, hungExec(calls), { timeoutMs: 3000 });

describe("a multi-node read that times out because one node hangs", () => {
  it("status: the nodes that answer are reported, the hung one is named as timed-out", async () => {
    const calls: Parameters<typeof hungExec>[0] = [];
    const result = await client(calls).status(NODES);
    expect(result.rows.map((r) => r.node).sort()).toEqual(["172.20.0.2", "172.20.0.3"]);
    expect(result.failures).toEqual([
      { node: HUNG, kind: "timed-out", error: expect.stringMatching(/timed out after 3\.0 s/) },
    ]);
    // One call for all, then one per node, each with the same timeout.
    expect(calls.map((c) => c.nodes.join(","))).toEqual([NODES.join(","), ...NODES]);
    expect(calls.every((c) => c.timeoutMs === 3000)).toBe(true);
  });

  it("members and alarm list do the same", async () => {
    const calls: Parameters<typeof hungExec>[0] = [];
    const members = await client(calls).members(NODES);
    expect(members.failures.map((f) => [f.node, f.kind])).toEqual([[HUNG, "timed-out"]]);
    expect(members.rows.length).toBeGreaterThan(0);
    const alarms = await client(calls).alarms(NODES);
    expect(alarms.failures.map((f) => [f.node, f.kind])).toEqual([[HUNG, "timed-out"]]);
  });

  it("a single node that times out still throws the timeout (nothing to split)", async () => {
    const calls: Parameters<typeof hungExec>[0] = [];
    await expect(client(calls).status([HUNG])).rejects.toBeInstanceOf(CommandError);
    expect(calls).toHaveLength(1);
  });

  it("alarm disarm, which changes the cluster, is never sent again node by node", async () => {
    const calls: Parameters<typeof hungExec>[0] = [];
    await expect(client(calls).disarmAlarms(NODES)).rejects.toBeInstanceOf(CommandError);
    expect(calls).toHaveLength(1);
  });
});

describe("every node hangs on its own too", () => {
  it("throws the timeout as before: talosctl or the endpoint does not answer, not one node", async () => {
    const calls: { nodes: string[]; command: string }[] = [];
    const exec: Exec = async (_f, args) => {
      calls.push({ nodes: [], command: args.join(" ") });
      return timedOut;
    };
    const talosctl = createTalosctl({ talosctl: "talosctl", nodes: NODES }, exec, { timeoutMs: 3000 });
    await expect(talosctl.status(NODES)).rejects.toBeInstanceOf(CommandError);
    expect(calls).toHaveLength(1 + NODES.length);
  });
});
