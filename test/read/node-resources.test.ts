/** The optional readings: values by node, each problem said once, nothing ever thrown. */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { createNodeResourceReader } from "../../src/read/node-resources.js";
import type { EtcdMemory, EtcdVolume, NodeReadings } from "../../src/talos/etcd-resources.js";
import type { Talosctl } from "../../src/talos/talosctl.js";

const NODES = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

function fakeTalosctl(
  processes: () => Promise<NodeReadings<EtcdMemory>>,
  mounts: () => Promise<NodeReadings<EtcdVolume>> = async () => ({ readings: [], failed: [] }),
) {
  const calls: string[] = [];
  const talosctl = {
    processes: async () => {
      calls.push("processes");
      return processes();
    },
    mounts: async () => {
      calls.push("mounts");
      return mounts();
    },
  } as unknown as Talosctl;
  return { talosctl, calls };
}

const rss = (node: string, rssBytes: number): EtcdMemory => ({ node, pid: 1, rssBytes });

describe("createNodeResourceReader", () => {
  it("maps readings by node and names the nodes without one, once", async () => {
    const { talosctl } = fakeTalosctl(async () => ({
      readings: [rss("10.0.0.1", 5e7)],
      failed: [{ node: "10.0.0.3", kind: "unreachable", error: "rpc error: code = Unavailable desc = gone" }],
    }));
    const reader = createNodeResourceReader(talosctl);
    const first = await reader.readMemory(NODES);
    expect([...first.values]).toEqual([["10.0.0.1", 5e7]]);
    expect(first.warnings).toEqual([
      "etcd's memory on 10.0.0.3 is unknown: rpc error: code = Unavailable desc = gone",
      "etcd's memory on 10.0.0.2 is unknown: no etcd process in its process list",
    ]);
    expect((await reader.readMemory(NODES)).warnings).toEqual([]);
  });

  it.each([
    ["a refusal", new Error("talosctl processes exited with code 1: rpc error: code = PermissionDenied")],
    ["unreadable output", new ParseError("processes", "not a process row", "x")],
  ])("%s: no values, one warning for the whole reader, no throw", async (_name, error) => {
    const { talosctl, calls } = fakeTalosctl(async () => {
      throw error;
    });
    const reader = createNodeResourceReader(talosctl);
    const results = [
      await reader.readMemory(NODES),
      await reader.readMemory(NODES),
      await reader.lastMemory(NODES),
    ];
    expect(results.every((r) => r.values.size === 0)).toBe(true);
    expect(results.flatMap((r) => r.warnings)).toHaveLength(1);
    expect(results[0]?.warnings[0]).toMatch(/^etcd's memory is unknown: `talosctl processes` failed/);
    expect(calls).toEqual(["processes", "processes"]);
  });

  it("lastMemory reuses the latest answer; volumes are read once", async () => {
    let n = 0;
    const volume: EtcdVolume = {
      node: "10.0.0.1",
      mountedOn: "/var",
      filesystem: "/dev/sda6",
      sizeBytes: 1e10,
      availableBytes: 7e9,
    };
    const { talosctl, calls } = fakeTalosctl(
      async () => ({ readings: [rss("10.0.0.1", ++n)], failed: [] }),
      async () => ({ readings: [volume], failed: [] }),
    );
    const reader = createNodeResourceReader(talosctl);
    expect((await reader.lastMemory(["10.0.0.1"])).values.get("10.0.0.1")).toBe(1);
    expect((await reader.lastMemory(["10.0.0.1"])).values.get("10.0.0.1")).toBe(1);
    expect((await reader.readMemory(["10.0.0.1"])).values.get("10.0.0.1")).toBe(2);
    expect((await reader.lastMemory(["10.0.0.1"])).values.get("10.0.0.1")).toBe(2);
    await reader.volumes(["10.0.0.1"]);
    expect((await reader.volumes(["10.0.0.1"])).values.get("10.0.0.1")).toEqual(volume);
    expect(calls).toEqual(["processes", "processes", "mounts"]);
    expect(reader.known().memory.get("10.0.0.1")).toBe(2);
  });

  it("prefetch starts both calls without waiting; their warnings are said once, when taken", async () => {
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const { talosctl, calls } = fakeTalosctl(async () => {
      await held;
      return { readings: [rss("10.0.0.1", 7)], failed: [] };
    });
    const reader = createNodeResourceReader(talosctl);
    reader.prefetch(["10.0.0.1", "10.0.0.2"]);
    expect(calls).toEqual(["processes", "mounts"]);
    // Nothing taken yet: metrics written now would not report a value the run never used.
    expect(reader.known().memory.size).toBe(0);
    answer();
    const memory = await reader.lastMemory(["10.0.0.1", "10.0.0.2"]);
    expect(memory.values.get("10.0.0.1")).toBe(7);
    expect(memory.warnings).toEqual([
      "etcd's memory on 10.0.0.2 is unknown: no etcd process in its process list",
    ]);
    expect((await reader.lastMemory(["10.0.0.1", "10.0.0.2"])).warnings).toEqual([]);
    expect((await reader.volumes(["10.0.0.1", "10.0.0.2"])).warnings).toEqual([
      "free disk space on 10.0.0.1, 10.0.0.2 is unknown: no mount holds /var/lib/etcd",
    ]);
    reader.prefetch(["10.0.0.1"]);
    expect(calls).toEqual(["processes", "mounts"]);
    expect(reader.known().memory.get("10.0.0.1")).toBe(7);
  });

  it("a prefetch never taken says nothing, and a later read still names its nodes", async () => {
    const { talosctl } = fakeTalosctl(async () => ({ readings: [], failed: [] }));
    const reader = createNodeResourceReader(talosctl);
    reader.prefetch(["10.0.0.1"]);
    const fresh = await reader.readMemory(["10.0.0.1"]);
    expect(fresh.warnings).toEqual([
      "etcd's memory on 10.0.0.1 is unknown: no etcd process in its process list",
    ]);
  });
});
