/**
 * etcd lists an active alarm in every member's status errors as `memberID:<decimal id> alarm:<NAME>` (one or
 * two spaces between the fields on etcd 3.7).
 * Splitting them out here lets a verification poll take alarms from ONE `etcd status` call, and lets the
 * rest of the program tell a member's own complaints from cluster-wide alarms without reading the text.
 */
import { memberIdFromDecimal } from "./parse-member-id.js";
import type { AlarmRow } from "./types.js";

// etcd 3.7 prints the AlarmMember with protobuf's text format, which may double the space between the fields.
const ALARM_IN_ERRORS = /^memberID:(\d+)\s+alarm:([A-Z]+)$/;

/** A status row's ERRORS cell, split into the alarms it names and everything else. */
export function splitStatusErrors(
  node: string,
  errors: readonly string[],
): { alarms: AlarmRow[]; otherErrors: string[] } {
  const alarms: AlarmRow[] = [];
  const otherErrors: string[] = [];
  for (const error of errors) {
    const match = ALARM_IN_ERRORS.exec(error.trim());
    if (match?.[1] === undefined || match[2] === undefined) {
      otherErrors.push(error);
      continue;
    }
    const memberId = memberIdFromDecimal(match[1]);
    if (!alarms.some((a) => a.memberId === memberId && a.alarm === match[2]))
      alarms.push({ node, memberId, alarm: match[2] });
  }
  return { alarms, otherErrors };
}
