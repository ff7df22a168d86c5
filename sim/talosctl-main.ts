/**
 * Entry point of the simulated talosctl (launched by sim/bin/talosctl). Reads the cluster's
 * config from TALOS_SIM_CONFIG, applies faults, runs one command, appends one call-log line.
 */
import { appendFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { parseArgs, UsageError, usageText } from "./argv.js";
import type { Backend } from "./backend.js";
import { waitAtBarrier } from "./barrier.js";
import { appendCall } from "./call-log.js";
import { cancelledOutput, runCancelCleanups } from "./cancel.js";
import { checkSingleNode, runCommand } from "./commands.js";
import { readConfig, resolveFault, type SimCommand, type SimConfig } from "./config.js";
import { createEtcdBackend } from "./etcd-backend.js";
import { createModelBackend } from "./model-backend.js";
import type { Rendered } from "./render.js";

const RELEASE_TAGS: Record<SimConfig["release"], string> = {
  "v1.10": "v1.10.7",
  "v1.13": "v1.13.4",
  "v1.14": "v1.14.0",
};

const GARBAGE =
  "\u001b[31mpanic: runtime error: invalid memory address or nil pointer dereference\u001b[0m\n" +
  "NODE\u0000MEMBER   ???   \ufffd\ufffd\n%!s(MISSING)\t\t\t42\n[signal SIGSEGV: segmentation violation]\n";

interface Resolved {
  command: SimCommand | "version";
  path: string;
  args: string[];
}

/** `processes` (aliases p, ps) and `mounts` (alias mount): etcd's memory and disk, see node-resources.ts. */
const RESOURCE_COMMANDS: Record<string, SimCommand> = {
  processes: "processes",
  ps: "processes",
  p: "processes",
  mounts: "mounts",
  mount: "mounts",
};

const ETCD_SPEC_TYPES = new Set(["etcdspec", "etcdspecs", "etcdspecs.etcd.talos.dev"]);

function resolveCommand(words: string[], namespace: string | undefined): Resolved {
  const [first, second, ...rest] = words;
  const noArgs = (command: SimCommand, path: string, extra: string[]): Resolved => {
    if (extra.length > 0) throw new UsageError(`unknown command "${extra[0]}" for "${path}"`);
    return { command, path, args: [] };
  };
  if (first === "version") return { command: "version", path: "talosctl version", args: [] };
  const resource = RESOURCE_COMMANDS[first ?? ""];
  if (resource !== undefined) return noArgs(resource, `talosctl ${first}`, words.slice(1));
  if (first === "get") {
    if (second === undefined || !ETCD_SPEC_TYPES.has(second.toLowerCase())) {
      throw new UsageError(
        `simulator: resource type ${JSON.stringify(second ?? "")} not simulated (only etcdspec)`,
      );
    }
    if (namespace !== undefined && namespace !== "etcd")
      throw new UsageError(`namespace ${namespace} has no etcdspec`);
    return { command: "etcdspec", path: "talosctl get", args: rest };
  }
  if (first !== "etcd" || second === undefined) {
    throw new UsageError(`unknown command "${first ?? ""}" for "talosctl"`);
  }
  switch (second) {
    case "status":
    case "members":
    case "defrag":
    case "forfeit-leadership":
      return noArgs(second, `talosctl etcd ${second}`, rest);
    case "snapshot":
      if (rest.length !== 1) throw new UsageError(`accepts 1 arg(s), received ${rest.length}`);
      return { command: "snapshot", path: "talosctl etcd snapshot", args: rest };
    case "alarm": {
      const [sub, ...extra] = rest;
      if (sub === "list" || sub === "disarm")
        return noArgs(`alarm ${sub}`, `talosctl etcd alarm ${sub}`, extra);
      throw new UsageError(`unknown command "${sub ?? ""}" for "talosctl etcd alarm"`);
    }
    default:
      throw new UsageError(`unknown command "${second}" for "talosctl etcd"`);
  }
}

/**
 * TALOS_SIM_START_LOG (optional): one JSON line `{command, nodes, t}` when a call starts, for harnesses that act
 * at a moment of a run (the chaos run injects a fault when a defrag starts); the call log is written at the end.
 */
function noteStart(path: string | undefined, command: string, nodes: readonly string[]): void {
  if (path === undefined || path === "") return;
  appendFileSync(path, `${JSON.stringify({ command, nodes, t: Date.now() })}\n`);
}

/** talosctl prints usage after errors that mention a flag, an arg count or a command. */
function errorOutput(message: string, path: string): Rendered {
  const usage = /arg\(s\)|flag|command/.test(message) ? `\n${usageText(path)}\n` : "";
  return { stdout: "", stderr: `${message}\n${usage}`, exitCode: 1 };
}

function createBackend(config: SimConfig): Backend {
  return config.backend === "model" ? createModelBackend(config) : createEtcdBackend(config);
}

async function execute(
  call: Invocation,
  config: SimConfig,
  log: { nodes: string[]; command: string },
): Promise<Rendered> {
  const { argv } = call;
  let parsed: ReturnType<typeof parseArgs>;
  let resolved: Resolved;
  try {
    parsed = parseArgs(argv);
    log.nodes = parsed.nodes.length > 0 ? parsed.nodes : config.defaultNodes;
    log.command = parsed.words.join(" ");
    resolved = resolveCommand(parsed.words, parsed.namespace);
  } catch (error) {
    if (error instanceof UsageError) return errorOutput(error.message, "talosctl");
    throw error;
  }
  log.command = resolved.command;
  noteStart(call.startLogPath, resolved.command, log.nodes);
  if (resolved.command === "version") {
    return { stdout: `Client:\n\tTag:         ${RELEASE_TAGS[config.release]}\n`, stderr: "", exitCode: 0 };
  }
  const command = resolved.command;
  const nodes = log.nodes;
  if (nodes.length === 0) {
    return errorOutput(
      "nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against",
      resolved.path,
    );
  }
  if (command === "defrag" || command === "snapshot") {
    const problem = checkSingleNode(config.release, nodes, `etcd ${command}`);
    if (problem !== null) return errorOutput(problem, resolved.path);
  }
  const held = await waitAtBarrier(config.barrier, command);
  if (held !== null) return { stdout: "", stderr: `${held}\n`, exitCode: 1 };
  // Whole-invocation faults: the first targeted node that has one decides.
  for (const node of nodes) {
    const fault = resolveFault(config.faults, node, command);
    if (fault.exitCode !== undefined) {
      return {
        stdout: "",
        stderr: `${fault.stderr ?? "simulated talosctl failure"}\n`,
        exitCode: fault.exitCode,
      };
    }
    if (fault.garbage) return { stdout: GARBAGE, stderr: "", exitCode: 0 };
  }
  // A relative snapshot path is the caller's: a relay (relay-server.ts) runs in another directory.
  const args =
    command === "snapshot" && call.cwd !== process.cwd()
      ? resolved.args.map((a) => resolvePath(call.cwd, a))
      : resolved.args;
  return runCommand(
    { config, backend: createBackend(config), nodes },
    command,
    args,
    parsed.output ?? "table",
  );
}

function writeAndExit(rendered: Rendered): void {
  // A caller that has gone (a closed pipe) does not change how the call ended.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", () => process.exit(rendered.exitCode));
  process.stdout.write(rendered.stdout, () => {
    process.stderr.write(rendered.stderr, () => process.exit(rendered.exitCode));
  });
}

/** Where one invocation comes from: its environment's two simulator variables, its directory, its start. */
export interface Invocation {
  argv: string[];
  configPath: string | undefined;
  startLogPath: string | undefined;
  /** Relative snapshot paths are taken from here. */
  cwd: string;
  /** Epoch ms when the caller's process began (the call log's spawnedAt). */
  spawnedAt: number;
}

/** The call under way, as far as it is known yet: for a signal handler that must say what it cancelled. */
export interface CallUnderWay {
  command: string;
  release: SimConfig["release"];
}

/**
 * One talosctl invocation, run and logged: what the process prints and exits with. `onKill` gets the call
 * logger, and a look at the call under way, for the signal handlers of a process that may be stopped mid-call.
 */
export async function invoke(
  call: Invocation,
  onKill: (record: (exitCode: number) => void, current: () => CallUnderWay) => void = () => undefined,
): Promise<Rendered> {
  if (call.configPath === undefined || call.configPath === "") {
    return { stdout: "", stderr: "talosctl simulator: TALOS_SIM_CONFIG is not set\n", exitCode: 2 };
  }
  const config = readConfig(call.configPath);
  const start = Date.now();
  const log = { nodes: [] as string[], command: call.argv.join(" ") };
  let recorded = false;
  // Once: a relay's call killed mid-way is logged then, and not again when it ends.
  const record = (exitCode: number): void => {
    if (recorded) return;
    recorded = true;
    appendCall(config.callLogPath, {
      argv: call.argv,
      nodes: log.nodes,
      command: log.command,
      start,
      end: Date.now(),
      exitCode,
      spawnedAt: call.spawnedAt,
    });
  };
  onKill(record, () => ({ command: log.command, release: config.release }));
  let rendered: Rendered;
  try {
    rendered = await execute(call, config, log);
  } catch (error) {
    rendered = {
      stdout: "",
      stderr: `talosctl simulator bug: ${(error as Error).stack ?? error}\n`,
      exitCode: 70,
    };
  }
  record(rendered.exitCode);
  return rendered;
}

export async function main(argv: string[]): Promise<void> {
  // The one output of the process: a cancelled call's, or the call's own when it ended first.
  let answered = false;
  const answer = (rendered: Rendered): void => {
    if (answered) return;
    answered = true;
    writeAndExit(rendered);
  };
  const rendered = await invoke(
    {
      argv,
      configPath: process.env.TALOS_SIM_CONFIG,
      startLogPath: process.env.TALOS_SIM_START_LOG,
      cwd: process.cwd(),
      spawnedAt: Math.round(performance.timeOrigin),
    },
    (record, current) => {
      // As talosctl: the first SIGINT or SIGTERM cancels the call, which then fails and exits 1 (cancel.ts). Both
      // handlers go at once, so a second signal finds none and kills the process, as it kills talosctl.
      const cancel = (): void => {
        process.removeListener("SIGINT", cancel);
        process.removeListener("SIGTERM", cancel);
        runCancelCleanups();
        const { command, release } = current();
        const cancelled = cancelledOutput(command, release);
        record(cancelled.exitCode);
        answer(cancelled);
      };
      process.on("SIGINT", cancel);
      process.on("SIGTERM", cancel);
    },
  );
  answer(rendered);
}
