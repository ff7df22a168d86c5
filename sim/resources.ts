/**
 * `talosctl processes` and `talosctl mounts` as each release prints them (cmd/talosctl/cmd/talos/processes.go,
 * mounts.go at the tags):
 * - processes ≤ v1.13: one response for all nodes laid out by ryanuber/columnize (cells trimmed, joined by two
 *   spaces, last column unpadded); any failed node makes it print nothing but the multierror, exit 1.
 * - mounts ≤ v1.13: tabwriter; failed nodes become a WARNING and the rest is printed, exit 0.
 * - v1.14, both: tabwriter streamed per answer with `error from node X:` lines and exit 1 (renderTable).
 */
import type { CommandContext } from "./commands.js";
import { fanOut } from "./fan-out.js";
import { formatFixed, humanizeBytes } from "./humanize.js";
import { createResourceSource, type SimMount, type SimProcess } from "./node-resources.js";
import { formatMultiError, type Outcome, type Rendered, renderTable } from "./render.js";
import { tabwrite } from "./tabwriter.js";

type Spec<T> = Parameters<typeof renderTable<T>>[0];

const PROCESS_COLUMNS = [
  "NODE",
  "PID",
  "STATE",
  "THREADS",
  "CPU-TIME",
  "VIRTMEM",
  "RESMEM",
  "LABEL",
  "COMMAND",
];

function processCells(node: string, p: SimProcess): string[] {
  return [
    node,
    String(p.pid),
    p.state,
    String(p.threads),
    formatFixed(p.cpuSeconds, 2),
    humanizeBytes(p.virtualBytes),
    humanizeBytes(p.residentBytes),
    p.label,
    p.command,
  ];
}

/** talosctl sorts each node's processes by RSS, largest first (the default `-s rss`). */
function byResidentMemory(processes: readonly SimProcess[]): SimProcess[] {
  return [...processes].sort((a, b) => b.residentBytes - a.residentBytes);
}

/** columnize.SimpleFormat: widths over all lines, two-space glue, the last cell of a line unpadded. */
function columnize(lines: readonly string[][]): string {
  const widths: number[] = [];
  for (const line of lines) {
    for (const [i, cell] of line.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return lines
    .map((line) =>
      line.map((cell, i) => (i === line.length - 1 ? cell : `${cell.padEnd(widths[i] ?? 0)}  `)).join(""),
    )
    .join("\n");
}

function renderLegacyProcesses(outcomes: Outcome<SimProcess[]>[]): Rendered {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ node: o.node, error: o.error }]));
  if (failures.length > 0) return { stdout: "", stderr: `${formatMultiError(failures)}\n`, exitCode: 1 };
  const rows = outcomes.flatMap((o) =>
    o.ok ? byResidentMemory(o.value).map((p) => processCells(o.node, p)) : [],
  );
  // fmt.Println of the columnized text.
  return { stdout: `${columnize([PROCESS_COLUMNS, ...rows])}\n`, stderr: "", exitCode: 0 };
}

const PROCESSES_TABLE: Spec<SimProcess[]> = {
  header: () => PROCESS_COLUMNS.join("\t"),
  rows: (node, processes) => byResidentMemory(processes).map((p) => processCells(node, p).join("\t")),
  failurePrefix: "",
  legacyHeaderAlways: true,
  streamingHeaderAlways: true,
};

export async function processesCommand(ctx: CommandContext): Promise<Rendered> {
  const source = createResourceSource(ctx.config);
  const outcomes = await fanOut(ctx.config.faults, ctx.nodes, "processes", source.processes);
  return ctx.config.release === "v1.14"
    ? renderTable(PROCESSES_TABLE, outcomes, ctx.config.release)
    : renderLegacyProcesses(outcomes);
}

const MOUNT_HEADER = "NODE\tFILESYSTEM\tSIZE(GB)\tUSED(GB)\tAVAILABLE(GB)\tPERCENT USED\tMOUNTED ON";

function mountLine(node: string, m: SimMount): string {
  const percentUsed = 100 - 100 * (m.availableBytes / m.sizeBytes);
  return [
    node,
    m.filesystem,
    formatFixed(m.sizeBytes * 1e-9, 2),
    formatFixed((m.sizeBytes - m.availableBytes) * 1e-9, 2),
    formatFixed(m.availableBytes * 1e-9, 2),
    `${formatFixed(percentUsed, 2)}%`,
    m.mountedOn,
  ].join("\t");
}

/** A filesystem of size 0 gives NaN and is skipped by talosctl. */
const mountRows = (node: string, mounts: SimMount[]) =>
  mounts.filter((m) => m.sizeBytes > 0).map((m) => mountLine(node, m));

const MOUNTS_TABLE: Spec<SimMount[]> = {
  header: () => MOUNT_HEADER,
  rows: mountRows,
  failurePrefix: "error getting mount information",
  legacyHeaderAlways: true,
  streamingHeaderAlways: true,
};

/** ≤ v1.13: failed nodes are filtered out of the one response (a WARNING); the header comes even with no rows. */
function renderLegacyMounts(outcomes: Outcome<SimMount[]>[]): Rendered {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ node: o.node, error: o.error }]));
  const lines = [MOUNT_HEADER, ...outcomes.flatMap((o) => (o.ok ? mountRows(o.node, o.value) : []))];
  const stderr = failures.length > 0 ? `WARNING: ${formatMultiError(failures)}` : "";
  return { stdout: tabwrite(lines.map((l) => `${l}\n`).join("")), stderr, exitCode: 0 };
}

export async function mountsCommand(ctx: CommandContext): Promise<Rendered> {
  const source = createResourceSource(ctx.config);
  const outcomes = await fanOut(ctx.config.faults, ctx.nodes, "mounts", source.mounts);
  return ctx.config.release === "v1.14"
    ? renderTable(MOUNTS_TABLE, outcomes, ctx.config.release)
    : renderLegacyMounts(outcomes);
}
