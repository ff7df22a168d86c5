/** Scripted answers on top of the stateful cluster: a test replaces some talosctl calls and keeps the rest real. */

import type { ExecResult } from "../../src/talos/types.js";
import type { StatefulCluster } from "../cli/stateful-exec.js";

/** Answer a call with `answer`'s result when it returns one (recording the argv), else let the cluster answer. */
export function interceptExec(
  cluster: StatefulCluster,
  answer: (
    args: readonly string[],
    options: { timeoutMs?: number },
  ) => ExecResult | Promise<ExecResult | undefined> | undefined,
): void {
  const real = cluster.exec;
  cluster.exec = async (file, args, options) => {
    const scripted = await answer(args, options ?? {});
    if (scripted === undefined) return real(file, args, options);
    cluster.calls.push([...args]);
    return scripted;
  };
}

export function failedCall(stderr: string, extra: Partial<ExecResult> = {}): ExecResult {
  return { stdout: "", stderr, exitCode: 1, timedOut: false, durationMs: 1, ...extra };
}
