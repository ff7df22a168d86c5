/**
 * `talosctl etcd status`. Two header layouts: v1.4–v1.10 without PROTOCOL/STORAGE, v1.11+ with them; NODE is
 * missing when the first reply carried no node metadata. Rows come in answer order.
 */
import { ParseError } from "../errors.js";
import { splitStatusErrors } from "./error-alarms.js";
import { parseEtcdVersion } from "./etcd-version.js";
import { readBool, readCell, readNonEmpty, readUint, splitList, withLine } from "./parse-cells.js";
import { NO_MEMBER_ID, normalizeMemberId } from "./parse-member-id.js";
import { parseSize } from "./size.js";
import { splitTable, type TableRow } from "./table.js";
import type { StatusRow } from "./types.js";

const COMMAND = "etcd status";
const BASE = [
  "MEMBER",
  "DB SIZE",
  "IN USE",
  "LEADER",
  "RAFT INDEX",
  "RAFT TERM",
  "RAFT APPLIED INDEX",
  "LEARNER",
];
const OLD = [...BASE, "ERRORS"];
const NEW = [...BASE, "PROTOCOL", "STORAGE", "ERRORS"];

export const STATUS_LAYOUTS: readonly (readonly string[])[] = [["NODE", ...NEW], ["NODE", ...OLD], NEW, OLD];

/** `6.2 MB (29.09%)`: the percentage is exact to 0.01 % (computed from bytes), the size is not. */
const IN_USE = /^(.+) \((\d+)\.(\d{2})%\)$/;

function readInUse(row: TableRow): { bytes: number; ratio: number } {
  const text = readCell(row, "IN USE", COMMAND);
  const match = IN_USE.exec(text);
  if (match === null) throw new ParseError(COMMAND, `bad IN USE ${JSON.stringify(text)}`, row.line);
  const [, size = "", whole = "", hundredths = ""] = match;
  let bytes: number;
  try {
    bytes = parseSize(size, COMMAND);
  } catch {
    throw new ParseError(COMMAND, `bad IN USE ${JSON.stringify(text)}`, row.line);
  }
  // Integer hundredths of a percent: 29.09 -> 2909 / 10000, with no floating-point residue.
  return { bytes, ratio: Number(whole + hundredths) / 10000 };
}

function toStatusRow(row: TableRow): StatusRow {
  const inUse = readInUse(row);
  const node = row.cells.NODE === undefined ? "" : readNonEmpty(row, "NODE", COMMAND);
  const errors = splitList(readCell(row, "ERRORS", COMMAND), ", ");
  const leaderId = withLine(row, COMMAND, "LEADER", (t) => normalizeMemberId(t, COMMAND));
  const status: StatusRow = {
    node,
    memberId: withLine(row, COMMAND, "MEMBER", (t) => normalizeMemberId(t, COMMAND)),
    dbSize: withLine(row, COMMAND, "DB SIZE", (t) => parseSize(t, COMMAND)),
    dbSizeInUse: inUse.bytes,
    inUseRatio: inUse.ratio,
    leaderId: leaderId === NO_MEMBER_ID ? null : leaderId,
    raftIndex: readUint(row, "RAFT INDEX", COMMAND),
    raftTerm: readUint(row, "RAFT TERM", COMMAND),
    raftAppliedIndex: readUint(row, "RAFT APPLIED INDEX", COMMAND),
    isLearner: readBool(row, "LEARNER", COMMAND),
    errors,
    ...splitStatusErrors(node, errors),
  };
  if (row.cells.PROTOCOL !== undefined) {
    status.protocol = row.cells.PROTOCOL;
    status.etcdVersion = parseEtcdVersion(row.cells.PROTOCOL);
  }
  if (row.cells.STORAGE !== undefined) status.storage = row.cells.STORAGE;
  return status;
}

/** Empty stdout (every node failed up to v1.13) and a lone header (v1.14) both mean no rows. */
export function parseStatus(stdout: string): StatusRow[] {
  return splitTable(stdout, { command: COMMAND, layouts: STATUS_LAYOUTS, headerRequired: true }).map(
    toStatusRow,
  );
}
