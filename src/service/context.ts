/**
 * What a service needs from the command that calls it. The CLI's CommandContext has this shape; a service never
 * imports from src/cli, so commands stay flag parsers and services stay callable from tests and other front ends.
 */
import type { CompiledRule } from "../cluster/rule.js";
import { type ClusterReader, openClusterReader } from "../read/cluster-reader.js";
import type { Talosctl } from "../talos/talosctl.js";
import type { TalosTarget } from "../talos/types.js";

/** The terminal as a run uses it: progress on stderr, one question, stop signals. */
export interface RunTerminal {
  stderr(text: string): void;
  stderrIsTTY: boolean;
  /** Columns progress lines may use; undefined = unlimited (not a terminal). */
  stderrWidth?: number | undefined;
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal. */
  confirm(question: string): Promise<boolean>;
  /** Calls handler on SIGINT/SIGTERM/SIGHUP until the returned function is called. */
  onStopSignal(handler: (signal: string) => void): () => void;
  /** Leaves at once (the second Ctrl-C). */
  exitNow(code: number): void;
}

export interface ServiceContext {
  io: RunTerminal;
  target: TalosTarget;
  talosctl: Talosctl;
  warn(line: string): void;
}

export interface ReaderRequest {
  rule: CompiledRule;
  quotaBytes?: number;
}

/** Discovers the cluster of the target (-n, else the context's members) and reads it with this rule. */
export async function openReader(
  ctx: Pick<ServiceContext, "target" | "talosctl" | "warn"> & { io: Pick<RunTerminal, "env"> },
  request: ReaderRequest,
): Promise<ClusterReader & { rule: CompiledRule }> {
  const reader = await openClusterReader(ctx.talosctl, {
    nodes: ctx.target.nodes,
    rule: request.rule,
    ...(request.quotaBytes === undefined ? {} : { quotaBytes: request.quotaBytes }),
    warn: ctx.warn,
    // Asked only when the context's node is a learner: another node of the context may list the members.
    // Loaded only then: reading a talosconfig needs the YAML parser, ~20 ms at every start otherwise.
    contextAddresses: async () =>
      (await import("../talos/talosconfig.js")).readContextAddresses(ctx.target, ctx.io.env),
  });
  return Object.assign(reader, { rule: request.rule });
}
