/**
 * The one place in the program that starts a child process. argv arrays only, never a shell:
 * node names and paths reach talosctl as single arguments, whatever characters they hold.
 */
import { execa } from "execa";
import { UserError } from "../errors.js";
import type { Exec, ExecResult } from "./types.js";

/** Grace period between SIGTERM and SIGKILL for a timed-out call. */
const KILL_GRACE_MS = 2_000;

export const runProcess: Exec = async (file, args, options = {}) => {
  const started = performance.now();
  const result = await execa(file, [...args], {
    shell: false,
    reject: false,
    stdin: "ignore",
    stripFinalNewline: false,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    forceKillAfterDelay: KILL_GRACE_MS,
    // talosctl may be a wrapper; keep its environment (TALOSCONFIG and the like) as the operator set it.
    extendEnv: true,
    encoding: "utf8",
  });
  const durationMs = Math.round(performance.now() - started);
  if (result.failed && result.exitCode === undefined && !result.timedOut && isNotFound(result)) {
    throw new UserError(
      `cannot run talosctl at ${JSON.stringify(file)}: ${result.code === "EACCES" ? "permission denied" : "not found"}`,
      "install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/), or pass --talosctl PATH, or set TALOSCTL",
    );
  }
  const out: ExecResult = {
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    exitCode: result.timedOut || result.isTerminated ? undefined : result.exitCode,
    timedOut: result.timedOut,
    durationMs,
  };
  return out;
};

function isNotFound(result: { code?: string | undefined }): boolean {
  return result.code === "ENOENT" || result.code === "EACCES";
}

/** Wrap an Exec so that each call's argv and duration is reported (for --verbose). */
export function traceExec(exec: Exec, log: (line: string) => void): Exec {
  return async (file, args, options) => {
    const result = await exec(file, args, options);
    const how = result.timedOut ? "timed out" : `exit ${result.exitCode ?? "killed"}`;
    log(`$ ${[file, ...args].map(quoteForDisplay).join(" ")}  (${result.durationMs} ms, ${how})`);
    return result;
  };
}

/** Only for display in logs: the argv is never handed to a shell. */
function quoteForDisplay(arg: string): string {
  return /^[\w./:,=@+-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
