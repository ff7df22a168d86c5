/**
 * An in-process talosctl that replays fixture files: the CLI runs exactly as in production, only the Exec is
 * replaced. Every call is recorded so tests can assert what was (and was not) asked.
 */
import { onTestFinished } from "vitest";
import { SIGNALLED } from "../../sim/cancel.js";
import type { CliIO } from "../../src/cli/io.js";
import type { Exec } from "../../src/talos/types.js";
import { expectJsonStdout } from "../support/json-documents.js";
import { loadFixture, type Subcommand } from "../talos/fixtures.js";

export interface Recorded {
  io: CliIO;
  calls: string[][];
  stdout(): string;
  stderr(): string;
}

/** Which fixture answers an argv (global flags first, then the talosctl command). */
export function subcommandOf(args: readonly string[]): Subcommand | undefined {
  const words = args.filter((a, i) => !a.startsWith("-") && !(args[i - 1] ?? "").startsWith("-"));
  const text = words.join(" ");
  if (text.startsWith("etcd status")) return "status";
  if (text.startsWith("etcd members")) return "members";
  if (text.startsWith("etcd alarm list")) return "alarm-list";
  if (text.startsWith("etcd alarm disarm")) return "alarm-disarm";
  if (text.startsWith("etcd snapshot")) return "snapshot";
  if (text.startsWith("get etcdspec")) return "etcdspec";
  if (text === "processes") return "processes";
  if (text === "mounts") return "mounts";
  return undefined;
}

export function fixtureExec(release: string, scenario: string, calls: string[][]): Exec {
  return async (_file, args) => {
    calls.push([...args]);
    const sub = subcommandOf(args);
    const fixture = (() => {
      try {
        return sub === undefined ? undefined : loadFixture(release, scenario, sub);
      } catch {
        return undefined;
      }
    })();
    if (fixture === undefined) {
      // A subcommand the scenario has no file for answers like a node without that resource.
      return {
        stdout: "",
        stderr: `rpc error: code = NotFound desc = no fixture for ${args.join(" ")}\n`,
        exitCode: 1,
        timedOut: false,
        durationMs: 1,
      };
    }
    // A capture of a call its caller stopped (talosctl's notice of the signal, fixtures/captured/*/member-stopped):
    // the tool's own timeout did that, and the runner reports such a call as timed out, whatever it exited with.
    if (fixture.stderr.startsWith(SIGNALLED))
      return {
        stdout: fixture.stdout,
        stderr: fixture.stderr,
        exitCode: undefined,
        timedOut: true,
        durationMs: 1,
      };
    return {
      stdout: fixture.stdout,
      stderr: fixture.stderr,
      exitCode: fixture.exitCode,
      timedOut: false,
      durationMs: 1,
    };
  };
}

export function recordIO(exec: (calls: string[][]) => Exec, overrides: Partial<CliIO> = {}): Recorded {
  let out = "";
  let err = "";
  const calls: string[][] = [];
  const io: CliIO = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    exec: exec(calls),
    env: { PATH: "" },
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    confirm: async () => false,
    onStopSignal: () => () => {},
    exitNow: (code) => {
      throw new Error(`exitNow(${code}) called`);
    },
    ...overrides,
  };
  // Every JSON document printed here is checked against its schema: when the test reads stdout, and when it ends
  // (a test that never reads it is checked too). A recordIO made outside a test is checked on reads only.
  let checked: string | undefined;
  const check = () => {
    if (checked === out) return;
    checked = out;
    expectJsonStdout(out);
  };
  try {
    onTestFinished(check);
  } catch {
    // Not inside a running test: reads still check.
  }
  return {
    io,
    calls,
    stdout: () => {
      check();
      return out;
    },
    stderr: () => err,
  };
}

/** Any executable file satisfies the talosctl lookup; the injected Exec never runs it. */
export const ANY_EXECUTABLE = process.execPath;
