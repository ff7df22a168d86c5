/**
 * `talosctl etcd snapshot PATH` prints two lines once the file is in place:
 *   etcd snapshot saved to "/backups/etcd.db" (2015264 bytes)
 *   snapshot info: hash 3c5e4b1a, revision 53391, total keys 1187, total size 3035136
 * The second line is missing if reading the snapshot's status failed after the save.
 */
import { ParseError } from "../errors.js";
import { unquoteGoString } from "./parse-go-string.js";
import type { SnapshotReport } from "./types.js";

const COMMAND = "etcd snapshot";
const SAVED = /^etcd snapshot saved to (".*") \((\d+) bytes\)$/;
const INFO = /^snapshot info: hash ([0-9a-f]+), revision (\d+), total keys (\d+), total size (\d+)$/;

function toCount(text: string, line: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ParseError(COMMAND, "number out of range", line);
  return value;
}

export function parseSnapshotReport(stdout: string): SnapshotReport {
  const lines = stdout.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  let report: SnapshotReport | null = null;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const saved = SAVED.exec(line);
    if (saved !== null && report === null) {
      const path = unquoteGoString(saved[1] ?? "");
      if (path === null || path === "") throw new ParseError(COMMAND, "bad quoted path", line);
      report = { path, bytes: toCount(saved[2] ?? "", line) };
      continue;
    }
    const info = INFO.exec(line);
    if (info !== null && report !== null && report.hash === undefined) {
      report.hash = info[1] ?? "";
      report.revision = toCount(info[2] ?? "", line);
      report.totalKeys = toCount(info[3] ?? "", line);
      report.totalSize = toCount(info[4] ?? "", line);
      continue;
    }
    throw new ParseError(COMMAND, "unexpected line", line);
  }
  if (report === null) throw new ParseError(COMMAND, "no `etcd snapshot saved to` line", lines[0] ?? "");
  return report;
}
