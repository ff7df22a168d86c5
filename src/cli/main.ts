/** Entry point: runs the program and maps every outcome to the exit codes of the contract. Only here is the exit code set. */
import { CommanderError } from "commander";
import { CommandError, EXIT, ParseError, UserError } from "../errors.js";
import { configErrorHint, failureKindOf } from "../talos/error-kinds.js";
import { type CliIO, processIO } from "./io.js";
import { type ActionResult, buildProgram } from "./program.js";
import { packageVersion } from "./version.js";

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const result: ActionResult = { exitCode: EXIT.ok };
  const program = buildProgram(io, packageVersion(), result);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Help and --version end the same way as errors in commander; they are not errors.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UserError) {
    // A multi-line hint (a rule with a caret under the bad character) is indented under its first line.
    const hint = error.hint?.split("\n").join("\n      ");
    io.stderr(`error: ${error.message}\n${hint ? `hint: ${hint}\n` : ""}`);
    return error.exitCode;
  }
  if (error instanceof CommandError) {
    io.stderr(
      `error: talosctl failed: ${error.message}\n${error.stderr.trim() ? `${indent(error.stderr.trim())}\n` : ""}`,
    );
    // A configuration error (talosconfig, nodes, context) is the operator's to fix: exit 2, like a bad flag.
    const configHint = configErrorHint(error);
    io.stderr(`hint: ${configHint ?? hintFor(error)}\n`);
    return configHint === undefined ? EXIT.failed : EXIT.usage;
  }
  if (error instanceof ParseError) {
    io.stderr(
      `error: ${error.message}\nhint: check that talosctl is a supported release (v1.4 or later) and run with -v to see the call\n`,
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

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
