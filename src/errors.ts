/**
 * Typed errors. Only `main()` turns them into an exit code:
 * - UserError: the operator can fix it (bad flag, missing talosctl); carries the exit code and the next step.
 * - CommandError: talosctl ran and failed; carries argv, exit code, stderr and whether we killed it on timeout.
 * - ParseError: talosctl printed something we do not understand; names the command and quotes the line.
 * Anything else is a bug.
 */
import type { FailureKind } from "./talos/types.js";

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  recommended: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly timedOut: boolean,
    /** Set by the talosctl adapter, which alone reads talosctl's text (src/talos/error-kinds.ts). */
    readonly kind?: FailureKind,
    /** The signal that ended talosctl when one did (a kill from outside: never "exited with code unknown"). */
    readonly signal?: string,
  ) {
    const why = timedOut
      ? "timed out"
      : exitCode !== undefined
        ? `exited with code ${exitCode}`
        : signal !== undefined
          ? `was killed by ${signal}`
          : "ended without an exit code";
    const detail = stderr.trim().split("\n")[0] ?? "";
    super(`${argv.join(" ")} ${why}${detail ? `: ${detail}` : ""}`);
    this.name = "CommandError";
  }
}

export class ParseError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
    readonly line?: string,
  ) {
    super(
      `cannot parse output of \`talosctl ${command}\`: ${reason}${line === undefined ? "" : `: ${JSON.stringify(line)}`}`,
    );
    this.name = "ParseError";
  }
}

/** The message of anything thrown, for reports and warnings (a thrown non-Error is turned into text). */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
