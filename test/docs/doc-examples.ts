/**
 * The examples in README.md and docs/CONTRACT.md that are the tool's real output. Each is marked by an HTML
 * comment on the line before its code block, which says what to run it against:
 *
 *     <!-- example: cluster=homelab etcd=3.6.4 nospace width=80 -->
 *     ```
 *     $ talos-etcd-defrag status
 *     ...the output...
 *     ```
 *
 * Words of the marker:
 * - `cluster=homelab`: the five-member homelab (test/cli/homelab-cluster.ts), with `nospace` (NOSPACE on cp3),
 *   `unreachable=NODE`, `etcd=VERSION`; the command runs with `-n` of every member unless it names its own.
 * - `snapshot-dir`: the command gets `--snapshot-dir` in a temporary directory.
 * - `snapshot-files`: two snapshot files are appended to the command, a good one and one whose SHA-256 trailer
 *   does not match.
 * - `width=N`: stdout and stderr are an N-column terminal (without it: pipes, whole lines).
 * - `stream=stdout`: the block is stdout alone (default: stdout and stderr as a terminal shows them, in order).
 * - `command=WORDS`: the command, words separated by commas (`alarms,disarm,--quota,8GiB`), for a block that
 *   shows no `$ talos-etcd-defrag ...` line.
 * - `json-keys`: the block is a JSON document (the command runs with `-o json`), abbreviated: its field names (recursively; an array by its first
 *   element) must be the real document's, and every real field must be in it, unless the object holds a `"..."`
 *   key. Values are not compared.
 * - `metrics`: the block holds lines of the metrics file the command writes (`--metrics-file` is added); each
 *   must be in the real file (values of `*_seconds` series are not compared) and every metric the file has must
 *   be shown at least once.
 *
 * In a text block: `$ echo $?` and the next line are the exit code; a last line `...` means the output goes on
 * (only the lines before it are compared). Trailing spaces do not count.
 *
 * A stale example fails with the real output; `UPDATE_EXAMPLES=1 npx vitest run test/docs/examples.test.ts`
 * writes the real output into the text blocks (JSON and metrics blocks are abbreviated by hand: fix those from
 * the output the failure shows).
 */

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { ANY_EXECUTABLE, recordIO } from "../cli/fixture-exec.js";
import { homelabCluster } from "../cli/homelab-cluster.js";

export interface DocExample {
  file: string;
  /** 1-based line of the marker. */
  line: number;
  spec: Map<string, string>;
  /** The block's lines, without the fences. */
  body: string[];
  /** Index in the file's lines of the first body line, and how many lines the body has. */
  bodyStart: number;
}

const MARKER = /^<!-- example: (.*) -->$/;

export function findExamples(file: string): DocExample[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const found: DocExample[] = [];
  lines.forEach((line, i) => {
    const match = MARKER.exec(line.trim());
    if (!match) return;
    if (!(lines[i + 1] ?? "").startsWith("```"))
      throw new Error(`${file}:${i + 1}: no code block after the marker`);
    const end = lines.findIndex((l, j) => j > i + 1 && l.startsWith("```"));
    const spec = new Map<string, string>();
    for (const word of (match[1] ?? "").trim().split(/\s+/)) {
      const [key = "", value = ""] = word.split("=");
      spec.set(key, value);
    }
    found.push({ file, line: i + 1, spec, body: lines.slice(i + 2, end), bodyStart: i + 2 });
  });
  return found;
}

/** A shell command line's words: spaces separate, single and double quotes group (no escapes needed here). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g))
    words.push(match[1] ?? match[2] ?? match[3] ?? "");
  return words;
}

export interface ExampleRun {
  args: string[];
  code: number;
  /** What the block shows, as the tool prints it now. */
  output: string[];
  stdout: string;
  metrics?: string;
}

const PROMPT = "$ talos-etcd-defrag ";

/** Runs the command of an example against what its marker names. */
export async function runExample(example: DocExample): Promise<ExampleRun> {
  const command =
    example.body.find((l) => l.startsWith(PROMPT)) ?? example.spec.get("command")?.replaceAll(",", " ");
  if (command === undefined) throw new Error(`${where(example)}: no "${PROMPT}..." line and no command=`);
  const args = shellWords(command.startsWith(PROMPT) ? command.slice(PROMPT.length) : command);
  if (example.spec.get("cluster") !== "homelab") throw new Error(`${where(example)}: unknown cluster`);
  const unreachable = example.spec.get("unreachable");
  const etcdVersion = example.spec.get("etcd");
  const { cluster, nodes } = homelabCluster({
    nospace: example.spec.has("nospace"),
    ...(unreachable === undefined ? {} : { unreachable: unreachable.split(",") }),
    ...(etcdVersion === undefined ? {} : { etcdVersion }),
  });
  const width = example.spec.has("width") ? Number(example.spec.get("width")) : undefined;
  let merged = "";
  const rec = recordIO(() => cluster.exec, {
    stdoutWidth: width,
    stderrWidth: width,
    onStopSignal: () => () => {},
  });
  const { stdout, stderr } = rec.io;
  rec.io.stdout = (t) => {
    merged += t;
    stdout(t);
  };
  rec.io.stderr = (t) => {
    merged += t;
    stderr(t);
  };
  const dir = await mkdtemp(join(tmpdir(), "ted-doc-example-"));
  try {
    const metricsFile = join(dir, "talos_etcd_defrag.prom");
    const extra = [
      ...(example.spec.has("metrics") ? ["--metrics-file", metricsFile] : []),
      ...(example.spec.has("snapshot-dir") ? ["--snapshot-dir", join(dir, "snapshots")] : []),
      ...(example.spec.has("snapshot-files") ? await snapshotFiles(dir) : []),
    ];
    const hasNodes = args.includes("-n") || args.includes("--nodes");
    const json = example.spec.has("json-keys") && !args.includes("-o") ? ["-o", "json"] : [];
    const full = [
      "--talosctl",
      ANY_EXECUTABLE,
      ...(hasNodes ? [] : ["-n", nodes]),
      ...json,
      ...args,
      ...extra,
    ];
    const code = await main(full, rec.io);
    const text = example.spec.get("stream") === "stdout" ? rec.stdout() : merged;
    const output = [command, ...text.replace(/\n$/, "").split("\n")];
    if (example.body.some((l) => l === "$ echo $?")) output.push("$ echo $?", String(code));
    const metrics = example.spec.has("metrics") ? await readFile(metricsFile, "utf8") : undefined;
    return { args, code, output, stdout: rec.stdout(), ...(metrics === undefined ? {} : { metrics }) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A good snapshot (whole pages, then their SHA-256) and the same with one byte flipped. */
async function snapshotFiles(dir: string): Promise<string[]> {
  const body = Buffer.alloc(512 * 8, 7);
  const good = Buffer.concat([body, createHash("sha256").update(body).digest()]);
  const bad = Buffer.from(good);
  bad[0] = 8;
  const paths = [join(dir, "a.db"), join(dir, "b.db")];
  await writeFile(paths[0] ?? "", good);
  await writeFile(paths[1] ?? "", bad);
  return paths;
}

export const where = (example: DocExample) => `${example.file}:${example.line}`;

/** The documented lines to compare: trailing spaces dropped, up to a closing `...`. */
export function documented(example: DocExample): { lines: string[]; prefix: boolean } {
  const lines = example.body.map((l) => l.trimEnd());
  const prefix = lines.at(-1) === "...";
  return { lines: prefix ? lines.slice(0, -1) : lines, prefix };
}

/** The real lines, cut to what the example documents when it ends in `...`. */
export function actualFor(example: DocExample, run: ExampleRun): string[] {
  const lines = run.output.map((l) => l.trimEnd());
  const { lines: doc, prefix } = documented(example);
  return prefix ? lines.slice(0, doc.length) : lines;
}

/** Writes the real output into text examples (UPDATE_EXAMPLES=1); returns how many blocks changed. */
export function rewriteExamples(file: string, updates: { example: DocExample; lines: string[] }[]): number {
  const lines = readFileSync(file, "utf8").split("\n");
  let changed = 0;
  // From the last block up, so earlier indexes stay valid.
  for (const { example, lines: real } of [...updates].sort(
    (a, b) => b.example.bodyStart - a.example.bodyStart,
  )) {
    const replacement = documented(example).prefix ? [...real, "..."] : real;
    lines.splice(example.bodyStart, example.body.length, ...replacement);
    changed++;
  }
  if (changed > 0) writeFileSync(file, lines.join("\n"));
  return changed;
}

/**
 * Field names of a documented JSON example against the real document: what the example has that the real one
 * lacks, and (unless the example's object holds "...") what the real one has that the example lacks.
 */
export function jsonKeyDifferences(doc: unknown, real: unknown, path = "$"): string[] {
  if (Array.isArray(doc) && Array.isArray(real)) {
    return doc.length > 0 && real.length > 0 ? jsonKeyDifferences(doc[0], real[0], `${path}[0]`) : [];
  }
  if (!isObject(doc) || !isObject(real)) return [];
  const out: string[] = [];
  for (const key of Object.keys(doc)) {
    if (key === "...") continue;
    if (!(key in real)) out.push(`${path}.${key}: documented, but the tool does not write it here`);
    else out.push(...jsonKeyDifferences(doc[key], real[key], `${path}.${key}`));
  }
  if (!("..." in doc)) {
    for (const key of Object.keys(real)) {
      if (!(key in doc)) out.push(`${path}.${key}: written by the tool, missing from the example`);
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Metrics lines with the values of time-dependent series (`*_seconds`) masked. */
export function maskTimes(line: string): string {
  return /^\w+_seconds(\{| )/.test(line) ? line.replace(/ \S+$/, " <time>") : line;
}

export function metricNames(text: string): Set<string> {
  return new Set(
    text
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => /^[a-zA-Z_:][\w:]*/.exec(l)?.[0] ?? ""),
  );
}
