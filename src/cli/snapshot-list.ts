/**
 * `snapshot list [--snapshot-dir DIR]`: the snapshots in a directory, newest first, with age, size, revision and
 * whether each verifies (its own check, and its manifest's when it has one): what a restore would start from.
 * A verb of its own rather than `snapshot verify --dir`: verify checks the files it is given, in that order, and
 * says nothing else; a listing chooses the files (ours and those with a manifest), orders them by time and shows
 * what the manifests record. `--snapshot-dir` because that is the flag naming this folder in `snapshot` and
 * `defrag`: the line that writes the snapshots lists them with the same words. Needs no talosctl.
 * Snapshots being taken (`<name>.taking`) are listed as unfinished, never as failed; one not written for an hour
 * (left by a killed run) is stale, and said so on stderr.
 * Exit 0 when every listed snapshot verifies (also when there is none) and none is stale, 3 when one fails or is
 * stale, 2 when DIR cannot be read.
 */
import { EXIT, type ExitCode, UserError } from "../errors.js";
import { createStyle } from "../render/style.js";
import { type Column, renderTable } from "../render/table.js";
import { displayWidth } from "../render/text.js";
import {
  type CheckedSnapshot,
  listSnapshots,
  listUnfinished,
  toVerdict,
  type UnfinishedSnapshot,
} from "../run/snapshot-check.js";
import { parseSnapshotName, stampToIso } from "../run/snapshot-file.js";
import { formatSize } from "../talos/size.js";
import type { CliIO } from "./io.js";
import { printDocument } from "./json-output.js";
import { parseChoice } from "./values.js";

/** Two spaces between columns, as renderTable puts them when the table fits. */
const GAP = 2;

export async function runSnapshotList(
  io: CliIO,
  dir: string,
  flags: { output?: string },
  now: () => number = Date.now,
): Promise<ExitCode> {
  const output = parseChoice(flags.output ?? "table", "--output", ["table", "wide", "json"] as const);
  const read = async () => ({
    listed: await listSnapshots(dir),
    unfinished: await listUnfinished(dir, now()),
  });
  const { listed, unfinished } = await read().catch((error: NodeJS.ErrnoException) => {
    const why =
      error.code === "ENOENT"
        ? "no such directory"
        : error.code === "ENOTDIR"
          ? "not a directory"
          : error.message;
    throw new UserError(
      `cannot read ${dir}: ${why}`,
      "pass the folder the snapshots are in with --snapshot-dir",
    );
  });
  const ok = listed.every((s) => s.ok) && unfinished.every((u) => !u.stale);
  if (output === "json")
    printDocument(io, "snapshot-list", { dir, snapshots: listed.map(toVerdict), unfinished, ok });
  else if (listed.length === 0 && unfinished.length === 0) io.stdout(`no snapshots in ${dir}\n`);
  else {
    const style = createStyle(io.stdoutIsTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb");
    const wide = output === "wide";
    const width = wide || io.stdoutWidth === undefined || io.stdoutWidth <= 0 ? undefined : io.stdoutWidth;
    const columns = listColumns(now(), wide, style);
    const rows = fitFileNames(columns, [...unfinished.map(asRow), ...listed], width, wide);
    io.stdout(`${renderTable(columns, rows, { width, wide }).lines.join("\n")}\n`);
  }
  for (const u of unfinished.filter((x) => x.stale))
    io.stderr(
      `warning: ${u.path} was left unfinished by a run that ended without finishing it (not written since ${u.modifiedAt}): delete it and its .part file\n`,
    );
  return ok ? EXIT.ok : EXIT.refused;
}

/** An unfinished snapshot, shaped as a listed one: no manifest, no revision; `unfinished` says how to show it. */
type Listed = CheckedSnapshot & { unfinished?: "taking" | "stale" };

function asRow(u: UnfinishedSnapshot): Listed {
  return {
    path: u.path,
    bytes: u.bytes,
    ok: !u.stale,
    sha256Verified: false,
    error: u.stale ? "unfinished and stale" : null,
    manifest: null,
    cluster: null,
    revision: null,
    takenAt: u.startedAt,
    source: null,
    record: null,
    label: u.stale ? "stale" : "",
    usage: false,
    unfinished: u.stale ? "stale" : "taking",
  };
}

interface Row {
  snapshot: Listed;
  /** The file as shown: its name (whole path with -o wide), its start cut when the width asks for it. */
  file: string;
}

function listColumns(now: number, wide: boolean, style: ReturnType<typeof createStyle>): Column<Row>[] {
  const columns: Column<Row>[] = [
    { header: "AGE", align: "right", value: ({ snapshot }) => age(now, snapshot) },
    {
      header: "SIZE",
      align: "right",
      value: ({ snapshot }) => (snapshot.bytes === null ? "-" : formatSize(snapshot.bytes)),
    },
    {
      header: "REVISION",
      align: "right",
      value: ({ snapshot }) => (snapshot.revision === null ? "-" : String(snapshot.revision)),
    },
    { header: "SOURCE", only: "wide", value: ({ snapshot }) => snapshot.source?.node ?? "-" },
    {
      header: "VERIFIED",
      value: ({ snapshot }) =>
        snapshot.unfinished === "taking"
          ? "unfinished"
          : snapshot.unfinished === "stale"
            ? { text: "STALE unfinished", paint: style.bad }
            : snapshot.ok
              ? { text: snapshot.manifest === null ? "ok (no manifest)" : "ok", paint: style.ok }
              : { text: `FAILED ${snapshot.label}`, paint: style.bad },
    },
    { header: wide ? "PATH" : "FILE", value: ({ file }) => file },
  ];
  return columns;
}

/**
 * The file column comes last: when the table would pass the width, each name loses its start behind an
 * ellipsis, never its end (a snapshot's name ends with its time stamp). Piped and `-o wide` output keep it whole.
 */
function fitFileNames(
  columns: readonly Column<Row>[],
  listed: readonly Listed[],
  width: number | undefined,
  wide: boolean,
): Row[] {
  const rows = listed.map((snapshot) => ({
    snapshot,
    file: wide ? snapshot.path : snapshot.path.slice(snapshot.path.lastIndexOf("/") + 1),
  }));
  if (width === undefined) return rows;
  const others = columns.slice(0, -1).filter((c) => c.only !== "wide");
  const used = others.reduce(
    (sum, c) =>
      sum + GAP + Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(cellText(c.value(r))))),
    0,
  );
  const room = Math.max(20, width - used);
  return rows.map((r) =>
    r.file.length <= room ? r : { ...r, file: `…${r.file.slice(r.file.length - room + 1)}` },
  );
}

function cellText(cell: ReturnType<Column<Row>["value"]>): string {
  return typeof cell === "string" ? cell : cell.text;
}

/** How long ago it was taken: 45s, 12m, 5h, 3d (hours up to two days, so "last night" reads as hours). */
function age(now: number, snapshot: CheckedSnapshot): string {
  const at = snapshot.takenAt ?? fromName(snapshot.path);
  if (at === null) return "-";
  const seconds = Math.max(0, Math.floor((now - Date.parse(at)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** The time in our file name, for a snapshot without a manifest. */
function fromName(path: string): string | null {
  const stamp = parseSnapshotName(path.slice(path.lastIndexOf("/") + 1))?.stamp;
  return stamp === undefined ? null : stampToIso(stamp);
}
