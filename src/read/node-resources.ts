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
  /**
   * Starts `processes` and `mounts` now, without waiting, so that they run beside other calls (a defrag run's
   * first look); the next lastMemory and volumes take these answers. Nothing is said of them until taken.
   */
  prefetch(nodes: readonly string[]): void;
  /** A fresh `processes` call: etcd's RSS per node. */
  readMemory(nodes: readonly string[]): Promise<Readings<number>>;
  /** Starts a fresh `processes` call without waiting; the next lastMemory takes its answer. */
  refreshMemory(nodes: readonly string[]): void;
  /** The last `processes` answer when there is one (taken after the previous member's defrag), else a fresh one. */
  lastMemory(nodes: readonly string[]): Promise<Readings<number>>;
  /** `mounts`, read once per reader: free space does not move with other members' defrags. */
  volumes(nodes: readonly string[]): Promise<Readings<EtcdVolume>>;
  /** What the reader's callers have taken so far (a prefetch never taken is left out), for metrics after a run. */
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

/** A problem found in an answer: the whole call (node null) or one node's value. Said once per reader. */
interface Problem {
  node: string | null;
  text: string;
}

/** One call's answer, pending or in; its problems are said when it is first taken. */
interface Reading<V> {
  answer: Promise<{ values: Map<string, V>; problems: Problem[] }>;
  taken: boolean;
}

export function createNodeResourceReader(talosctl: Talosctl): NodeResourceReader {
  const said = new Set<string>();
  let memory: Reading<number> | undefined;
  let volumes: Reading<EtcdVolume> | undefined;
  const known = { memory: new Map<string, number>(), volumes: new Map<string, EtcdVolume>() };

  async function read<T extends { node: string }, V>(
    command: Command,
    nodes: readonly string[],
    call: () => Promise<NodeReadings<T>>,
    pick: (reading: T) => V,
  ): Promise<{ values: Map<string, V>; problems: Problem[] }> {
    const what = WHAT[command];
    const values = new Map<string, V>();
    let answer: NodeReadings<T>;
    try {
      answer = await call();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        values,
        problems: [{ node: null, text: `${what.value} is unknown: \`${what.command}\` failed (${why})` }],
      };
    }
    for (const reading of answer.readings) values.set(reading.node, pick(reading));
    const unknown = [
      ...answer.failed,
      ...nodes
        .filter((node) => !values.has(node) && !answer.failed.some((f) => f.node === node))
        .map((node) => ({ node, error: what.missing })),
    ];
    return {
      values,
      problems: unknown.map((f) => ({ node: f.node, text: f.error })),
    };
  }

  /** The problems not said before, each once; nodes unknown for the same reason share one warning. */
  const warningsOf = (command: Command, problems: readonly Problem[]): string[] => {
    const keyOf = (p: Problem) => (p.node === null ? command : `${command}/${p.node}`);
    const fresh = problems.filter((p) => !said.has(keyOf(p)));
    for (const p of fresh) said.add(keyOf(p));
    const what = WHAT[command];
    const perNode = fresh.filter((p) => p.node !== null);
    return [
      ...fresh.filter((p) => p.node === null).map((p) => p.text),
      ...[...new Set(perNode.map((p) => p.text))].map((error) => {
        const named = perNode.filter((p) => p.text === error).map((p) => p.node);
        return `${what.value} on ${named.join(", ")} is unknown: ${error}`;
      }),
    ];
  };

  const startMemory = (nodes: readonly string[]): Reading<number> => ({
    answer: read(
      "processes",
      nodes,
      () => talosctl.processes(nodes),
      (r) => r.rssBytes,
    ),
    taken: false,
  });
  const startVolumes = (nodes: readonly string[]): Reading<EtcdVolume> => ({
    answer: read(
      "mounts",
      nodes,
      () => talosctl.mounts(nodes),
      (r) => r,
    ),
    taken: false,
  });
  /** The answer, with its warnings the first time only; what is taken is what known() reports. */
  const take = async <V>(
    command: Command,
    reading: Reading<V>,
    into: Map<string, V>,
  ): Promise<Readings<V>> => {
    const result = await reading.answer;
    const first = !reading.taken;
    reading.taken = true;
    into.clear();
    for (const [node, value] of result.values) into.set(node, value);
    return { values: result.values, warnings: first ? warningsOf(command, result.problems) : [] };
  };

  const readMemory = (nodes: readonly string[]) => {
    memory = startMemory(nodes);
    return take("processes", memory, known.memory);
  };

  return {
    prefetch(nodes) {
      memory ??= startMemory(nodes);
      volumes ??= startVolumes(nodes);
    },
    readMemory,
    refreshMemory(nodes) {
      memory = startMemory(nodes);
    },
    lastMemory: (nodes) =>
      memory === undefined ? readMemory(nodes) : take("processes", memory, known.memory),
    volumes: (nodes) => {
      volumes ??= startVolumes(nodes);
      return take("mounts", volumes, known.volumes);
    },
    known: () => known,
  };
}
