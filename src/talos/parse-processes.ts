/**
 * `talosctl processes` (alias `ps`). Read from cmd/talosctl/cmd/talos/processes.go at the release tags:
 * - v1.4–v1.7: `NODE PID STATE THREADS CPU-TIME VIRTMEM RESMEM COMMAND`; v1.8 and later add LABEL before COMMAND.
 * - up to v1.13 the table goes through ryanuber/columnize (cells trimmed, 2-space gaps, one width set for
 *   the whole output); v1.14 uses text/tabwriter (3-space padding, flushed in chunks whose widths differ,
 *   header only in the first chunk).
 * Neither gap width can be trusted to separate cells (VIRTMEM/RESMEM hold a space, COMMAND holds any number,
 * LABEL may be empty), so a row is read from the left: the fixed columns have a known shape, and what is left
 * is LABEL (when the layout has one and the next word is an SELinux context) and then COMMAND.
 */
import { ParseError } from "../errors.js";
import { parseSize } from "./size.js";

const COMMAND = "processes";
const FIXED = ["NODE", "PID", "STATE", "THREADS", "CPU-TIME", "VIRTMEM", "RESMEM"];
const WITHOUT_LABEL = [...FIXED, "COMMAND"];
const WITH_LABEL = [...FIXED, "LABEL", "COMMAND"];

/** One row of `talosctl processes`. Sizes are go-humanize text read back (decimal units, lossy). */
export interface ProcessRow {
  node: string;
  pid: number;
  state: string;
  threads: number;
  virtualBytes: number;
  residentBytes: number;
  /** SELinux context (v1.8+), "" when the process has none or the release prints no LABEL. */
  label: string;
  /** Executable and arguments as talosctl prints them; may be empty. */
  command: string;
}

const SIZE = String.raw`\d+(?:\.\d)? (?:B|kB|MB|GB|TB|PB|EB)`;
/** NODE PID STATE THREADS CPU-TIME VIRTMEM RESMEM, then the rest of the line. */
const FIXED_ROW = new RegExp(
  String.raw`^(\S+)\s+(\d+)\s+(\S)\s+(\d+)\s+(\d+\.\d{2})\s+(${SIZE})\s+(${SIZE})(?:\s+(.*))?$`,
);
/**
 * user:role:type[:level] with no "/" in the first three parts. A command never starts like this: it is a
 * path, a program name, or a kernel thread's name (`kworker/0:1-events` has its "/" before the first ":").
 */
const SELINUX_CONTEXT = /^[\w.-]+:[\w.-]+:[\w.-]+(?::\S+)?$/;

function isHeader(words: readonly string[], layout: readonly string[]): boolean {
  return words.length === layout.length && layout.every((name, i) => words[i] === name);
}

function splitLabel(rest: string, hasLabel: boolean): { label: string; command: string } {
  if (!hasLabel) return { label: "", command: rest };
  const at = rest.search(/\s/);
  const first = at < 0 ? rest : rest.slice(0, at);
  if (!SELINUX_CONTEXT.test(first)) return { label: "", command: rest };
  return { label: first, command: at < 0 ? "" : rest.slice(at).trimStart() };
}

function toRow(line: string, hasLabel: boolean): ProcessRow {
  const match = FIXED_ROW.exec(line.trimEnd());
  if (match === null) throw new ParseError(COMMAND, "not a process row", line);
  const [, node = "", pid = "", state = "", threads = "", , virt = "", res = "", rest = ""] = match;
  const number = (text: string, column: string): number => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new ParseError(COMMAND, `bad ${column}`, line);
    return value;
  };
  const size = (text: string, column: string): number => {
    try {
      return parseSize(text, COMMAND);
    } catch {
      throw new ParseError(COMMAND, `bad ${column} ${JSON.stringify(text)}`, line);
    }
  };
  return {
    node,
    pid: number(pid, "PID"),
    state,
    threads: number(threads, "THREADS"),
    virtualBytes: size(virt, "VIRTMEM"),
    residentBytes: size(res, "RESMEM"),
    ...splitLabel(rest, hasLabel),
  };
}

/**
 * Every process row, in printed order. Empty stdout (up to v1.13 nothing is printed when any node failed)
 * gives no rows; rows before any header are refused, as is a line of any other shape.
 */
export function parseProcesses(stdout: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  let layout: readonly string[] | null = null;
  for (const raw of stdout.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const words = line.trim().split(/\s+/);
    const header = [WITH_LABEL, WITHOUT_LABEL].find((candidate) => isHeader(words, candidate));
    if (header !== undefined) {
      layout = header;
      continue;
    }
    if (layout === null) throw new ParseError(COMMAND, "expected a table header", line);
    rows.push(toRow(line, layout === WITH_LABEL));
  }
  return rows;
}

const ETCD_BINARY = "/usr/local/bin/etcd";

/** Talos runs etcd as `/usr/local/bin/etcd --flags…`; the shim and other processes merely mention "etcd". */
export function isEtcdProcess(row: ProcessRow): boolean {
  return row.command === ETCD_BINARY || row.command.startsWith(`${ETCD_BINARY} `);
}
