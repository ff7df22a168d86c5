/** `alarms list` for people: one row per raised alarm, with the member's node. */
import type { Style } from "./style.js";
import { type Column, renderTable, type TableLayout } from "./table.js";

export interface AlarmLine {
  alarm: string;
  memberId: string;
  node: string | null;
}

export function renderAlarms(alarms: readonly AlarmLine[], style: Style, layout: TableLayout): string {
  if (alarms.length === 0) return "no alarms raised\n";
  const columns: Column<AlarmLine>[] = [
    { header: "ALARM", value: (a) => ({ text: a.alarm, paint: style.bad }) },
    { header: "MEMBER", value: (a) => a.memberId },
    { header: "NODE", value: (a) => a.node ?? "?" },
  ];
  return `${renderTable(columns, alarms, layout).lines.join("\n")}\n`;
}
