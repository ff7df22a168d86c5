/**
 * --verbose: one line per talosctl call. Kept apart from runner.ts so that the command code that wires it
 * (src/cli/context.ts) does not load execa before the first call.
 */
import type { Exec, ExecResult } from "./types.js";

/** Wrap an Exec so that each call's argv and duration is reported (for --verbose). */
export function traceExec(exec: Exec, log: (line: string) => void): Exec {
  return async (file, args, options) => {
    const result = await exec(file, args, options);
    log(
      `$ ${[file, ...args].map(quoteForDisplay).join(" ")}  (${result.durationMs} ms, ${describeEnd(result)})`,
    );
    return result;
  };
}

/** How a call ended, in a few words: `exit 0`, `timed out`, `killed by SIGINT`. */
function describeEnd(result: Pick<ExecResult, "exitCode" | "timedOut" | "signal">): string {
  if (result.timedOut) return "timed out";
  if (result.exitCode !== undefined) return `exit ${result.exitCode}`;
  return result.signal === undefined ? "killed" : `killed by ${result.signal}`;
}

/** Only for display in logs: the argv is never handed to a shell. */
function quoteForDisplay(arg: string): string {
  return /^[\w./:,=@+-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
