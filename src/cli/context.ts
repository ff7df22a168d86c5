/** Turns the global flags into a validated talosctl target and the services every command uses. */
import { UserError } from "../errors.js";
import { DEFAULT_CALL_TIMEOUT } from "../policy.js";
import type { TableLayout } from "../render/table.js";
import { wrapText } from "../render/text.js";
import { createTalosctl } from "../talos/client.js";
import { locateTalosctl } from "../talos/locate.js";
import type { Talosctl } from "../talos/talosctl.js";
import { traceExec } from "../talos/trace.js";
import type { TalosTarget } from "../talos/types.js";
import { parseNodeList, validateArgValue, validateEndpoint } from "../talos/validate.js";
import { type CliIO, guardWrites } from "./io.js";
import { parseChoice, parseDuration } from "./values.js";

export interface GlobalFlags {
  talosconfig?: string;
  context?: string;
  endpoints?: string[];
  nodes?: string[];
  talosctl?: string;
  output?: string;
  timeout?: string;
  verbose?: boolean;
}

/** wide: the table with every column, however wide; json: one document. */
export type OutputFormat = "table" | "wide" | "json";

export interface CommandContext {
  io: CliIO;
  target: TalosTarget;
  talosctl: Talosctl;
  output: OutputFormat;
  /** How tables on stdout fit: the width (none with -o wide) and whether every column shows. */
  layout: TableLayout;
  color: boolean;
  log(line: string): void;
  warn(line: string): void;
}

export function createContext(flags: GlobalFlags, rawIO: CliIO): CommandContext {
  // Every command's output goes through the guard: a lost stdout or stderr never changes a run's exit code.
  const io = guardWrites(rawIO);
  const output = parseChoice(flags.output ?? "table", "--output", ["table", "wide", "json"] as const);
  const timeoutMs = parseDuration(flags.timeout ?? DEFAULT_CALL_TIMEOUT, "--timeout");
  const talosconfig =
    flags.talosconfig === undefined ? undefined : validateArgValue(flags.talosconfig, "--talosconfig");
  const context = flags.context === undefined ? undefined : validateArgValue(flags.context, "--context");
  // Flag values first: a bad -n is said as such even where talosctl is missing.
  const nodes = parseNodeList(flags.nodes ?? []);
  const endpoints = parseNodeList(flags.endpoints ?? [], validateEndpoint);
  const target: TalosTarget = {
    talosctl: locateTalosctl(flags.talosctl, io.env),
    nodes,
    endpoints,
    ...(talosconfig === undefined ? {} : { talosconfig }),
    ...(context === undefined ? {} : { context }),
  };
  if (timeoutMs <= 0) throw new UserError("--timeout must be greater than zero");
  const log = (line: string) => io.stderr(`${line}\n`);
  const exec = flags.verbose ? traceExec(io.exec, log) : io.exec;
  const color = io.stdoutIsTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
  return {
    io,
    target,
    talosctl: createTalosctl(target, exec, { timeoutMs }),
    output,
    layout: {
      width: output === "wide" ? undefined : io.stdoutWidth,
      wide: output === "wide",
      // Advisories and problems under a wide table still wrap to the terminal (a pipe: whole lines).
      textWidth: io.stdoutWidth,
    },
    color,
    log,
    // A warning is read on a terminal: wrapped to its width. Traces (-v) stay one line each, for grep.
    warn: (line) => log(wrapText(`warning: ${line}`, io.stderrWidth).join("\n")),
  };
}
