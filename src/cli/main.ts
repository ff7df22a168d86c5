/** Entry point: runs the program and maps every outcome to the exit codes of the contract. Only here is the exit code set. */
import { type Command, CommanderError } from "commander";
import { CommandError, EXIT, ParseError, UserError } from "../errors.js";
import { wrapLabelled } from "../render/text.js";
import { configErrorHint, failureKindOf } from "../talos/error-kinds.js";
import { type CliIO, processIO } from "./io.js";
import { type ActionResult, buildProgram } from "./program.js";
import { swallowedCommand, usageHint } from "./usage-hint.js";
import { packageVersion } from "./version.js";

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const result: ActionResult = { exitCode: EXIT.ok };
  const program = buildProgram(io, packageVersion(), result);
  // Before commander, which would print the whole help for it and say nothing of the cause.
  const swallowed = swallowedCommand(program, argv);
  if (swallowed !== undefined) {
    const { flag, command, value } = swallowed;
    sayTo(io, "error: ", `${flag} took "${command}" as its value, so no command was given`);
    sayTo(io, "hint: ", `give ${flag} a value: talos-etcd-defrag ${flag} ${value} ${command}`);
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.exitCode;
  } catch (error) {
    return reportError(error, io, program, argv);
  }
}

/** error: and hint: lines are read on a terminal: wrapped to its width like warnings (a pipe gets whole lines). */
function sayTo(io: CliIO, label: string, text: string): void {
  io.stderr(`${wrapLabelled(label, text, io.stderrWidth).join("\n")}\n`);
}

function reportError(error: unknown, io: CliIO, program: Command, argv: readonly string[]): number {
  const say = (label: string, text: string) => sayTo(io, label, text);
  if (error instanceof CommanderError) {
    // Help and --version end the same way as errors in commander; they are not errors.
    if (error.exitCode === 0) return EXIT.ok;
    // A missing command prints the help itself (commander.help), and the error line after it says why; every
    // other usage error is said here, once.
    if (error.code === "commander.help") say("error: ", "no command given: choose one of the commands above");
    else {
      const hint = usageHint(program, argv, error.code, error.message);
      // commander's "(Did you mean --help?)" guesses by spelling; a hint that knows whose flag it is replaces it.
      const message = hint.includes(" is a flag of ")
        ? error.message.replace(/\n\(Did you mean [^)]*\)$/, "")
        : error.message;
      say("error: ", message.replace(/^error: /, ""));
      say("hint: ", hint);
    }
    return EXIT.usage;
  }
  if (error instanceof UserError) {
    // A multi-line hint (a rule with a caret under the bad character) is indented under its first line.
    say("error: ", error.message);
    if (error.hint) say("hint: ", error.hint);
    return error.exitCode;
  }
  if (error instanceof CommandError) {
    say("error: ", `talosctl failed: ${error.message}`);
    if (error.stderr.trim()) say("  ", error.stderr.trim());
    // A configuration error (talosconfig, nodes, context) is the operator's to fix: exit 2, like a bad flag.
    const configHint = configErrorHint(error);
    say("hint: ", configHint ?? hintFor(error));
    return configHint === undefined ? EXIT.failed : EXIT.usage;
  }
  if (error instanceof ParseError) {
    say("error: ", error.message);
    say(
      "hint: ",
      "check that talosctl is a supported release (v1.4 or later) and run with -v to see the call",
    );
    return EXIT.failed;
  }
  io.stderr(
    `internal error (a bug, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.failed;
}

function hintFor(error: CommandError): string {
  switch (failureKindOf(error)) {
    case "timed-out":
      return "talosctl did not answer in time; check the endpoints, or raise --timeout";
    case "permission-denied":
      return "the talosconfig's role is not allowed to do this (see README: Talos roles)";
    case "learner-refused":
      return "that node's etcd is a learner, which serves only status: pass voting control plane nodes with -n";
    case "not-control-plane":
      return "that is a worker node: pass control plane nodes with -n";
    default:
      return "run with -v to see each talosctl call";
  }
}
