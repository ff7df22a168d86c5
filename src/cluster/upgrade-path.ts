/**
 * The etcd upgrade path of a Talos upgrade: from the etcd a member runs to the etcd the target release ships.
 * etcd upgrades one minor at a time; a lower minor needs etcd's downgrade procedure; and some steps to the next
 * minor are known to fail from some patches (the table below). Pure.
 */
import type { ItemStatus } from "./checklist.js";
import { linesWhereAll } from "./talos-releases.js";
import { compareVersions, inRange, lineOf, parseVersion, type VersionRange } from "./versions.js";

/** same-minor, next-minor: fine; etcd-<issue>: a known failure of that step; skipped-minor, downgrade, unknown: not checked or not possible. */
export type PathRule =
  | "same-minor"
  | "next-minor"
  | "skipped-minor"
  | "downgrade"
  | "unknown"
  | `etcd-${number}`;

export interface PathJudgement {
  from: string | null;
  to: string;
  status: ItemStatus;
  rule: PathRule;
  /** Upstream etcd issues that decided it. */
  issues: number[];
  /** One phrase for a person: what the step is and, when it fails, what to do first. */
  reason: string;
}

interface PathHazard {
  issues: number[];
  /** Running versions that hit it. */
  from: VersionRange;
  /** The etcd line the step goes to. */
  toLine: string;
  /** The first version of the `from` line that is safe. */
  safeFrom: string;
  what: string;
}

/**
 * etcd issue 19557 (fixed by etcd PR 19563, etcd blog "How to Prevent a Common Failure when Upgrading etcd v3.5 to
 * v3.6"): a learner promoted on 3.5.1–3.5.19 is recorded as promoted in the v2 store only, and a 3.6 member then
 * refuses the membership ("membership: too many learner member in cluster"). 3.5.20 repairs the record.
 */
const PATH_HAZARDS: readonly PathHazard[] = [
  {
    issues: [19557],
    from: { from: "3.5.1", below: "3.5.20" },
    toLine: "3.6",
    safeFrom: "3.5.20",
    what: 'a multi-member cluster can fail to start etcd 3.6 with "membership: too many learner member in cluster"',
  },
];

const hazardOf = (from: string, toLine: string) =>
  PATH_HAZARDS.find((h) => h.toLine === toLine && inRange(from, h.from));

/** `(v1.10.x)`: the Talos lines every release of which ships an etcd of `etcdLine` from which `toLine` is safe. */
function whereFirst(etcdLine: string, toLine: string): string {
  const lines = linesWhereAll(etcdLine, (etcd) => hazardOf(etcd, toLine) === undefined);
  return lines.length === 0 ? "" : ` (${lines.map((l) => `${l}.x`).join(", ")})`;
}

export function judgeEtcdPath(from: string | null, to: string): PathJudgement {
  const base = { from, to, issues: [] as number[] };
  const a = from === null ? null : parseVersion(from);
  const b = parseVersion(to);
  if (from === null || a === null || b === null)
    return {
      ...base,
      status: "fail",
      rule: "unknown",
      reason: `etcd ${from ?? "unknown"} -> ${to}: the running etcd version is unknown, so the path cannot be checked`,
    };
  const step = `etcd ${from} -> ${to}`;
  const sameMajor = a[0] === b[0];
  if (sameMajor && a[1] === b[1])
    return { ...base, status: "pass", rule: "same-minor", reason: `${step}: same minor` };
  if (compareVersions([a[0], a[1], 0], [b[0], b[1], 0]) > 0)
    return {
      ...base,
      status: "fail",
      rule: "downgrade",
      reason: `${step} lowers the etcd minor: etcd needs its downgrade procedure (etcdctl downgrade) first; choose a Talos release with etcd ${lineOf(from)} or later`,
    };
  if (sameMajor && b[1] === a[1] + 1) {
    const hazard = hazardOf(from, lineOf(to));
    if (hazard === undefined)
      return {
        ...base,
        status: "pass",
        rule: "next-minor",
        reason: `${step}: the next minor, from a fixed patch`,
      };
    return {
      ...base,
      status: "fail",
      rule: `etcd-${hazard.issues[0] ?? 0}`,
      issues: [...hazard.issues],
      reason: `${step}: etcd issue ${hazard.issues.join("/")}: ${hazard.what}; upgrade to a Talos release with etcd ${hazard.safeFrom} or later first${whereFirst(lineOf(from), hazard.toLine)}`,
    };
  }
  const next = `${a[0]}.${a[1] + 1}`;
  return {
    ...base,
    status: "fail",
    rule: "skipped-minor",
    reason: `${step} skips etcd ${next}: etcd upgrades one minor at a time; upgrade to a Talos release with etcd ${next} first${sameMajor ? whereFirst(next, `${b[0]}.${a[1] + 2}`) : ""}`,
  };
}
