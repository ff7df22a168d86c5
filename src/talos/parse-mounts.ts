/**
 * `talosctl mounts`. Read from cmd/talosctl/cmd/talos/mounts.go (and the RenderMounts formatter it calls up
 * to v1.13) at the release tags: text/tabwriter with padding 3 on every release, header
 * `NODE FILESYSTEM SIZE(GB) USED(GB) AVAILABLE(GB) PERCENT USED MOUNTED ON` (NODE only when talosctl knows
 * the peer, which it always does), sizes printed with `%.02f` of bytes × 1e-9, so decimal GB with two decimals:
 * each value is known to ±5 MB. Filesystems whose size is 0 are left out by talosctl.
 */
import { ParseError } from "../errors.js";
import { readCell, readNonEmpty, withLine } from "./parse-cells.js";
import { splitTable, type TableRow } from "./table.js";

const COMMAND = "mounts";
const COLUMNS = ["FILESYSTEM", "SIZE(GB)", "USED(GB)", "AVAILABLE(GB)", "PERCENT USED", "MOUNTED ON"];

export const MOUNT_LAYOUTS: readonly (readonly string[])[] = [["NODE", ...COLUMNS], COLUMNS];

export interface MountRow {
  node: string;
  filesystem: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  mountedOn: string;
}

const GIGABYTES = /^(\d+)\.(\d{2})$/;

/** `7.41` -> 7410000000. Integer arithmetic on the digits: 7.41 * 1e9 in floating point is not exact. */
export function parseGigabytes(text: string): number {
  const match = GIGABYTES.exec(text);
  if (match === null) throw new ParseError(COMMAND, "not a size in GB with two decimals", text);
  const [, whole = "", hundredths = ""] = match;
  return Number(whole + hundredths) * 10_000_000;
}

function toMountRow(row: TableRow): MountRow {
  const gb = (column: string) => withLine(row, COMMAND, column, parseGigabytes);
  return {
    node: row.cells.NODE === undefined ? "" : readNonEmpty(row, "NODE", COMMAND),
    filesystem: readCell(row, "FILESYSTEM", COMMAND),
    sizeBytes: gb("SIZE(GB)"),
    usedBytes: gb("USED(GB)"),
    availableBytes: gb("AVAILABLE(GB)"),
    mountedOn: readMountPoint(row),
  };
}

function readMountPoint(row: TableRow): string {
  const percent = readCell(row, "PERCENT USED", COMMAND);
  if (!/^\d+\.\d{2}%$/.test(percent)) throw new ParseError(COMMAND, "bad PERCENT USED", row.line);
  const mountedOn = readNonEmpty(row, "MOUNTED ON", COMMAND);
  if (!mountedOn.startsWith("/"))
    throw new ParseError(COMMAND, "MOUNTED ON is not an absolute path", row.line);
  return mountedOn;
}

/** A lone header (every node failed) gives no rows; the header is printed on every release. */
export function parseMounts(stdout: string): MountRow[] {
  return splitTable(stdout, { command: COMMAND, layouts: MOUNT_LAYOUTS, headerRequired: true }).map(
    toMountRow,
  );
}

/**
 * Whether `mountPoint` holds `path`: equal, or a parent directory of it. Compared by path components, not by
 * characters, so `/var` holds `/var/lib/etcd` but `/va` and `/var/lib/et` do not.
 */
export function containsPath(mountPoint: string, path: string): boolean {
  if (mountPoint === "/") return path.startsWith("/");
  const base = mountPoint.endsWith("/") ? mountPoint.slice(0, -1) : mountPoint;
  return path === base || path.startsWith(`${base}/`);
}

/**
 * The row of the filesystem that holds `path` on one node: the longest mount point containing it. Of two
 * rows with the same mount point the later wins: a mount stacked on top hides the one under it.
 */
export function findMountFor(rows: readonly MountRow[], path: string): MountRow | undefined {
  let best: MountRow | undefined;
  for (const row of rows) {
    if (!containsPath(row.mountedOn, path)) continue;
    if (best === undefined || row.mountedOn.length >= best.mountedOn.length) best = row;
  }
  return best;
}
