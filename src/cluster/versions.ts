/**
 * etcd versions as numbers: compare `major.minor.patch` numerically (3.5.9 < 3.5.23), match ranges, and say in
 * one phrase which member runs what. The versions arrive already normalised by src/talos (no `v`, no suffix).
 */
import type { MemberView } from "./types.js";

export type Version = readonly [number, number, number];

/** An affected range: from `from` (inclusive; every older version when absent) up to `below` (exclusive). */
export interface VersionRange {
  from?: string;
  below: string;
}

export function parseVersion(text: string): Version | null {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (match === null) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function inRange(version: string, range: VersionRange): boolean {
  const v = parseVersion(version);
  const below = parseVersion(range.below);
  const from = range.from === undefined ? null : parseVersion(range.from);
  if (v === null || below === null) return false;
  if (from !== null && compareVersions(v, from) < 0) return false;
  return compareVersions(v, below) < 0;
}

/** npm-style range text: `<3.4.38 || >=3.5.0 <3.5.23`. */
export function formatRanges(ranges: readonly VersionRange[]): string {
  return ranges.map((r) => (r.from === undefined ? `<${r.below}` : `>=${r.from} <${r.below}`)).join(" || ");
}

/** `3.5` for `3.5.21`: fixes are released per minor line. */
export function lineOf(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/**
 * `3.6.12 on every member`, `3.6.12 on 172.20.0.2, 172.20.0.3; 3.6.5 on 172.20.0.4`,
 * `unknown on every member`. Groups keep the members' order; unknown comes last.
 */
export function describeVersions(members: readonly Pick<MemberView, "node" | "etcdVersion">[]): string {
  const groups = new Map<string, string[]>();
  for (const m of members) {
    const key = m.etcdVersion ?? "unknown";
    groups.set(key, [...(groups.get(key) ?? []), m.node]);
  }
  const keys = [...groups.keys()].sort((a, b) => Number(a === "unknown") - Number(b === "unknown"));
  if (keys.length === 1 && keys[0] !== undefined) return `${keys[0]} on every member`;
  return keys.map((key) => `${key} on ${(groups.get(key) ?? []).join(", ")}`).join("; ");
}
