/**
 * The one place in the program that starts a child process, through execa 9. argv arrays only, never a shell
 * (`shell: false`): node names and paths reach talosctl as single arguments, whatever characters they hold.
 *
 * What the rest of the program relies on, and which part of execa gives it:
 * - a timeout that sends SIGTERM, then SIGKILL after a grace period: `timeout`, `killSignal`,
 *   `forceKillAfterDelay`; `reject: false`, so a failed or killed call is a result, never a throw;
 * - a killed call reported without an exit code, with the signal that ended it (`isTerminated`, `signal`,
 *   `timedOut`), and each call's duration (`durationMs`); output is kept whole as text (`stripFinalNewline:
 *   false`), up to execa's default `maxBuffer` (100 MB a stream, far beyond any talosctl table);
 * - a missing or non-executable talosctl as a UserError with the install hint (`code` ENOENT / EACCES);
 * - talosctl in a process group of its own (`detached: true`): the terminal sends Ctrl-C's SIGINT to its
 *   foreground process group, and talosctl must not die with the first Ctrl-C while the run lets the running
 *   step finish (src/service/stop-signals.ts). The second Ctrl-C exits, and the exit takes talosctl with it;
 * - children killed when we exit. execa's `cleanup` does exactly that, but not for a detached child (its
 *   cleanup skips `detached`), so the same hook is installed here: signal-exit's `onExit`, the package execa's
 *   cleanup is built on (bundled once for both), which also runs when a signal ends us without a handler of ours.
 *   It signals the whole group, so a talosctl wrapper script goes with its children.
 *
 * The module is loaded on the first talosctl call (src/cli/io.ts), so `--help`, `--version` and `snapshot verify`
 * never load execa.
 */
import { execa } from "execa";
import { onExit } from "signal-exit";
import { UserError } from "../errors.js";
import type { Exec, ExecResult } from "./types.js";

/** Grace period between SIGTERM and SIGKILL for a timed-out call. */
const KILL_GRACE_MS = 2_000;

const INSTALL_HINT =
  "install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/), or pass --talosctl PATH, or set TALOSCTL";

export const runProcess: Exec = async (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs;
  const subprocess = execa(file, [...args], {
    shell: false,
    // talosctl may be a wrapper; it inherits our environment (TALOSCONFIG and the like) as the operator set it.
    extendEnv: true,
    preferLocal: false,
    stdin: "ignore",
    encoding: "utf8",
    stripFinalNewline: false,
    detached: true,
    // Inert with `detached` (see the header): the onExit hook below does its job.
    cleanup: false,
    reject: false,
    killSignal: "SIGTERM",
    forceKillAfterDelay: KILL_GRACE_MS,
    ...(timeoutMs === undefined || timeoutMs <= 0 ? {} : { timeout: timeoutMs }),
  });
  const pid = subprocess.pid;
  // Ctrl-C twice, or a signal while no handler of ours is installed: the call must not outlive us.
  const removeExitHook = pid === undefined ? () => {} : onExit(() => killGroup(pid));
  let result: Awaited<typeof subprocess>;
  try {
    result = await subprocess;
  } finally {
    removeExitHook();
  }
  if (result.code === "ENOENT" || result.code === "EACCES") {
    const why = result.code === "EACCES" ? "permission denied" : "not found";
    throw new UserError(`cannot run talosctl at ${JSON.stringify(file)}: ${why}`, INSTALL_HINT);
  }
  const killed = result.timedOut || result.isTerminated || result.exitCode === undefined;
  // Any other failure to start is a failed call without an exit code; the caller reports it with stderr.
  const startError = killed && !result.isTerminated && !result.timedOut ? describeCause(result) : "";
  return {
    stdout: result.stdout,
    stderr: result.stderr || startError,
    exitCode: killed ? undefined : result.exitCode,
    ...(result.signal === undefined ? {} : { signal: result.signal }),
    timedOut: result.timedOut,
    durationMs: Math.round(result.durationMs),
  } satisfies ExecResult;
};

/** SIGTERM to the child's process group (its pid, as `detached` made it the group's leader). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

function describeCause(result: { cause?: unknown; shortMessage?: string | undefined }): string {
  return result.cause instanceof Error ? result.cause.message : (result.shortMessage ?? "");
}
