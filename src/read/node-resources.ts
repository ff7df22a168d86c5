/**
 * etcd's memory and the free space beside its data, read through talosctl `processes` and `mounts` (one call
 * for all nodes each). Optional data: a refused or unreadable call, a failed node or a node without an etcd
 * process leaves that value unknown and yields ONE warning per command and node for the reader's lifetime;
 * nothing here throws. Callers route the warnings (the CLI's stderr, or a run's report).
 */
import type { EtcdVolume, NodeReadings } from "../talos/etcd-resources.js";
import type { Talosctl } from "../talos/talosctl.js";

export interface Readings<T> {
  /** Known values by node; a node that is missing is unknown. */
  values: ReadonlyMap<string, T>;
  /** New warnings (each said once per reader). */
  warnings: string[];
}

export interface NodeResourceReader {
  /** A fresh `processes` call: etcd's RSS per node. */
  readMemory(nodes: readonly string[]): Promise<Readings<number>>;
  /** The last `processes` answer when there is one (taken after the previous member's defrag), else a fresh one. */
  lastMemory(nodes: readonly string[]): Promise<Readings<number>>;
  /** `mounts`, read once per reader: free space does not move with other members' defrags. */
  volumes(nodes: readonly string[]): Promise<Readings<EtcdVolume>>;
  /** What the reader knows so far, for metrics written after a run. */
  known(): { memory: ReadonlyMap<string, number>; volumes: ReadonlyMap<string, EtcdVolume> };
}

const WHAT = {
  processes: {
    command: "talosctl processes",
    missing: "no etcd process in its process list",
    value: "etcd's memory",
  },
  mounts: { command: "talosctl mounts", missing: "no mount holds /var/lib/etcd", value: "free disk space" },
} as const;

type Command = keyof typeof WHAT;

export function createNodeResourceReader(talosctl: Talosctl): NodeResourceReader {
  const said = new Set<string>();
  let memory: Map<string, number> | undefined;
  let volumes: Map<string, EtcdVolume> | undefined;

  const once = (key: string, text: string, into: string[]) => {
    if (said.has(key)) return;
    said.add(key);
    into.push(text);
  };

  async function read<T extends { node: string }, V>(
    command: Command,
    nodes: readonly string[],
    call: () => Promise<NodeReadings<T>>,
    pick: (reading: T) => V,
  ): Promise<{ values: Map<string, V>; warnings: string[] }> {
    const what = WHAT[command];
    const warnings: string[] = [];
    const values = new Map<string, V>();
    let answer: NodeReadings<T>;
    try {
      answer = await call();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      once(command, `${what.value} is unknown: \`${what.command}\` failed (${why})`, warnings);
      return { values, warnings };
    }
    for (const reading of answer.readings) values.set(reading.node, pick(reading));
    const unknown = [
      ...answer.failed,
      ...nodes
        .filter((node) => !values.has(node) && !answer.failed.some((f) => f.node === node))
        .map((node) => ({ node, error: what.missing })),
    ].filter((f) => !said.has(`${command}/${f.node}`));
    // Nodes that are unknown for the same reason share one warning.
    for (const error of new Set(unknown.map((f) => f.error))) {
      const named = unknown.filter((f) => f.error === error).map((f) => f.node);
      for (const node of named) said.add(`${command}/${node}`);
      warnings.push(`${what.value} on ${named.join(", ")} is unknown: ${error}`);
    }
    return { values, warnings };
  }

  const readMemory = async (nodes: readonly string[]) => {
    const result = await read(
      "processes",
      nodes,
      () => talosctl.processes(nodes),
      (r) => r.rssBytes,
    );
    memory = result.values;
    return result;
  };

  return {
    readMemory,
    lastMemory: async (nodes) =>
      memory === undefined ? readMemory(nodes) : { values: memory, warnings: [] },
    volumes: async (nodes) => {
      if (volumes !== undefined) return { values: volumes, warnings: [] };
      const result = await read(
        "mounts",
        nodes,
        () => talosctl.mounts(nodes),
        (r) => r,
      );
      volumes = result.values;
      return result;
    },
    known: () => ({ memory: memory ?? new Map(), volumes: volumes ?? new Map() }),
  };
}
