/** What the CLI needs from the outside world, injectable so tests run commands in-process. */
import { fstatSync } from "node:fs";
import { isatty } from "node:tty";
import type { Exec } from "../talos/types.js";

export interface CliIO {
  /** Data: exactly one document with -o json. */
  stdout(text: string): void;
  /** Progress, warnings and logs. */
  stderr(text: string): void;
  exec: Exec;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Columns a table on stdout may use; undefined = unlimited (a pipe or a file: whole lines). See detectWidth. */
  stdoutWidth?: number | undefined;
  /** The same for progress on stderr. */
  stderrWidth?: number | undefined;
  /**
   * stdout and stderr are the same terminal (see sameTerminal): what progress printed is on the screen above the
   * report, which then need not say it again. False or unset: a report stays complete on its own.
   */
  sharedTerminal?: boolean;
  /** Asks a yes/no question on the terminal; only called when stdin is a TTY. */
  confirm(question: string): Promise<boolean>;
  /** Calls handler on SIGINT/SIGTERM/SIGHUP until the returned function is called. */
  onStopSignal(handler: (signal: string) => void): () => void;
  /** Leaves at once (the second Ctrl-C). */
  exitNow(code: number): void;
}

/** The signals that ask a run to stop safely (src/service/stop-signals.ts). */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function processIO(): CliIO {
  const io = guardWrites({
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // The runner is loaded on the first talosctl call, so --help and `snapshot verify` never load it.
    exec: async (file, args, options) => (await import("../talos/runner.js")).runProcess(file, args, options),
    env: process.env,
    // Not process.stdin.isTTY: that getter builds the stdin stream (~1 ms of every start), read only to confirm.
    stdinIsTTY: isatty(0),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutWidth: detectWidth(process.stdout, process.env),
    stderrWidth: detectWidth(process.stderr, process.env),
    sharedTerminal: sameTerminal(1, 2),
    confirm: askOnTerminal,
    // SIGHUP (a closed terminal, a dropped SSH session) too: its default action would kill us mid-defrag, with
    // no verification, no report and the locks left (issue 27 item 9).
    onStopSignal: (handler) => {
      for (const signal of STOP_SIGNALS) process.on(signal, handler);
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, handler);
      };
    },
    exitNow: (code) => process.exit(code),
  });
  // Node reports a write to a closed pipe (EPIPE) as an "error" event, later; unheard, it is an uncaught exception.
  process.stdout.on("error", io.broke.stdout);
  process.stderr.on("error", io.broke.stderr);
  return io;
}

/**
 * The width output may use: the terminal's when the stream is one, else COLUMNS when set (`watch`, a CI log that
 * wants a width), else none: a pipe to a file or to grep gets whole lines, nothing cut.
 */
export function detectWidth(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
): number | undefined {
  if (stream.isTTY === true && stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return env.COLUMNS !== undefined && Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/**
 * Whether two file descriptors are one terminal: both TTYs and the same device (fstat's rdev, the pty or tty
 * they are open on; dev and ino as well, for the device file itself). `2>/dev/null`, a pipe, a file, or two
 * different terminals (`2>/dev/pts/3`) are not. Any error (a closed descriptor): not the same.
 */
export function sameTerminal(
  a: number,
  b: number,
  probe: { isatty(fd: number): boolean; fstat(fd: number): { dev: number; ino: number; rdev: number } } = {
    isatty,
    fstat: fstatSync,
  },
): boolean {
  try {
    if (!probe.isatty(a) || !probe.isatty(b)) return false;
    const [x, y] = [probe.fstat(a), probe.fstat(b)];
    return x.rdev === y.rdev && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * A write to a closed pipe (`| head -1`, a log shipper that went away) or a writer that throws costs that text,
 * never the run: a run that did its job keeps its exit code, and a defrag is never cut off between members by its
 * own progress output. After the first failure that stream is dropped; a lost stdout is said once on stderr.
 */
export function guardWrites(
  io: CliIO,
): CliIO & { broke: Record<"stdout" | "stderr", (error: unknown) => void> } {
  const stderr = guardWrite(io.stderr, () => {});
  const stdout = guardWrite(io.stdout, (error) =>
    stderr.write(
      `warning: stdout is closed (${describeWriteError(error)}): the rest of the output is dropped; the exit code still tells how the run went\n`,
    ),
  );
  return {
    ...io,
    stdout: stdout.write,
    stderr: stderr.write,
    broke: { stdout: stdout.fail, stderr: stderr.fail },
  };
}

function guardWrite(write: (text: string) => void, onBroken: (error: unknown) => void) {
  let broken = false;
  const fail = (error: unknown) => {
    if (broken) return;
    broken = true;
    onBroken(error);
  };
  return {
    fail,
    write: (text: string) => {
      if (broken) return;
      try {
        write(text);
      } catch (error) {
        fail(error);
      }
    },
  };
}

function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
