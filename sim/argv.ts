/**
 * talosctl's command line as cobra/pflag parse it, for the subset the product uses. Flags may come
 * anywhere; list flags take comma-separated values and repeat; unknown flags are errors.
 */

export interface ParsedArgs {
  nodes: string[];
  endpoints: string[];
  talosconfig?: string;
  context?: string;
  /** `get` only. */
  output?: string;
  namespace?: string;
  help: boolean;
  /** Positional words: ["etcd", "status"], ["etcd", "snapshot", "/x.db"], ["get", "etcdspec", "etcd"]. */
  words: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

type FlagName =
  | "nodes"
  | "endpoints"
  | "talosconfig"
  | "context"
  | "cluster"
  | "output"
  | "namespace"
  | "help";

const LONG: Record<string, FlagName> = {
  nodes: "nodes",
  endpoints: "endpoints",
  talosconfig: "talosconfig",
  context: "context",
  cluster: "cluster",
  output: "output",
  namespace: "namespace",
  help: "help",
};
const SHORT: Record<string, FlagName> = { n: "nodes", e: "endpoints", o: "output", h: "help" };
/** Flags that only `get` defines: elsewhere cobra rejects them as unknown. */
const GET_ONLY = new Set<FlagName>(["output", "namespace"]);

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

interface RawFlag {
  name: FlagName;
  spelling: string;
  value: string;
}

function apply(parsed: ParsedArgs, flag: RawFlag): void {
  switch (flag.name) {
    case "nodes":
      parsed.nodes.push(...splitList(flag.value));
      break;
    case "endpoints":
      parsed.endpoints.push(...splitList(flag.value));
      break;
    case "talosconfig":
      parsed.talosconfig = flag.value;
      break;
    case "context":
      parsed.context = flag.value;
      break;
    case "output":
      parsed.output = flag.value;
      break;
    case "namespace":
      parsed.namespace = flag.value;
      break;
    default:
      break;
  }
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { nodes: [], endpoints: [], help: false, words: [] };
  const flags: RawFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      parsed.words.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const [rawName = "", inline] = arg.slice(2).split(/=(.*)/s, 2);
      const name = LONG[rawName];
      if (name === undefined) throw new UsageError(`unknown flag: --${rawName}`);
      if (name === "help") {
        parsed.help = true;
        continue;
      }
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: --${rawName}`);
      flags.push({ name, spelling: `--${rawName}`, value });
    } else if (arg.startsWith("-") && arg.length > 1) {
      const letter = arg.charAt(1);
      const name = SHORT[letter];
      if (name === undefined) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
      if (name === "help") {
        parsed.help = true;
        continue;
      }
      const rest = arg.slice(2);
      const value = rest !== "" ? rest.replace(/^=/, "") : argv[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`);
      flags.push({ name, spelling: `-${letter}`, value });
    } else {
      parsed.words.push(arg);
    }
  }
  const isGet = parsed.words[0] === "get";
  for (const flag of flags) {
    if (GET_ONLY.has(flag.name) && !isGet) {
      throw new UsageError(
        flag.spelling.startsWith("--")
          ? `unknown flag: ${flag.spelling}`
          : `unknown shorthand flag: '${flag.spelling.charAt(1)}' in ${flag.spelling}`,
      );
    }
    apply(parsed, flag);
  }
  return parsed;
}

/** cobra's usage text, shortened: enough for a reader to see what talosctl would show. */
export function usageText(commandPath: string): string {
  return [
    "Usage:",
    `  ${commandPath} [flags]`,
    "",
    "Flags:",
    "  -h, --help   help for this command",
    "",
    "Global Flags:",
    "      --cluster string       Cluster to connect to if a proxy endpoint is used.",
    "      --context string       Context to be used in command",
    "  -e, --endpoints strings    override default endpoints in Talos configuration",
    "  -n, --nodes strings        target the specified nodes",
    "      --talosconfig string   The path to the Talos configuration file.",
    "",
  ].join("\n");
}
