/**
 * etcd lists an active alarm in every member's status errors as `memberID:<decimal id> alarm:<NAME>`.
 * Reading alarms from there lets a verification poll make ONE `etcd status` call instead of two calls.
 */
import { memberIdFromDecimal } from "./parse-member-id.js";
import type { AlarmRow, StatusRow } from "./types.js";

const ALARM_IN_ERRORS = /^memberID:(\d+) alarm:([A-Z]+)$/;

export function alarmsFromErrors(rows: readonly StatusRow[]): AlarmRow[] {
  const alarms: AlarmRow[] = [];
  for (const row of rows) {
    for (const error of row.errors) {
      const match = ALARM_IN_ERRORS.exec(error.trim());
      if (match?.[1] === undefined || match[2] === undefined) continue;
      const memberId = memberIdFromDecimal(match[1]);
      if (!alarms.some((a) => a.memberId === memberId && a.alarm === match[2])) {
        alarms.push({ node: row.node, memberId, alarm: match[2] });
      }
    }
  }
  return alarms;
}

export function isAlarmError(error: string): boolean {
  return ALARM_IN_ERRORS.test(error.trim());
}
