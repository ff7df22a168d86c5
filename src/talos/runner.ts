/**
 * The one place in the program that starts a child process, through execa 9. argv arrays only, never a shell
 * (`shell: false`): node names and paths reach talosctl as single arguments, whatever characters they hold.
 *
 * What the rest of the program relies on, and which part of execa gives it:
 * - a timeout that sends SIGTERM to talosctl's whole process group, then SIGKILL to it after a grace period: our
 *   own timer, not execa's `timeout`, which signals only the direct child: a talosctl wrapper script that does
 *   not `exec` died and left its child running with our pipes open, so the call returned only when that child
 *   did, or never (issue 27 item 8); `reject: false`, so a failed or killed call is a result, never a throw;
 * - a killed call reported without an exit code, with the signal that ended it (`isTerminated`, `signal`; our
 *   timer says `timedOut`), and each call's duration (`durationMs`); output is kept whole as text (`stripFinalNewline:
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
  });
  const pid = subprocess.pid;
  // Ctrl-C twice, or a signal while no handler of ours is installed: the call must not outlive us.
  const removeExitHook = pid === undefined ? () => {} : onExit(() => killGroup(pid));
  const timer = pid === undefined ? undefined : startTimeout(pid, timeoutMs);
  let result: Awaited<typeof subprocess>;
  try {
    result = await subprocess;
  } finally {
    removeExitHook();
    // Only once every process holding our pipes is gone: until then the group id cannot name another group.
    timer?.clear();
  }
  if (result.code === "ENOENT" || result.code === "EACCES") {
    const why = result.code === "EACCES" ? "permission denied" : "not found";
    throw new UserError(`cannot run talosctl at ${JSON.stringify(file)}: ${why}`, INSTALL_HINT);
  }
  const timedOut = timer?.fired() === true;
  const killed = timedOut || result.isTerminated || result.exitCode === undefined;
  // Any other failure to start is a failed call without an exit code; the caller reports it with stderr.
  const startError = killed && !result.isTerminated && !timedOut ? describeCause(result) : "";
  return {
    stdout: result.stdout,
    stderr: result.stderr || startError,
    exitCode: killed ? undefined : result.exitCode,
    ...(result.signal === undefined ? {} : { signal: result.signal }),
    timedOut,
    durationMs: Math.round(result.durationMs),
  } satisfies ExecResult;
};

/** At timeoutMs, SIGTERM to the child's whole process group; SIGKILL to it KILL_GRACE_MS later if still there. */
function startTimeout(
  pid: number,
  timeoutMs: number | undefined,
): { fired(): boolean; clear(): void } | undefined {
  if (timeoutMs === undefined || timeoutMs <= 0) return undefined;
  let fired = false;
  let force: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    fired = true;
    killGroup(pid);
    force = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
  }, timeoutMs);
  return {
    fired: () => fired,
    clear: () => {
      clearTimeout(first);
      clearTimeout(force);
    },
  };
}

/** A signal to the child's process group (its pid, as `detached` made it the group's leader). */
function killGroup(pid: number, signal: NodeJS.Signals = "SIGTERM"): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function describeCause(result: { cause?: unknown; shortMessage?: string | undefined }): string {
  return result.cause instanceof Error ? result.cause.message : (result.shortMessage ?? "");
}
