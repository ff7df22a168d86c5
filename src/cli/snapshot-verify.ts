/**
 * `snapshot verify FILE...`: checks snapshot files already on disk (size 512·k + 32, SHA-256 trailer) and, when
 * a manifest is beside one, the file against it (size, SHA-256 of the whole file), so a runbook can check last
 * night's backup anywhere. Needs neither talosctl nor a cluster, and loads neither.
 * Exit 0 when every file passes, 3 when one fails its check, 2 when a path is not a readable regular file.
 */
import { EXIT, type ExitCode } from "../errors.js";
import { createStyle } from "../render/style.js";
import {
  type CheckedSnapshot,
  checkSnapshot,
  type SnapshotVerdict,
  toVerdict,
} from "../run/snapshot-check.js";
import { formatSize } from "../talos/size.js";
import type { CliIO } from "./io.js";
import { printDocument } from "./json-output.js";
import { parseChoice } from "./values.js";

/** One file's verdict; the JSON document holds these as they are (see run/snapshot-check.ts). */
export type FileVerdict = SnapshotVerdict;

export async function runSnapshotVerify(
  io: CliIO,
  paths: readonly string[],
  flags: { output?: string },
): Promise<ExitCode> {
  // `wide` (every column, whatever the width) is accepted ahead of the table work: here it keeps paths whole.
  const output = parseChoice(flags.output ?? "table", "--output", ["table", "wide", "json"] as const);
  const checked: CheckedSnapshot[] = [];
  // One after another: hashing is CPU-bound, and the lines come out in the order given.
  for (const path of paths) checked.push(await checkSnapshot(path));
  const files: FileVerdict[] = checked.map(toVerdict);
  const allOk = files.every((f) => f.ok);
  if (output === "json") printDocument(io, "snapshot-verify", { files, ok: allOk });
  else
    io.stdout(await renderLines(checked, io, output === "wide" ? Number.POSITIVE_INFINITY : outputWidth(io)));
  if (checked.some((c) => c.usage)) return EXIT.usage;
  return allOk ? EXIT.ok : EXIT.refused;
}

/**
 * `ok      1.0 GB  PATH` and `FAILED  1.0 GB  bad SHA-256  PATH`: at most 32 columns before the path, which comes
 * last; when a file has a manifest, its revision, time and source node come before the path
 * (`ok      121 MB  rev 9120554  2026-11-22T03:00Z  172.20.0.2  PATH`). With a known width (the terminal's, else COLUMNS) a path that would not fit loses its start, never its
 * end (a snapshot's name ends with its time stamp): `…cluster-3f9c1a2b-20261122T030000Z.db`. Piped output
 * and `-o json` always carry the whole path, and the full reason is in `-o json`.
 */
async function renderLines(checked: readonly CheckedSnapshot[], io: CliIO, width: number): Promise<string> {
  const { drawTable } = await import("../render/table.js");
  const style = createStyle(io.stdoutIsTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb");
  const sizes = checked.map((c) => (c.bytes === null ? "-" : formatSize(c.bytes)));
  const labelWidth = Math.max(0, ...checked.map((c) => c.label.length));
  const allRecords = checked.map(recordColumns);
  const anyRecord = allRecords.some((r) => r !== null);
  // A size takes at most 6 columns ("1.0 GB"); the verdict column is as wide as FAILED.
  const fixed = [6, 6, ...(labelWidth === 0 ? [] : [labelWidth])];
  const recordWidthsOf = (n: number) =>
    [0, 1, 2].slice(0, n).map((i) => Math.max(1, ...allRecords.map((r) => r?.[i]?.length ?? 0)));
  // The manifest's columns go (the source, then the time, then the revision) before the path would get fewer
  // than 20 columns: the line fits the width, and `-o json` or `-o wide` still say all of it.
  let kept = anyRecord ? 3 : 0;
  const before = (n: number) => [...fixed, ...recordWidthsOf(n)].reduce((sum, w) => sum + w + 2, 0);
  while (kept > 0 && before(kept) + 20 > width) kept--;
  const recordWidths = recordWidthsOf(kept);
  const records = allRecords.map((r) => (r === null ? null : r.slice(0, kept)));
  const widths = [...fixed, ...recordWidths];
  const paths = checked.map((c) => fitPath(c.path, width - before(kept)));
  const rows = checked.map((c, i) => [
    c.ok ? style.ok("ok") : style.bad("FAILED"),
    sizes[i] ?? "-",
    ...(labelWidth === 0 ? [] : [c.label]),
    ...(kept > 0 ? (records[i] ?? Array.from({ length: kept }, () => "")) : []),
    paths[i] ?? c.path,
  ]);
  const lines = drawTable([], rows, {
    gap: 2,
    widths: [...widths, Math.max(0, ...paths.map((p) => p.length))],
    // The size stays left-aligned, under its verdict's line as before: "-" for a file that has none.
    aligns: [...widths, 0].map(() => "left" as const),
  });
  return lines.map((line) => `${line}\n`).join("");
}

/** From the manifest, when there is one: `rev 53391`, `2026-11-22T03:00Z`, the source node. */
function recordColumns(c: CheckedSnapshot): [string, string, string] | null {
  if (c.manifest === null || c.record === null) return null;
  return [
    c.revision === null ? "rev ?" : `rev ${c.revision}`,
    c.takenAt === null ? "-" : shortTime(c.takenAt),
    c.source?.node ?? "-",
  ];
}

/** `2026-11-22T03:00:00.000Z` -> `2026-11-22T03:00Z`: to the minute, still ISO 8601 and UTC. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 16)}Z`;
}

/** The width the CLI IO detected (terminal, else COLUMNS); unlimited for a pipe. */
function outputWidth(io: CliIO): number {
  return io.stdoutWidth !== undefined && io.stdoutWidth > 0 ? io.stdoutWidth : Number.POSITIVE_INFINITY;
}

/** The end of the path, behind an ellipsis, when it is longer than `room` (at least 20 columns kept). */
function fitPath(path: string, room: number): string {
  const keep = Math.max(20, room);
  return path.length <= keep ? path : `…${path.slice(path.length - keep + 1)}`;
}
