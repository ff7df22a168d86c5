/**
 * `snapshot verify FILE...`: checks snapshot files already on disk (size 512·k + 32, SHA-256 trailer), so a
 * runbook can check last night's backup anywhere. Needs neither talosctl nor a cluster, and loads neither.
 * Exit 0 when every file passes, 3 when one fails its check, 2 when a path is not a readable regular file.
 */
import { stat } from "node:fs/promises";
import { EXIT, type ExitCode } from "../errors.js";
import { createStyle } from "../render/style.js";
import { type SnapshotFailure, verifySnapshotFile } from "../run/snapshot-file.js";
import type { FileVerdict } from "../schema/index.js";
import { formatSize } from "../talos/size.js";
import type { CliIO } from "./io.js";
import { printDocument } from "./json-output.js";
import { parseChoice } from "./values.js";

interface Checked extends FileVerdict {
  /** A few words for the table, which must fit 80 columns beside the path. */
  label: string;
  /** The path was wrong (missing, a directory, unreadable): the operator's to fix, exit 2. */
  usage: boolean;
}

/** At most 11 columns each: with the verdict and the size, 30 columns go before the path. */
const FAILURE_LABELS: Record<SnapshotFailure, string> = {
  size: "bad size",
  sha256: "bad SHA-256",
  shrank: "changed",
  "not-a-file": "not a file",
};

export async function runSnapshotVerify(
  io: CliIO,
  paths: readonly string[],
  flags: { output?: string },
): Promise<ExitCode> {
  // `wide` (every column, whatever the width) is accepted ahead of the table work: here it keeps paths whole.
  const output = parseChoice(flags.output ?? "table", "--output", ["table", "wide", "json"] as const);
  const checked: Checked[] = [];
  // One after another: hashing is CPU-bound, and the lines come out in the order given.
  for (const path of paths) checked.push(await checkFile(path));
  const files: FileVerdict[] = checked.map(({ path, bytes, ok, sha256Verified, error }) => ({
    path,
    bytes,
    ok,
    sha256Verified,
    error,
  }));
  const allOk = files.every((f) => f.ok);
  if (output === "json") printDocument(io, "snapshot-verify", { files, ok: allOk });
  else
    io.stdout(await renderLines(checked, io, output === "wide" ? Number.POSITIVE_INFINITY : outputWidth(io)));
  if (checked.some((c) => c.usage)) return EXIT.usage;
  return allOk ? EXIT.ok : EXIT.refused;
}

async function checkFile(path: string): Promise<Checked> {
  const fail = (label: string, error: string, usage: boolean, bytes: number | null = null): Checked => ({
    path,
    bytes,
    ok: false,
    sha256Verified: false,
    error,
    label,
    usage,
  });
  // stat first: opening a FIFO or a device to read it could block or never end.
  const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
  if (info instanceof Error) return fail(errnoLabel(info), describe(info), true);
  if (info.isDirectory()) return fail("directory", "is a directory", true);
  if (!info.isFile()) return fail("not a file", "not a regular file", true);
  try {
    const check = await verifySnapshotFile(path);
    if (check.sha256Verified)
      return {
        path,
        bytes: check.bytes,
        ok: true,
        sha256Verified: true,
        error: null,
        label: "",
        usage: false,
      };
    const label = check.failure === undefined ? "failed" : FAILURE_LABELS[check.failure];
    return fail(label, check.problem ?? label, false, check.bytes);
  } catch (error) {
    const errno = error as NodeJS.ErrnoException;
    // Unreadable is the operator's to fix; a read error half way is a backup that cannot be trusted.
    const usage = errno.code === "EACCES" || errno.code === "EPERM" || errno.code === "ENOENT";
    return fail(usage ? errnoLabel(errno) : "read error", describe(errno), usage, info.size);
  }
}

function errnoLabel(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return "missing";
  if (error.code === "EACCES" || error.code === "EPERM") return "no access";
  return "read error";
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT" || error.code === "ENOTDIR") return "no such file";
  if (error.code === "EACCES" || error.code === "EPERM") return "permission denied";
  return error.message;
}

/**
 * `ok      1.0 GB  PATH` and `FAILED  1.0 GB  bad SHA-256  PATH`, a table without a header: at most 30 columns
 * before the path, which comes last. With a known width (the terminal's, else COLUMNS) a path that would not fit
 * loses its start, never its end (a snapshot's name ends with its time stamp):
 * `…cluster-3f9c1a2b-20261122T030000Z.db`. Piped output and `-o json` always carry the whole path, and the full
 * reason is in `-o json`.
 */
async function renderLines(checked: readonly Checked[], io: CliIO, width: number): Promise<string> {
  const { drawTable } = await import("../render/table.js");
  const style = createStyle(io.stdoutIsTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb");
  const sizes = checked.map((c) => (c.bytes === null ? "-" : formatSize(c.bytes)));
  const labelWidth = Math.max(0, ...checked.map((c) => c.label.length));
  // A size takes at most 6 columns ("1.0 GB"); the verdict column is as wide as FAILED.
  const widths = [6, 6, ...(labelWidth === 0 ? [] : [labelWidth])];
  const before = widths.reduce((sum, w) => sum + w + 2, 0);
  const paths = checked.map((c) => fitPath(c.path, width - before));
  const rows = checked.map((c, i) => [
    c.ok ? style.ok("ok") : style.bad("FAILED"),
    sizes[i] ?? "-",
    ...(labelWidth === 0 ? [] : [c.label]),
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

/** The width the CLI IO detected (terminal, else COLUMNS); unlimited for a pipe. */
function outputWidth(io: CliIO): number {
  return io.stdoutWidth !== undefined && io.stdoutWidth > 0 ? io.stdoutWidth : Number.POSITIVE_INFINITY;
}

/** The end of the path, behind an ellipsis, when it is longer than `room` (at least 20 columns kept). */
function fitPath(path: string, room: number): string {
  const keep = Math.max(20, room);
  return path.length <= keep ? path : `…${path.slice(path.length - keep + 1)}`;
}
