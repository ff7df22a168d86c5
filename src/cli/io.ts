/** What the CLI needs from the outside world, injectable so tests run commands in-process. */
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
  /** The terminal's width when stdout is a terminal; absent otherwise (and in tests unless set). */
  stdoutColumns?: number;
  /** Asks a yes/no question on the terminal; only called when stdin is a TTY. */
  confirm(question: string): Promise<boolean>;
  /** Calls handler on SIGINT/SIGTERM until the returned function is called. */
  onStopSignal(handler: (signal: string) => void): () => void;
  /** Leaves at once (the second Ctrl-C). */
  exitNow(code: number): void;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // The runner is loaded on the first talosctl call, so --help and `snapshot verify` never load it.
    exec: async (file, args, options) => (await import("../talos/runner.js")).runProcess(file, args, options),
    env: process.env,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    ...(process.stdout.isTTY === true ? { stdoutColumns: process.stdout.columns } : {}),
    confirm: askOnTerminal,
    onStopSignal: (handler) => {
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
      };
    },
    exitNow: (code) => process.exit(code),
  };
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
