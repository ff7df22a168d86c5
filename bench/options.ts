/** `npm run bench -- [--size 1GB] [--strategies runbook,tool] ...`: flags, defaults and their bounds. */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type RealTag, realTalosctlTag } from "../sim/real-talosctl.js";
import { repoRoot } from "./paths.js";
import { DEFAULT_STRATEGIES, STRATEGIES, type StrategyId } from "./strategies.js";

export interface BenchOptions {
  /** Target db size per member before the defrag. */
  sizeBytes: number;
  reclaimableRatio: number;
  strategies: StrategyId[];
  /** Each strategy this many times, each time on the template restored afresh. */
  repeat: number;
  /** Extra tool arguments for the `auto` strategy (split at whitespace). */
  autoArgs: string[];
  idleMs: number;
  loadIntervalMs: number;
  fragmentTimeoutMs: number;
  runTimeoutMs: number;
  /** A restored cluster must elect a leader and serve reads within this. */
  healthTimeoutMs: number;
  coldStartRuns: number;
  snapshotRuns: number;
  ips: string[];
  outDir: string;
  /** markdown: the table as BENCHMARKS.md holds it. */
  format: "table" | "markdown";
  /**
   * node: the simulator's talosctl, a Node process per call; relay: a fast client of one server (relay.ts);
   * real: the real talosctl in front of the Talos API double, chosen by TALOSCTL_REAL as for the tests.
   */
  talosctl: "node" | "relay" | "real";
  /** The real talosctl's tag when talosctl is "real". */
  realTag?: RealTag;
}

export const USAGE = `usage: npm run bench -- [options]
  --size SIZE          db size per member before defrag (default 200MB; the issue's full size is 1GB)
  --strategies LIST    comma-separated: ${STRATEGIES.map((s) => s.id).join(",")}
                       (default ${DEFAULT_STRATEGIES.join(",")})
  --repeat N           run every strategy N times, rounds interleaved, each on the template restored (default 1)
  --auto-args=ARGS     extra tool arguments for auto, e.g. --auto-args="--leader-move-above 300ms"
                       (with "=": a value that starts with a dash needs it)
  --idle SECONDS       idle load period before each run, for the baseline p99 (default 5)
  --cold-start-runs N  runs of --help for the cold start median (default 10)
  --out DIR            where <YYYY-MM-DD>-etcd<VERSION>-<SIZE>.json goes (default bench/results)
  --ips A,B,C          loopback IPs of the bench clusters (default 127.0.0.61-63)
  --markdown           print the results as Markdown (for BENCHMARKS.md) instead of a plain table
  --talosctl KIND      node (default): the simulated talosctl, a Node process per call; relay: a Python
                       client of one simulator server, which starts like the Go talosctl (sim/relay-server.ts)
environment:
  TALOSCTL_REAL=TAG    the real talosctl (v1.13.9 or v1.14.1, built from its Go module) in front of the Talos
                       API double, as for the tests (sim/real-talosctl.ts); with PATH naming the etcd to run`;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** "200MB", "1GB", "1.5 GiB", "5000000" (bytes) -> bytes. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(match?.[2] || "b").toLowerCase()];
  if (match === null || unit === undefined)
    throw new Error(`--size: cannot read "${text}" (try 200MB or 1GB)`);
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 1e6 || bytes > 4e9) throw new Error(`--size: ${text} is outside 1MB..4GB`);
  return bytes;
}

function parseCount(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function parseStrategies(text: string): StrategyId[] {
  const known = new Set<string>(STRATEGIES.map((s) => s.id));
  const chosen = text.split(",").map((s) => s.trim());
  const unknown = chosen.filter((s) => !known.has(s));
  if (unknown.length > 0) throw new Error(`--strategies: unknown ${unknown.join(", ")}`);
  return chosen as StrategyId[];
}

export function parseBenchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: "string", default: "200MB" },
      strategies: { type: "string", default: DEFAULT_STRATEGIES.join(",") },
      repeat: { type: "string", default: "1" },
      "auto-args": { type: "string", default: "" },
      idle: { type: "string", default: "5" },
      "cold-start-runs": { type: "string", default: "10" },
      out: { type: "string", default: join(repoRoot(), "bench", "results") },
      ips: { type: "string", default: "127.0.0.61,127.0.0.62,127.0.0.63" },
      markdown: { type: "boolean", default: false },
      talosctl: { type: "string", default: "node" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";
  const sizeBytes = parseSize(values.size);
  const ips = values.ips.split(",").map((ip) => ip.trim());
  if (ips.length !== 3 || !ips.every((ip) => /^127\.\d+\.\d+\.\d+$/.test(ip)))
    throw new Error("--ips: three loopback addresses (127.x.x.x), comma-separated");
  return {
    sizeBytes,
    reclaimableRatio: 0.6,
    strategies: parseStrategies(values.strategies),
    repeat: parseCount(values.repeat, "--repeat", 1, 20),
    autoArgs: values["auto-args"].split(/\s+/).filter((a) => a !== ""),
    idleMs: parseCount(values.idle, "--idle", 1, 120) * 1000,
    loadIntervalMs: 10,
    // Bounds that scale with the size: ~20 s per 200 MB to build on a 2-core machine, defrags much less.
    fragmentTimeoutMs: Math.max(60_000, (sizeBytes / 1e6) * 1000),
    runTimeoutMs: Math.max(120_000, (sizeBytes / 1e6) * 600),
    // Starting on a restored data dir replays the WAL and opens the db: seconds, even at 1 GB.
    healthTimeoutMs: 60_000,
    coldStartRuns: parseCount(values["cold-start-runs"], "--cold-start-runs", 1, 100),
    snapshotRuns: 3,
    ips,
    outDir: values.out,
    format: values.markdown ? "markdown" : "table",
    ...parseTalosctl(values.talosctl, realTalosctlTag(env)),
  };
}

/** The cluster harness follows TALOSCTL_REAL by itself; the bench records it, and refuses the relay beside it. */
function parseTalosctl(text: string, realTag: RealTag | null): Pick<BenchOptions, "talosctl" | "realTag"> {
  if (text !== "node" && text !== "relay") throw new Error(`--talosctl: node or relay, got "${text}"`);
  if (realTag === null) return { talosctl: text };
  if (text === "relay")
    throw new Error(
      `--talosctl relay: TALOSCTL_REAL=${realTag} already chooses the real talosctl; unset one`,
    );
  return { talosctl: "real", realTag };
}
