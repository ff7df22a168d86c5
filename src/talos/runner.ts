/**
 * The one place in the program that starts a child process. argv arrays only, never a shell:
 * node names and paths reach talosctl as single arguments, whatever characters they hold.
 *
 * Built on node:child_process rather than execa: importing execa cost ~100 ms of a cold start and each call
 * went through ~20 ms more of its machinery (BENCHMARKS.md, "Cold start"). What we relied on from execa is
 * kept: a timeout that sends SIGTERM then SIGKILL after a grace period, "killed" reported as no exit code,
 * a missing binary as a UserError, and children killed when we exit (signal-exit, as execa's `cleanup` did).
 */
import { spawn } from "node:child_process";
import { onExit } from "signal-exit";
import { UserError } from "../errors.js";
import type { Exec, ExecResult } from "./types.js";

/** Grace period between SIGTERM and SIGKILL for a timed-out call. */
const KILL_GRACE_MS = 2_000;

const INSTALL_HINT =
  "install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/), or pass --talosctl PATH, or set TALOSCTL";

export const runProcess: Exec = (file, args, options = {}) =>
  new Promise<ExecResult>((resolve, reject) => {
    // hrtime, not performance.now(): the `performance` global loads perf_hooks, ~0.6 ms of every start.
    const started = process.hrtime.bigint();
    // talosctl may be a wrapper; it inherits our environment (TALOSCONFIG and the like) as the operator set it.
    const child = spawn(file, [...args], { shell: false, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    // Ctrl-C twice, or a signal while no handler of ours is installed: the call must not outlive us.
    const removeExitHook = onExit(() => {
      child.kill();
    });
    let killTimer: NodeJS.Timeout | undefined;
    const timeoutMs = options.timeoutMs;
    const timer =
      timeoutMs === undefined || timeoutMs <= 0
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGTERM");
            killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
          }, timeoutMs);
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      removeExitHook();
      return true;
    };
    const durationMs = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);

    child.once("error", (error: NodeJS.ErrnoException) => {
      if (!settle()) return;
      if (error.code === "ENOENT" || error.code === "EACCES") {
        const why = error.code === "EACCES" ? "permission denied" : "not found";
        reject(new UserError(`cannot run talosctl at ${JSON.stringify(file)}: ${why}`, INSTALL_HINT));
        return;
      }
      // Any other failure to start is a failed call without an exit code; the caller reports it with stderr.
      resolve({
        stdout,
        stderr: stderr || error.message,
        exitCode: undefined,
        timedOut,
        durationMs: durationMs(),
      });
    });
    child.once("close", (code, signal) => {
      if (!settle()) return;
      resolve({
        stdout,
        stderr,
        exitCode: timedOut || signal !== null || code === null ? undefined : code,
        timedOut,
        durationMs: durationMs(),
      });
    });
  });

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
