/**
 * `talosctl etcd members`: every node asked repeats the whole member list. Up to v1.13 the header comes
 * only with the first reply's first row, and when that reply had no members the later rows come with
 * neither header nor NODE column.
 */
import { readBool, readCell, readNonEmpty, splitList, withLine } from "./parse-cells.js";
import { normalizeMemberId } from "./parse-member-id.js";
import { splitTable, type TableRow } from "./table.js";
import type { MemberRow } from "./types.js";

const COMMAND = "etcd members";
const COLUMNS = ["ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"];

export const MEMBER_LAYOUTS: readonly (readonly string[])[] = [["NODE", ...COLUMNS], COLUMNS];

function toMemberRow(row: TableRow): MemberRow {
  return {
    node: row.cells.NODE === undefined ? "" : readNonEmpty(row, "NODE", COMMAND),
    memberId: withLine(row, COMMAND, "ID", (t) => normalizeMemberId(t, COMMAND)),
    // An added but not yet started member has no name and no client URLs.
    hostname: readCell(row, "HOSTNAME", COMMAND),
    peerUrls: splitList(readCell(row, "PEER URLS", COMMAND), ","),
    clientUrls: splitList(readCell(row, "CLIENT URLS", COMMAND), ","),
    isLearner: readBool(row, "LEARNER", COMMAND),
  };
}

export function parseMembers(stdout: string): MemberRow[] {
  return splitTable(stdout, { command: COMMAND, layouts: MEMBER_LAYOUTS, headerRequired: false }).map(
    toMemberRow,
  );
}
