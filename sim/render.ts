/**
 * talosctl's output for the multi-node table commands, per release. Input is every node's outcome
 * in answer order; output is stdout, stderr and the exit code, built exactly as talosctl builds them.
 */
import type { AlarmInfo, MemberInfo, MemberStatus } from "./backend.js";
import type { Release } from "./config.js";
import { formatFixed, formatMemberId, humanizeBytes } from "./humanize.js";
import { tabwrite } from "./tabwriter.js";

export type Outcome<T> =
  | { node: string; answeredAfterMs: number; ok: true; value: T }
  | { node: string; answeredAfterMs: number; ok: false; error: string };

export interface Rendered {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A table command: the header, how one answer becomes rows, and the ≤v1.13 quirks. */
interface TableSpec<T> {
  header: (release: Release) => string;
  rows: (node: string, value: T, release: Release) => string[];
  /** ≤v1.13: "error getting status" and friends, used when no node answered. */
  failurePrefix: string;
  /** ≤v1.13: header with the first message even when it has no rows (status), else only before a first row. */
  legacyHeaderAlways: boolean;
  /** v1.14: header printed up front (status, members), else before the first row (alarms). */
  streamingHeaderAlways: boolean;
}

/** hashicorp/go-multierror's text, which talosctl ≤v1.13 prints for per-node failures. */
export function formatMultiError(failures: readonly { node: string; error: string }[]): string {
  const count = failures.length === 1 ? "1 error occurred:" : `${failures.length} errors occurred:`;
  return `${count}\n${failures.map((f) => `\t* ${f.node}: ${f.error}`).join("\n")}\n\n`;
}

export const STATUS_TABLE: TableSpec<MemberStatus> = {
  header: (release) =>
    release === "v1.10"
      ? "NODE\tMEMBER\tDB SIZE\tIN USE\tLEADER\tRAFT INDEX\tRAFT TERM\tRAFT APPLIED INDEX\tLEARNER\tERRORS"
      : "NODE\tMEMBER\tDB SIZE\tIN USE\tLEADER\tRAFT INDEX\tRAFT TERM\tRAFT APPLIED INDEX\tLEARNER\tPROTOCOL\tSTORAGE\tERRORS",
  rows: (node, s, release) => {
    const ratio = s.dbSize > 0 ? (s.dbSizeInUse / s.dbSize) * 100 : 0;
    const cells = [
      node,
      formatMemberId(s.memberId),
      humanizeBytes(s.dbSize),
      `${humanizeBytes(s.dbSizeInUse)} (${formatFixed(ratio, 2)}%)`,
      formatMemberId(s.leader),
      String(s.raftIndex),
      String(s.raftTerm),
      String(s.raftAppliedIndex),
      String(s.isLearner),
      ...(release === "v1.10" ? [] : [s.version, s.storageVersion]),
      s.errors.join(", "),
    ];
    return [cells.join("\t")];
  },
  failurePrefix: "error getting status",
  legacyHeaderAlways: true,
  streamingHeaderAlways: true,
};

export const MEMBERS_TABLE: TableSpec<MemberInfo[]> = {
  header: () => "NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER",
  rows: (node, members) =>
    members.map((m) =>
      [
        node,
        formatMemberId(m.id),
        m.hostname,
        m.peerUrls.join(","),
        m.clientUrls.join(","),
        String(m.isLearner),
      ].join("\t"),
    ),
  failurePrefix: "error getting members",
  legacyHeaderAlways: false,
  streamingHeaderAlways: true,
};

function alarmTable(failurePrefix: string): TableSpec<AlarmInfo[]> {
  return {
    header: () => "NODE\tMEMBER\tALARM",
    rows: (node, alarms) => alarms.map((a) => [node, formatMemberId(a.memberId), a.alarm].join("\t")),
    failurePrefix,
    legacyHeaderAlways: false,
    streamingHeaderAlways: false,
  };
}

export const ALARM_LIST_TABLE = alarmTable("error getting alarms");
export const ALARM_DISARM_TABLE = alarmTable("error disarming alarms");

/** ≤v1.13: one response for all nodes; failed nodes are filtered out and become a warning. */
function renderLegacy<T>(spec: TableSpec<T>, outcomes: Outcome<T>[], release: Release): Rendered {
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [{ node: o.node, error: o.error }]));
  const answers = outcomes.flatMap((o) => (o.ok ? [o] : []));
  if (answers.length === 0) {
    return { stdout: "", stderr: `${spec.failurePrefix}: ${formatMultiError(failures)}\n`, exitCode: 1 };
  }
  const lines: string[] = [];
  answers.forEach((answer, i) => {
    const rows = spec.rows(answer.node, answer.value, release);
    // The header goes with the first message only, and for members/alarms only if it has rows.
    if (i === 0 && (spec.legacyHeaderAlways || rows.length > 0)) lines.push(spec.header(release));
    lines.push(...rows);
  });
  const stdout = tabwrite(lines.map((l) => `${l}\n`).join(""));
  const stderr = failures.length > 0 ? `WARNING: ${formatMultiError(failures)}` : "";
  return { stdout, stderr, exitCode: 0 };
}

/** v1.14: answers stream in; the table is flushed after 500 ms without a new answer. */
function renderStreaming<T>(spec: TableSpec<T>, outcomes: Outcome<T>[], release: Release): Rendered {
  const chunks: string[][] = [[]];
  let headerPrinted = false;
  if (spec.streamingHeaderAlways) {
    chunks[0]?.push(spec.header(release));
    headerPrinted = true;
  }
  const errors: string[] = [];
  let lastAnswer = 0;
  for (const outcome of outcomes) {
    if (outcome.answeredAfterMs - lastAnswer > 500) chunks.push([]);
    lastAnswer = outcome.answeredAfterMs;
    const chunk = chunks[chunks.length - 1] ?? [];
    if (!outcome.ok) {
      errors.push(`error from node ${outcome.node}: ${outcome.error}`);
      continue;
    }
    const rows = spec.rows(outcome.node, outcome.value, release);
    if (!headerPrinted && rows.length > 0) {
      chunk.push(spec.header(release));
      headerPrinted = true;
    }
    chunk.push(...rows);
  }
  const stdout = chunks.map((c) => tabwrite(c.map((l) => `${l}\n`).join(""))).join("");
  return { stdout, stderr: errors.map((e) => `${e}\n`).join(""), exitCode: errors.length > 0 ? 1 : 0 };
}

export function renderTable<T>(spec: TableSpec<T>, outcomes: Outcome<T>[], release: Release): Rendered {
  return release === "v1.14"
    ? renderStreaming(spec, outcomes, release)
    : renderLegacy(spec, outcomes, release);
}
