/**
 * Where a tool run's time goes (issue 21 §3): the talosctl defrag calls, which the tool cannot make shorter, and
 * everything else, the run's own time. Read from the simulator's call log: each defrag call counts from the moment
 * its talosctl process was spawned (start-up included, as a real talosctl's start-up and TLS handshake would be)
 * to its end. The parts add up to the tool's wall time:
 *   total = before the first defrag + defrag calls + the gaps between them + after the last.
 */
import type { CallLogEntry } from "../sim/cluster.js";
import type { Window } from "./stats.js";

export interface OwnTime {
  /** The tool's process, spawn to exit. */
  totalMs: number;
  /** The defrag calls, each from its talosctl's spawn to its end. */
  defragCallsMs: number;
  /** total - defrag calls: the tool's start, reads, checks, leadership move and waits. */
  ownMs: number;
  /** The tool's spawn to the first defrag call's spawn. */
  beforeFirstMs: number;
  /** From the end of each defrag call to the spawn of the next (one fewer than the defrags). */
  gapsMs: number[];
  /** The end of the last defrag call to the tool's exit. */
  afterLastMs: number;
  /**
   * Of the own time, the part when no talosctl call was running: the tool's start-up and exit, its decisions and
   * its pauses between polls. The rest is other talosctl calls (status, members, forfeit-leadership, ...), each
   * counted from its process's spawn: on the simulator mostly Node's start-up, where a real talosctl, a Go
   * binary, spends a TLS handshake and a proxy hop.
   */
  toolAloneMs: number;
  /** Every talosctl call of the run, the defrags included. */
  calls: number;
  /** Each call, ms from the tool's spawn: its talosctl's spawn, the command's start and end (where time goes). */
  timeline: { command: string; spawnMs: number; startMs: number; endMs: number }[];
}

/** The split of one tool run, or null when the run made no defrag call. */
export function splitRunTime(window: Window, log: readonly CallLogEntry[]): OwnTime | null {
  const within = log.filter((e) => e.start >= window.from && e.start <= window.to);
  const defrags = within
    .filter((e) => e.command === "defrag")
    .map((e) => ({ from: Math.max(window.from, e.spawnedAt ?? e.start), to: e.end }))
    .sort((a, b) => a.from - b.from);
  const first = defrags[0];
  const last = defrags.at(-1);
  if (first === undefined || last === undefined) return null;
  const totalMs = window.to - window.from;
  const defragCallsMs = defrags.reduce((sum, d) => sum + (d.to - d.from), 0);
  return {
    totalMs,
    defragCallsMs,
    ownMs: totalMs - defragCallsMs,
    beforeFirstMs: first.from - window.from,
    gapsMs: defrags.slice(1).map((d, i) => d.from - (defrags[i]?.to ?? d.from)),
    afterLastMs: window.to - last.to,
    toolAloneMs: aloneOf(
      totalMs,
      within.map((e) => ({
        from: Math.max(window.from, e.spawnedAt ?? e.start),
        to: Math.min(window.to, e.end),
      })),
    ),
    calls: within.length,
    timeline: within
      .map((e) => ({
        command: e.command,
        spawnMs: (e.spawnedAt ?? e.start) - window.from,
        startMs: e.start - window.from,
        endMs: e.end - window.from,
      }))
      .sort((a, b) => a.spawnMs - b.spawnMs),
  };
}

/**
 * The tool-alone time of a run recorded before that field existed, from its timeline (the same arithmetic);
 * null for the first files, which have no timeline either.
 */
export function toolAloneOf(
  t: Omit<OwnTime, "toolAloneMs" | "timeline"> & Partial<Pick<OwnTime, "toolAloneMs" | "timeline">>,
): number | null {
  if (t.toolAloneMs !== undefined) return t.toolAloneMs;
  if (t.timeline === undefined) return null;
  return aloneOf(
    t.totalMs,
    t.timeline.map((c) => ({ from: Math.max(0, c.spawnMs), to: Math.min(t.totalMs, c.endMs) })),
  );
}

/** A run's length less the time at least one of these calls was running. */
function aloneOf(totalMs: number, calls: readonly Window[]): number {
  return totalMs - mergeIntervals(calls).reduce((sum, b) => sum + (b.to - b.from), 0);
}

/** The union of intervals, as disjoint intervals in order. */
function mergeIntervals(intervals: readonly Window[]): Window[] {
  const merged: Window[] = [];
  for (const next of [...intervals].sort((a, b) => a.from - b.from)) {
    const last = merged.at(-1);
    if (last !== undefined && next.from <= last.to) last.to = Math.max(last.to, next.to);
    else merged.push({ ...next });
  }
  return merged;
}
