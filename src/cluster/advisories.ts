/**
 * Known etcd defrag hazards, as data: which etcd versions have them, which release fixed them, which Talos
 * release ships a fixed etcd, and what each means for someone about to defragment. Pure.
 *
 * Affected ranges, per upstream issue:
 * - 20271: every line until its fix (3.4.38, 3.5.23, 3.6.5); 3.7 has the fix from its first release; lines
 *   older than 3.4 are end-of-life and never got it.
 * - 14733: 3.5.0 to 3.5.5 only. The fix (3.5.6) makes defrag record etcd's consistent index when it commits;
 *   3.5 had moved that write into a commit hook that defrag's commit skipped. 3.4 writes the index inside every
 *   apply transaction, so it is not affected, and 3.6 branched after the fix.
 * - 18842 / 18854 (defrag error paths): below 3.4.35 and 3.5.0 to 3.5.16; 3.6.0 came out after 3.5.17 with
 *   the fixes.
 */
import { CATCH_UP_MARGIN } from "../policy.js";
import type { Advisory, ClusterView, MemberView } from "./types.js";
import {
  compareVersions,
  describeVersions,
  formatRanges,
  inRange,
  lineOf,
  parseVersion,
  type VersionRange,
} from "./versions.js";

interface TalosFix {
  /** The etcd release line this Talos release's default etcd is on. */
  line: string;
  release: string;
  etcd: string;
}

interface AdvisoryEntry {
  issues: number[];
  affected: VersionRange[];
  fixedIn: string[];
  talos: TalosFix[];
  /** What goes wrong. */
  hazard: string;
  /** What it means for the operator until etcd is upgraded, and what this tool does about it. */
  advice: string;
  /**
   * What it means for a defrag run, in a few words, for the one-line advisory of status, plan and defrag; null
   * when the run guards against it on its own anyway (the free-disk check), so the line needs only the issue.
   */
  forRun: string | null;
  waitsForCatchUp: boolean;
}

export const ADVISORIES: readonly AdvisoryEntry[] = [
  {
    issues: [20271],
    affected: [{ below: "3.4.38" }, { from: "3.5.0", below: "3.5.23" }, { from: "3.6.0", below: "3.6.5" }],
    fixedIn: ["3.4.38", "3.5.23", "3.6.5"],
    talos: [
      { line: "3.5", release: "v1.10.9", etcd: "3.5.26" },
      { line: "3.6", release: "v1.11.3", etcd: "3.6.5" },
    ],
    hazard:
      'a member that applies a raft snapshot from the leader while it is being defragmented can corrupt its database (bbolt panic "Page expected to be: 5")',
    advice:
      "the leader sends a snapshot only to a member that has fallen far behind, so defrag touches a member only while every voting member is caught up",
    forRun: "defrag waits for every voter to catch up",
    waitsForCatchUp: true,
  },
  {
    issues: [14733],
    affected: [{ from: "3.5.0", below: "3.5.6" }],
    fixedIn: ["3.5.6"],
    talos: [{ line: "3.5", release: "v1.9.0", etcd: "3.5.17" }],
    hazard:
      "if etcd crashes or is killed while it defragments, the member can restart with a revision ahead of the other members' and apply conditional writes differently",
    advice:
      "do not defragment a member that may be killed meanwhile (memory limits, a reboot); after such a crash, check that the members' revisions agree",
    forRun: "a member killed mid-defrag can diverge",
    waitsForCatchUp: false,
  },
  {
    issues: [18842, 18854],
    affected: [{ below: "3.4.35" }, { from: "3.5.0", below: "3.5.17" }],
    fixedIn: ["3.4.35", "3.5.17"],
    talos: [{ line: "3.5", release: "v1.9.0", etcd: "3.5.17" }],
    hazard:
      "a defragmentation that fails (on a full disk, for example) can crash etcd or leave its temporary copy of the database in the data directory",
    advice: "keep free space of at least the in-use size on the volume of /var/lib/etcd before defragmenting",
    // A run checks each member's free disk before its defrag (src/plan/disk-check.ts).
    forRun: null,
    waitsForCatchUp: false,
  },
];

export function advisoriesFor(members: readonly MemberView[]): Advisory[] {
  return ADVISORIES.flatMap((entry) => {
    const affected = members.flatMap((m) =>
      m.etcdVersion !== null && entry.affected.some((r) => inRange(m.etcdVersion ?? "", r))
        ? [{ node: m.node, memberId: m.memberId, etcdVersion: m.etcdVersion }]
        : [],
    );
    return affected.length === 0 ? [] : [toAdvisory(entry, affected)];
  });
}

/** The advisories of one etcd version that no member runs yet (an upgrade's target): `members` is empty. */
export function advisoriesForVersion(etcdVersion: string): Advisory[] {
  return ADVISORIES.filter((entry) => entry.affected.some((r) => inRange(etcdVersion, r))).map((entry) =>
    toAdvisory(entry, []),
  );
}

function toAdvisory(entry: AdvisoryEntry, members: Advisory["members"]): Advisory {
  return {
    id: `etcd-io/etcd#${entry.issues[0]}`,
    issues: [...entry.issues],
    url: `https://github.com/etcd-io/etcd/issues/${entry.issues[0]}`,
    etcdVersions: formatRanges(entry.affected),
    fixedIn: [...entry.fixedIn],
    talosFixedIn: entry.talos.map((t) => `${t.release} (etcd ${t.etcd})`),
    summary: `${capitalise(entry.hazard)}. ${capitalise(entry.advice)}. A fixed etcd removes the risk.`,
    waitsForCatchUp: entry.waitsForCatchUp,
    members,
  };
}

/** What goes wrong, for a person: the hazard of the advisory with these issue numbers. */
export function hazardOf(advisory: Pick<Advisory, "issues" | "summary">): string {
  return ADVISORIES.find((e) => e.issues[0] === advisory.issues[0])?.hazard ?? advisory.summary;
}

/**
 * The catch-up margin `defrag` must respect, or undefined when none is needed: needed when a voting member runs
 * a version with a hazard that needs it, or runs an unknown version (a hazard cannot be ruled out, and waiting
 * for a healthy cluster to be caught up costs next to nothing).
 */
export function catchUpMarginFor(view: Pick<ClusterView, "members" | "advisories">): number | undefined {
  const voters = view.members.filter((m) => !m.isLearner);
  const unknown = voters.some((m) => m.etcdVersion === null || parseVersion(m.etcdVersion) === null);
  const ids = new Set(voters.map((m) => m.memberId));
  const hazard = view.advisories.some((a) => a.waitsForCatchUp && a.members.some((m) => ids.has(m.memberId)));
  return unknown || hazard ? CATCH_UP_MARGIN : undefined;
}

/**
 * For a person: `etcd issue 20271 affects etcd 3.5.21 on every member: <hazard>; <advice>. Fixed in etcd 3.5.23
 * (Talos v1.10.9 ships 3.5.26).` Only the fixes on the members' own release lines are named, when there are.
 * `memberCount` (the cluster's members) lets an advisory that covers all of them say "every member".
 */
export function describeAdvisory(advisory: Advisory, memberCount?: number): string {
  const entry = ADVISORIES.find((e) => e.issues[0] === advisory.issues[0]);
  const lines = new Set(advisory.members.map((m) => lineOf(m.etcdVersion)));
  const fixes = advisory.fixedIn.filter((f) => lines.has(lineOf(f)));
  const ownTalos = (entry?.talos ?? []).filter((t) => lines.has(t.line));
  const talos = (ownTalos.length > 0 ? ownTalos : (entry?.talos ?? [])).map(
    (t) => `Talos ${t.release} ships ${t.etcd}`,
  );
  const where =
    advisory.members.length === memberCount
      ? describeVersions(advisory.members.map((m) => ({ node: m.node, etcdVersion: m.etcdVersion })))
      : advisory.members.map((m) => `${m.etcdVersion} on ${m.node}`).join(", ");
  const what = entry === undefined ? advisory.summary : `${entry.hazard}; ${entry.advice}`;
  const fixed = `Fixed in etcd ${(fixes.length > 0 ? fixes : advisory.fixedIn).join(" / ")}`;
  return `etcd issue ${advisory.issues.join("/")} affects etcd ${where}: ${what}. ${fixed}${talos.length > 0 ? ` (${talos.join(", ")})` : ""}.`;
}

/**
 * The advisories in one line each for status, plan and defrag (the full text is `check`'s, `-o wide`'s and the
 * JSON's): the etcd issue, what it means for this run, the fix. Advisories on the same members share a line:
 * `advisory: etcd 3.4.23 has etcd#20271 and etcd#18842: defrag waits for every voter to catch up; fixed in Talos
 * v1.10.9 / v1.11.3; details: check`. The fix named is, per etcd line, the first Talos release free of all of
 * them; only the members' own lines when Talos ships one.
 */
export function briefAdvisories(advisories: readonly Advisory[], memberCount: number): string[] {
  return briefAdvisoryGroups(advisories, memberCount).map((g) => g.text);
}

/** briefAdvisories with the advisories (by first issue number) each line stands for. */
export function briefAdvisoryGroups(
  advisories: readonly Advisory[],
  memberCount: number,
): { text: string; issues: number[] }[] {
  const groups = new Map<string, Advisory[]>();
  for (const advisory of advisories) {
    const key = advisory.members
      .map((m) => m.memberId)
      .sort()
      .join(",");
    groups.set(key, [...(groups.get(key) ?? []), advisory]);
  }
  return [...groups.values()].map((group) => {
    const members = group[0]?.members ?? [];
    const entries = group.flatMap((a) => ADVISORIES.filter((e) => e.issues[0] === a.issues[0]));
    const versions = [...new Set(members.map((m) => m.etcdVersion))].join(" / ");
    const where = members.length === memberCount ? "" : ` on ${members.length} of ${memberCount} members`;
    const issues = joinAnd(group.map((a) => `etcd#${a.issues[0]}`));
    const fix = talosFix(entries, new Set(members.map((m) => lineOf(m.etcdVersion))));
    const line = (meanings: readonly string[]) =>
      [
        `advisory: etcd ${versions}${where} has ${issues}${meanings.length === 0 ? "" : `: ${meanings.join("; ")}`}`,
        ...(fix === "" ? [] : [`fixed in Talos ${fix}`]),
        "details: check",
      ].join("; ");
    // Every meaning while the line stays within two 80-column lines; else the first one (check has them all).
    const meanings = entries.flatMap((e) => e.forRun ?? []);
    const full = line(meanings);
    const text = full.length <= BRIEF_MAX ? full : line(meanings.slice(0, 1));
    return { text, issues: group.map((a) => a.issues[0] ?? 0) };
  });
}

/** The longest one-line advisory: it wraps into two 80-column lines (words are not split, so less than 160). */
const BRIEF_MAX = 150;

/** `v1.10.9 / v1.11.3`: per etcd line, the latest of the entries' fixing releases (so it is free of every one). */
function talosFix(entries: readonly AdvisoryEntry[], lines: ReadonlySet<string>): string {
  const byLine = new Map<string, string>();
  for (const fix of entries.flatMap((e) => e.talos)) {
    const known = byLine.get(fix.line);
    if (known === undefined || compareRelease(fix.release, known) > 0) byLine.set(fix.line, fix.release);
  }
  const own = [...byLine.keys()].filter((line) => lines.has(line));
  const chosen = own.length > 0 ? own : [...byLine.keys()];
  return chosen
    .map((line) => byLine.get(line) ?? "")
    .sort(compareRelease)
    .join(" / ");
}

function compareRelease(a: string, b: string): number {
  const [va, vb] = [parseVersion(a.replace(/^v/, "")), parseVersion(b.replace(/^v/, ""))];
  return va === null || vb === null ? a.localeCompare(b) : compareVersions(va, vb);
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
