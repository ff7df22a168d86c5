/**
 * createTalosctl: builds talosctl argv, runs it through the injected Exec, and turns its output into typed
 * results. Multi-node calls keep the rows of the nodes that answered and list the others as typed failures,
 * whichever way the talosctl release reports them (WARNING block with exit 0, or error lines with exit 1).
 */
import { CommandError, ParseError } from "../errors.js";
import { classifyFailure } from "./error-kinds.js";
import { pickEtcdMemory, pickEtcdVolumes } from "./etcd-resources.js";
import { parseAlarms } from "./parse-alarms.js";
import { parseNodeFailures } from "./parse-failures.js";
import { parseMembers } from "./parse-members.js";
import { parseMounts } from "./parse-mounts.js";
import { parseProcesses } from "./parse-processes.js";
import { parseSnapshotReport } from "./parse-snapshot.js";
import { parseStatus } from "./parse-status.js";
import type { Talosctl } from "./talosctl.js";
import type { Exec, ExecResult, MultiNodeResult, TalosTarget } from "./types.js";

export interface ClientOptions {
  /** Timeout for short calls (status, members, alarms, forfeit, etcdspec). Defrag and snapshot have none by default. */
  timeoutMs: number;
  /** Timeout for `etcd snapshot` (a large database takes a while to stream). */
  snapshotTimeoutMs?: number;
}

export function createTalosctl(target: TalosTarget, exec: Exec, options: ClientOptions): Talosctl {
  const globalArgs = (nodes: readonly string[]): string[] => {
    const args: string[] = [];
    if (target.talosconfig !== undefined) args.push("--talosconfig", target.talosconfig);
    if (target.context !== undefined) args.push("--context", target.context);
    if (target.endpoints !== undefined && target.endpoints.length > 0)
      args.push("-e", target.endpoints.join(","));
    if (nodes.length > 0) args.push("-n", nodes.join(","));
    return args;
  };

  const run = async (nodes: readonly string[], command: string[], timeoutMs?: number) => {
    const argv = [...globalArgs(nodes), ...command];
    const result = await exec(target.talosctl, argv, timeoutMs === undefined ? {} : { timeoutMs });
    return { argv: ["talosctl", ...argv], result };
  };

  /**
   * Run a call that may answer for some nodes and fail for others. talosctl waits for every node, so one hung node
   * times the whole call out: a read (never a call that changes anything) is then asked of each node on its own,
   * in parallel with the same timeout, and only the nodes that do not answer are failures.
   */
  const multi = async <T>(
    nodes: readonly string[],
    command: string[],
    parse: (stdout: string) => T[],
    read = true,
  ): Promise<MultiNodeResult<T>> => {
    const { argv, result } = await run(nodes, command, options.timeoutMs);
    const label = command.join(" ");
    const failures = parseNodeFailures(result.stderr);
    if (result.exitCode === 0) return { rows: parse(result.stdout), failures };
    if (result.timedOut && read && nodes.length > 1) {
      const each = await eachNode(nodes, command, parse);
      // Every node hung on its own too: talosctl itself (or the endpoint) does not answer, not one node.
      if (each.failures.filter((f) => f.kind === "timed-out").length < nodes.length) return each;
    }
    if (result.timedOut) throw commandError(argv, result);
    // v1.14 reports per-node failures with exit 1 and still prints the rows of the nodes that answered.
    // A failure that names nodes is a partial answer (alarm list prints nothing for the nodes that answered).
    const rows = result.stdout.trim() === "" ? [] : parse(result.stdout);
    if (failures.length > 0) return { rows, failures };
    if (rows.length > 0)
      throw new ParseError(
        label,
        "talosctl failed but printed rows without saying which node failed",
        firstLine(result),
      );
    throw commandError(argv, result);
  };

  const eachNode = async <T>(
    nodes: readonly string[],
    command: string[],
    parse: (stdout: string) => T[],
  ): Promise<MultiNodeResult<T>> => {
    const answers = await Promise.all(
      nodes.map((node) =>
        multi([node], command, parse).catch((error: unknown): MultiNodeResult<T> => {
          if (!(error instanceof CommandError)) throw error;
          const kind = error.kind ?? "other";
          const why =
            kind === "timed-out"
              ? `timed out after ${(options.timeoutMs / 1000).toFixed(1)} s, asked on its own`
              : error.stderr.trim().split("\n")[0] || error.message;
          return { rows: [], failures: [{ node, kind, error: why }] };
        }),
      ),
    );
    return { rows: answers.flatMap((a) => a.rows), failures: answers.flatMap((a) => a.failures) };
  };

  /** Run a single-node call that prints nothing useful on success. */
  const single = async (node: string, command: string[], timeoutMs?: number): Promise<ExecResult> => {
    const { argv, result } = await run([node], command, timeoutMs);
    if (result.exitCode !== 0) throw commandError(argv, result);
    return result;
  };

  return {
    status: (nodes) => multi(nodes, ["etcd", "status"], parseStatus),
    members: (nodes) => multi(nodes, ["etcd", "members"], parseMembers),
    alarms: (nodes) => multi(nodes, ["etcd", "alarm", "list"], parseAlarms),
    disarmAlarms: (nodes) => multi(nodes, ["etcd", "alarm", "disarm"], parseAlarms, false),
    defrag: async (node, timeoutMs) => {
      const result = await single(node, ["etcd", "defrag"], timeoutMs);
      return { durationMs: result.durationMs };
    },
    snapshot: async (node, path, timeoutMs) => {
      const result = await single(node, ["etcd", "snapshot", path], timeoutMs ?? options.snapshotTimeoutMs);
      return parseSnapshotReport(result.stdout);
    },
    forfeitLeadership: async (node) => {
      await single(node, ["etcd", "forfeit-leadership"], options.timeoutMs);
    },
    etcdSpec: async (node) => {
      // The YAML library is the costliest import of a start (~40 ms, BENCHMARKS.md): load it while talosctl runs.
      const parser = import("./parse-etcdspec.js");
      const result = await single(node, ["get", "etcdspec", "etcd", "-o", "yaml"], options.timeoutMs);
      return (await parser).parseEtcdSpec(result.stdout);
    },
    processes: async (nodes) => pickEtcdMemory(nodes, await multi(nodes, ["processes"], parseProcesses)),
    mounts: async (nodes) => pickEtcdVolumes(await multi(nodes, ["mounts"], parseMounts)),
  };
}

function commandError(argv: readonly string[], result: ExecResult): CommandError {
  const kind = classifyFailure(result.stderr, result.timedOut);
  return new CommandError(argv, result.exitCode, result.stderr, result.timedOut, kind, result.signal);
}

function firstLine(result: ExecResult): string {
  return result.stdout.split("\n")[0] ?? "";
}
