/**
 * Asks several simulated nodes the same question, applying each node's faults the way the
 * node (or apid in front of it) would misbehave. Answers come back ordered as talosctl sees them.
 */
import { permissionDeniedError, RpcError, unavailableError, workerError } from "./backend.js";
import { type Faults, resolveFault, type SimCommand } from "./config.js";
import type { Outcome } from "./render.js";

/** Commands a worker answers like any node: they do not go to etcd. */
const NOT_ETCD: ReadonlySet<SimCommand> = new Set(["etcdspec", "processes", "mounts"]);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Never resolves; the timer keeps the process alive until it is killed. */
export function hangForever(): Promise<never> {
  return new Promise(() => {
    setInterval(() => {}, 60_000);
  });
}

export function describeError(error: unknown): string {
  if (error instanceof RpcError) return error.message;
  return `rpc error: code = Unknown desc = ${(error as Error).message ?? String(error)}`;
}

/** One node's answer with its faults applied, or its failure as talosctl prints it. */
export async function askNode<T>(
  faults: Faults,
  node: string,
  command: SimCommand,
  ask: (node: string) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  const fault = resolveFault(faults, node, command);
  if (fault.hang) await hangForever();
  if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs);
  try {
    if (fault.unreachable) throw unavailableError(node);
    if (fault.worker && !NOT_ETCD.has(command)) throw workerError(command);
    if (fault.permissionDenied) throw permissionDeniedError();
    return { ok: true, value: await ask(node) };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/**
 * All nodes at once. Real talosctl prints rows in the order nodes answer; to keep tests deterministic
 * the order here is by injected delay, then by -n order (actual network jitter is ignored).
 */
export async function fanOut<T>(
  faults: Faults,
  nodes: readonly string[],
  command: SimCommand,
  ask: (node: string) => Promise<T>,
): Promise<Outcome<T>[]> {
  const outcomes = await Promise.all(
    nodes.map(async (node, index) => {
      const answer = await askNode(faults, node, command, ask);
      const answeredAfterMs = resolveFault(faults, node, command).delayMs ?? 0;
      return { node, answeredAfterMs, index, ...answer } as Outcome<T> & { index: number };
    }),
  );
  outcomes.sort((a, b) => a.answeredAfterMs - b.answeredAfterMs || a.index - b.index);
  return outcomes.map(({ index: _index, ...rest }) => rest as Outcome<T>);
}
