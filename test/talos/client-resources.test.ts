/** The typed `processes` and `mounts` calls over replayed fixtures: one call for all nodes, per-node answers. */
import { describe, expect, it } from "vitest";
import { CommandError, ParseError } from "../../src/errors.js";
import { createTalosctl } from "../../src/talos/client.js";
import { NO_TABLE_ERROR } from "../../src/talos/etcd-resources.js";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import { type Fixture, loadFixture, type Subcommand } from "./fixtures.js";

const NODES = ["172.20.0.2", "172.20.0.3", "172.20.0.4"];

function replay(fixture: Pick<Fixture, "stdout" | "stderr" | "exitCode">) {
  const argvs: string[][] = [];
  const exec: Exec = async (_file, args) => {
    argvs.push([...args]);
    const result: ExecResult = {
      stdout: fixture.stdout,
      stderr: fixture.stderr,
      exitCode: fixture.exitCode,
      timedOut: false,
      durationMs: 5,
    };
    return result;
  };
  const talosctl = createTalosctl({ talosctl: "talosctl", nodes: [] }, exec, { timeoutMs: 1000 });
  return { talosctl, argvs };
}

const load = (release: string, scenario: string, sub: Subcommand) =>
  replay(loadFixture(release, scenario, sub));

describe("talosctl processes", () => {
  it.each([
    [
      "v1.7",
      "healthy-3",
      { "172.20.0.3": 1_700_000_000, "172.20.0.2": 312_000_000, "172.20.0.4": 287_000_000 },
    ],
    [
      "v1.13",
      "healthy-3",
      { "172.20.0.3": 1_200_000_000, "172.20.0.2": 312_000_000, "172.20.0.4": 99_000_000 },
    ],
    [
      "v1.14",
      "healthy-3",
      { "172.20.0.3": 1_700_000_000, "172.20.0.2": 87_000_000, "172.20.0.4": 9_800_000 },
    ],
  ])("%s/%s: etcd's RSS per node from one call", async (release, scenario, expected) => {
    const { talosctl, argvs } = load(release, scenario, "processes");
    const result = await talosctl.processes(NODES);
    expect(argvs).toEqual([["-n", NODES.join(","), "processes"]]);
    expect(Object.fromEntries(result.readings.map((r) => [r.node, r.rssBytes]))).toEqual(expected);
    expect(result.failed).toEqual([]);
  });

  it("v1.14 partial failure: the rows that came, and the node that failed", async () => {
    const result = await load("v1.14", "unreachable-1", "processes").talosctl.processes(NODES);
    expect(result.readings.map((r) => r.node)).toEqual(["172.20.0.3", "172.20.0.2"]);
    expect(result.failed.map((f) => f.node)).toEqual(["172.20.0.4"]);
  });

  it.each(["v1.7", "v1.13"])("%s partial failure: no table, so every node is unknown", async (release) => {
    const result = await load(release, "unreachable-1", "processes").talosctl.processes(NODES);
    expect(result.readings).toEqual([]);
    expect(result.failed).toEqual([
      { node: "172.20.0.4", kind: "unreachable", error: expect.stringContaining("Unavailable") },
      { node: "172.20.0.2", kind: "other", error: NO_TABLE_ERROR },
      { node: "172.20.0.3", kind: "other", error: NO_TABLE_ERROR },
    ]);
  });

  it("a worker answers without an etcd row: neither a reading nor a failure", async () => {
    const result = await load("v1.13", "worker-node", "processes").talosctl.processes([
      ...NODES,
      "172.20.0.6",
    ]);
    expect(result.readings.map((r) => r.node).sort()).toEqual(NODES);
    expect(result.failed).toEqual([]);
  });

  it("a refusal that names no node throws (the caller makes it one warning)", async () => {
    const denied = replay({
      stdout: "",
      stderr: "rpc error: code = PermissionDenied desc = not authorized\n",
      exitCode: 1,
    });
    await expect(denied.talosctl.processes(NODES)).rejects.toBeInstanceOf(CommandError);
  });

  it("garbage is a ParseError", async () => {
    await expect(load("v1.13", "garbage", "processes").talosctl.processes(NODES)).rejects.toBeInstanceOf(
      ParseError,
    );
  });
});

describe("talosctl mounts", () => {
  it("finds the volume holding /var/lib/etcd per node", async () => {
    const { talosctl, argvs } = load("v1.14", "etcd-volume", "mounts");
    const result = await talosctl.mounts(NODES);
    expect(argvs).toEqual([["-n", NODES.join(","), "mounts"]]);
    expect(result.readings).toEqual([
      expect.objectContaining({
        node: "172.20.0.3",
        mountedOn: "/var/lib/etcd",
        availableBytes: 910_000_000,
      }),
      expect.objectContaining({
        node: "172.20.0.2",
        mountedOn: "/var/lib/etcd",
        availableBytes: 900_000_000,
      }),
      expect.objectContaining({ node: "172.20.0.4", mountedOn: "/var/lib/etcd", availableBytes: 30_000_000 }),
    ]);
  });

  it.each(["v1.13", "v1.14"])("%s partial failure keeps the rows and names the node", async (release) => {
    const result = await load(release, "unreachable-1", "mounts").talosctl.mounts(NODES);
    expect(result.readings.map((r) => [r.node, r.mountedOn])).toEqual([
      ["172.20.0.3", "/var"],
      ["172.20.0.2", "/var"],
    ]);
    expect(result.failed.map((f) => f.node)).toEqual(["172.20.0.4"]);
  });
});
