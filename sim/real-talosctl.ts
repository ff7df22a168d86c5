/**
 * The switch to the real talosctl (issue 29): with TALOSCTL_REAL=v1.13.9 or v1.14.1, startCluster (real etcd)
 * builds that talosctl from its Go module (scripts/talosctl-build) and the Talos API double
 * (scripts/talos-double-build), starts the double over the cluster's config, and hands the tests
 * sim/bin/talosctl-real, which runs the real binary and logs each call for `callLog()`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./argv.js";
import { readJsonLines } from "./call-log.js";
import type { Release } from "./config.js";
import type { CallLogEntry } from "./types.js";

export const REAL_TAGS = ["v1.13.9", "v1.14.1"] as const;
export type RealTag = (typeof REAL_TAGS)[number];

/** The config's release for each talosctl: its era's output and fan-out. */
const RELEASE_OF: Record<RealTag, Release> = { "v1.13.9": "v1.13", "v1.14.1": "v1.14" };

/** The roles' talosconfigs the double writes (talos-double/internal/pki FileName). */
export const ROLE_TALOSCONFIGS = {
  "os:admin": "talosconfig",
  "os:operator": "talosconfig-operator",
  "os:reader": "talosconfig-reader",
  "os:etcd:backup": "talosconfig-etcd-backup",
} as const;
export type TalosRole = keyof typeof ROLE_TALOSCONFIGS;

/** TALOSCTL_REAL's tag, or null when unset; anything else is an error, never a silent fall-back. */
export function realTalosctlTag(env: NodeJS.ProcessEnv = process.env): RealTag | null {
  const value = env.TALOSCTL_REAL?.trim() ?? "";
  if (value === "") return null;
  const tag = `v${value.replace(/^v/, "")}`;
  if (!(REAL_TAGS as readonly string[]).includes(tag)) {
    throw new Error(`TALOSCTL_REAL=${value}: expected one of ${REAL_TAGS.join(", ")}`);
  }
  return tag as RealTag;
}

export function releaseOfTag(tag: RealTag): Release {
  return RELEASE_OF[tag];
}

/** The repository's root, whether this file runs from sim/ or dist-tools/sim/. */
function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join("dist-tools", "sim")) ? resolve(here, "../..") : resolve(here, "..");
}

/** Runs one of scripts/*-build (cached: instant when already built) and returns the folder it prints. */
function buildFolder(script: string, args: string[]): string {
  try {
    return execFileSync("bash", [join(repoRoot(), "scripts", script), ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "");
    throw new Error(
      `scripts/${script} ${args.join(" ")} failed:\n${stderr.split("\n").slice(-15).join("\n")}`,
    );
  }
}

export interface RealTools {
  tag: RealTag;
  talosctl: string;
  double: string;
  wrapper: string;
}

const built = new Map<RealTag, RealTools>();

/** Builds (or reuses) the tag's talosctl and the double; once per process. */
export function buildRealTools(tag: RealTag): RealTools {
  const known = built.get(tag);
  if (known !== undefined) return known;
  const tools: RealTools = {
    tag,
    talosctl: join(buildFolder("talosctl-build", [tag]), "talosctl"),
    double: join(buildFolder("talos-double-build", []), "talos-double"),
    wrapper: join(repoRoot(), "sim", "bin", "talosctl-real"),
  };
  built.set(tag, tools);
  return tools;
}

export interface RunningDouble {
  /** The folder holding one talosconfig per role. */
  talosconfigDir: string;
  /** The os:admin talosconfig. */
  talosconfig: string;
  talosconfigOf(role: TalosRole): string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the double over a simulator config; resolves once it printed its talosconfig (every node listens). */
export async function startDouble(
  binary: string,
  configPath: string,
  timeoutMs = 30_000,
): Promise<RunningDouble> {
  const child = spawn(binary, ["-config", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const talosconfig = await new Promise<string>((resolvePath, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`talos-double did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line !== undefined) {
        clearTimeout(timer);
        resolvePath(line.trim());
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`talos-double exited (${code ?? signal}) before it listened:\n${stderr}`));
    });
  });
  const talosconfigDir = dirname(talosconfig);
  let stopping: Promise<void> | undefined;
  return {
    talosconfig,
    talosconfigDir,
    talosconfigOf: (role) => join(talosconfigDir, ROLE_TALOSCONFIGS[role]),
    process: child,
    stop: () => {
      stopping ??= new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(force);
          done();
        });
        child.kill("SIGTERM");
      });
      return stopping;
    },
  };
}

/**
 * Rewrites every role's talosconfig context to these nodes, as its nodes AND its endpoints, with the real
 * talosctl's own `config node` and `config endpoint`: the context then names no other address, as the Node
 * simulator's context names none (the double writes every node as an endpoint, which a discovery would use).
 */
export function setTalosconfigNodes(tools: RealTools, double: RunningDouble, nodes: readonly string[]): void {
  for (const role of Object.keys(ROLE_TALOSCONFIGS) as TalosRole[]) {
    for (const verb of ["node", "endpoint"]) {
      execFileSync(tools.talosctl, ["--talosconfig", double.talosconfigOf(role), "config", verb, ...nodes], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    }
  }
}

/** One line of sim/bin/talosctl-real's log. */
interface RawCall {
  argv: string[];
  spawnedAt: number;
  start: number;
  end: number;
  exitCode: number;
}

/** The command's name as the Node simulator logs it: "status", "alarm list", "etcdspec", "processes", ... */
export function commandOf(words: readonly string[]): string {
  const [first, second, third] = words;
  if (first === "etcd" && second === "alarm" && third !== undefined) return `alarm ${third}`;
  if (first === "etcd" && second !== undefined) return second;
  if (first === "get" && second !== undefined && /^etcdspecs?(\.etcd\.talos\.dev)?$/i.test(second))
    return "etcdspec";
  if (first === "ps" || first === "p") return "processes";
  if (first === "mount") return "mounts";
  return words.join(" ");
}

/** The command and nodes of a real talosctl argv, as the simulator logs them; nodes from -n, else the defaults. */
function callOf(argv: readonly string[], defaultNodes: () => string[]): { command: string; nodes: string[] } {
  try {
    const parsed = parseArgs([...argv]);
    return {
      command: commandOf(parsed.words),
      nodes: parsed.nodes.length > 0 ? parsed.nodes : defaultNodes(),
    };
  } catch {
    // An argv the simulator's parser does not know: logged as its words, as the simulator logs it.
    return { command: argv.join(" "), nodes: [] };
  }
}

/** The wrapper's log as CallLogEntry lines: nodes from -n, else the talosconfig's (the config's defaultNodes). */
export async function readRealCallLog(path: string, defaultNodes: () => string[]): Promise<CallLogEntry[]> {
  return (await readJsonLines<RawCall>(path)).map((raw) => ({
    argv: raw.argv,
    ...callOf(raw.argv, defaultNodes),
    start: raw.start,
    end: raw.end,
    exitCode: raw.exitCode,
    spawnedAt: raw.spawnedAt,
  }));
}

/** One call's start, from TALOS_SIM_START_LOG: when a harness acts at a moment of a run (the chaos set). */
export interface CallStart {
  command: string;
  nodes: string[];
  /** Epoch ms. */
  t: number;
}

/**
 * A TALOS_SIM_START_LOG line: the Node simulator writes {command, nodes, t}; the real talosctl's wrapper
 * (sim/bin/talosctl-real) knows only its argv, {argv, t}, read here as the call log's lines are.
 */
export function callStartOf(line: Partial<CallStart> & { argv?: string[]; t: number }): CallStart {
  if (line.argv !== undefined) return { ...callOf(line.argv, () => []), t: line.t };
  return { command: line.command ?? "", nodes: line.nodes ?? [], t: line.t };
}
