/**
 * `talosctl etcd alarm list` and `alarm disarm` (same table). No alarms: nothing at all on stdout. Up to
 * v1.13 the header (and the NODE column) come only if the first node to answer had an alarm.
 */
import { ParseError } from "../errors.js";
import { readNonEmpty, withLine } from "./parse-cells.js";
import { normalizeMemberId } from "./parse-member-id.js";
import { splitTable, type TableRow } from "./table.js";
import type { AlarmRow } from "./types.js";

export const ALARM_LAYOUTS: readonly (readonly string[])[] = [
  ["NODE", "MEMBER", "ALARM"],
  ["MEMBER", "ALARM"],
];

const ALARM_NAME = /^[A-Z][A-Z_]*$/;

function toAlarmRow(row: TableRow, command: string): AlarmRow {
  const alarm = readNonEmpty(row, "ALARM", command);
  if (!ALARM_NAME.test(alarm)) throw new ParseError(command, `bad ALARM ${JSON.stringify(alarm)}`, row.line);
  return {
    node: row.cells.NODE === undefined ? "" : readNonEmpty(row, "NODE", command),
    memberId: withLine(row, command, "MEMBER", (t) => normalizeMemberId(t, command)),
    alarm,
  };
}

/** `command` is `etcd alarm list` or `etcd alarm disarm`, for error messages. */
export function parseAlarms(stdout: string, command = "etcd alarm list"): AlarmRow[] {
  return splitTable(stdout, { command, layouts: ALARM_LAYOUTS, headerRequired: false }).map((row) =>
    toAlarmRow(row, command),
  );
}
