/**
 * The etcd upgrade path of a Talos upgrade: from the etcd a member runs to the etcd the target release ships, and,
 * when that step is not safe, the shortest sequence of Talos releases that gets there safely. etcd upgrades one
 * minor at a time; a lower minor needs etcd's downgrade procedure; some steps to the next minor are known to fail
 * from some patches (the table below); and a stop on the way should not run an etcd with a known defrag hazard
 * (advisories.ts: etcd 20271 on Talos v1.10.0–v1.10.8 and v1.11.0–v1.11.2). Pure.
 */
import { advisoriesForVersion } from "./advisories.js";
import type { ItemStatus } from "./checklist.js";
import { TALOS_RELEASES, type TalosRelease } from "./talos-releases.js";
import { compareVersions, inRange, lineOf, parseVersion, type VersionRange } from "./versions.js";

/**
 * same-minor (a newer patch), next-minor, no-change: fine; patch-downgrade: an older patch of the same minor
 * (allowed by etcd, an informational warning); etcd-<issue>: a known failure of that step; skipped-minor,
 * downgrade (of the minor), unknown: not possible or not checked.
 */
export type PathRule =
  | "no-change"
  | "same-minor"
  | "patch-downgrade"
  | "next-minor"
  | "skipped-minor"
  | "downgrade"
  | "unknown"
  | `etcd-${number}`;

/** One upgrade of the way: the Talos release to install, the etcd it ships, why it is there. */
export interface RouteStep {
  release: string;
  etcd: string;
  reason: string;
}

export interface PathJudgement {
  from: string | null;
  to: string;
  status: ItemStatus;
  rule: PathRule;
  /** Upstream etcd issues that decided it. */
  issues: number[];
  /** For a person: what the step is and, when it fails, the safe way. */
  reason: string;
  /**
   * The shortest safe sequence of Talos releases from `from` to the target, the target last (one step when the
   * direct upgrade is safe); null when there is none (a lower minor, an unknown etcd, a table without one).
   */
  route: RouteStep[] | null;
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
 * etcd issue 20967 ("zombie members", etcd blog 2025-12-21): the v2 and v3 membership stores of an older cluster
 * can disagree; 3.6 reads only the v3 one, so members removed long ago come back and join consensus. 3.5.26 syncs
 * the v3 store from the v2 one; SIG-etcd: the only safe path to 3.6 is from 3.5.26 or later.
 * etcd issue 19557 (fixed by etcd PR 19563, etcd blog "How to Prevent a Common Failure when Upgrading etcd v3.5 to
 * v3.6"): a learner promoted on 3.5.1–3.5.19 is recorded as promoted in the v2 store only, and a 3.6 member then
 * refuses the membership. 20967's 3.5.26 supersedes its 3.5.20; both are named where both apply.
 */
const PATH_HAZARDS: readonly PathHazard[] = [
  {
    issues: [20967],
    from: { from: "3.5.0", below: "3.5.26" },
    toLine: "3.6",
    safeFrom: "3.5.26",
    what: "members removed long ago can come back in etcd 3.6 and join the quorum (zombie members)",
  },
  {
    issues: [19557],
    from: { from: "3.5.1", below: "3.5.20" },
    toLine: "3.6",
    safeFrom: "3.5.20",
    what: 'a multi-member cluster can fail to start etcd 3.6 with "membership: too many learner member in cluster"',
  },
];

const hazardsOf = (from: string, toLine: string) =>
  PATH_HAZARDS.filter((h) => h.toLine === toLine && inRange(from, h.from));

type Step =
  | { kind: "no-change" | "same-minor" | "patch-downgrade" | "next-minor" | "skipped-minor" | "downgrade" }
  | { kind: "hazard"; hazards: PathHazard[] };

/** What one upgrade from etcd `a` to etcd `b` is. */
function stepOf(a: string, b: string): Step {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va === null || vb === null) return { kind: "skipped-minor" };
  const minor = compareVersions([va[0], va[1], 0], [vb[0], vb[1], 0]);
  if (minor > 0) return { kind: "downgrade" };
  if (minor === 0) {
    const patch = compareVersions(va, vb);
    return { kind: patch === 0 ? "no-change" : patch < 0 ? "same-minor" : "patch-downgrade" };
  }
  if (va[0] !== vb[0] || vb[1] !== va[1] + 1) return { kind: "skipped-minor" };
  const hazards = hazardsOf(a, lineOf(b));
  return hazards.length === 0 ? { kind: "next-minor" } : { kind: "hazard", hazards };
}

/** A step a route may take: forward, and past no known hazard. */
const safeForward = (a: string, b: string) => {
  const kind = stepOf(a, b).kind;
  return kind === "same-minor" || kind === "next-minor";
};

/**
 * The shortest safe route from etcd `from` to `target`: every stop before the target is an older Talos release
 * than the target, ships a newer etcd than the stop before it and one with no known defrag hazard; every step is
 * `safeForward`. Breadth first, newest release first among equals, so the stops are the newest that work.
 */
export function findRoute(
  from: string,
  target: TalosRelease,
  releases: readonly TalosRelease[] = TALOS_RELEASES,
): TalosRelease[] | null {
  const stops = releases
    .filter(
      (r) => compareVersions(r.version, target.version) < 0 && advisoriesForVersion(r.etcd).length === 0,
    )
    .sort((a, b) => compareVersions(b.version, a.version));
  interface Node {
    release: TalosRelease | null;
    etcd: string;
    back: Node | null;
  }
  const seen = new Set<string>();
  let layer: Node[] = [{ release: null, etcd: from, back: null }];
  while (layer.length > 0) {
    const next: Node[] = [];
    for (const node of layer) {
      if (safeForward(node.etcd, target.etcd) || node.etcd === target.etcd) {
        const route = [target];
        for (let n: Node | null = node; n !== null; n = n.back)
          if (n.release !== null) route.unshift(n.release);
        return route;
      }
      for (const stop of stops) {
        if (seen.has(stop.name)) continue;
        if (node.release !== null && compareVersions(stop.version, node.release.version) <= 0) continue;
        if (!safeForward(node.etcd, stop.etcd)) continue;
        seen.add(stop.name);
        next.push({ release: stop, etcd: stop.etcd, back: node });
      }
    }
    layer = next;
  }
  return null;
}

/** Why each release of a route is there: what its step is, and for a stop, which hazard of the next step it clears. */
function describeRoute(from: string, route: readonly TalosRelease[]): RouteStep[] {
  return route.map((r, i) => {
    const before = i === 0 ? from : (route[i - 1]?.etcd ?? from);
    const kind = stepOf(before, r.etcd).kind;
    const what =
      kind === "next-minor"
        ? "the next minor"
        : kind === "same-minor"
          ? "a newer patch"
          : kind === "no-change"
            ? "no change to etcd"
            : "an older patch";
    const after = route[i + 1];
    if (after === undefined) return { release: r.name, etcd: r.etcd, reason: `${what}; the target` };
    // The hazard of the next step this stop is past (the most demanding first: 20967's 3.5.26 before 19557's).
    const past = PATH_HAZARDS.find(
      (h) =>
        h.toLine === lineOf(after.etcd) && lineOf(h.safeFrom) === lineOf(r.etcd) && !inRange(r.etcd, h.from),
    );
    const why =
      past !== undefined
        ? `etcd ${past.safeFrom} or later before ${past.toLine}, etcd issue ${past.issues.join("/")}`
        : lineOf(after.etcd) !== lineOf(r.etcd)
          ? `etcd ${lineOf(r.etcd)} before ${lineOf(after.etcd)}: one minor at a time`
          : "";
    return { release: r.name, etcd: r.etcd, reason: why === "" ? what : `${what}; ${why}` };
  });
}

/** `take a snapshot before each step: v1.10.9 (etcd 3.5.26: ...), then v1.11.3 (etcd 3.6.5: ...)`. */
export function describeSteps(steps: readonly RouteStep[]): string {
  return `take a snapshot before each step: ${steps.map((s) => `${s.release} (etcd ${s.etcd}: ${s.reason})`).join(", then ")}`;
}

export function judgeEtcdPath(from: string | null, target: TalosRelease): PathJudgement {
  const to = target.etcd;
  const base = { from, to, issues: [] as number[] };
  if (from === null || parseVersion(from) === null || parseVersion(to) === null)
    return {
      ...base,
      status: "fail",
      rule: "unknown",
      route: null,
      reason: `etcd ${from ?? "unknown"} -> ${to}: the running etcd version is unknown, so the path cannot be checked`,
    };
  const step = `etcd ${from} -> ${to}`;
  const direct = stepOf(from, to);
  const one = describeRoute(from, [target]);
  switch (direct.kind) {
    case "no-change":
      return { ...base, status: "pass", rule: "no-change", route: one, reason: `${step}: no change to etcd` };
    case "same-minor":
      return { ...base, status: "pass", rule: "same-minor", route: one, reason: `${step}: a newer patch` };
    case "patch-downgrade":
      return {
        ...base,
        status: "warn",
        rule: "patch-downgrade",
        route: one,
        reason: `${step}: an older patch of the same minor: etcd allows it, but the fixes of ${from} are lost`,
      };
    case "next-minor":
      return {
        ...base,
        status: "pass",
        rule: "next-minor",
        route: one,
        reason: `${step}: the next minor; no known hazard on this step`,
      };
    case "downgrade":
      return {
        ...base,
        status: "fail",
        rule: "downgrade",
        route: null,
        reason: `${step} lowers the etcd minor: etcd needs its downgrade procedure (etcdctl downgrade) first; choose a Talos release with etcd ${lineOf(from)} or later`,
      };
  }
  const found = findRoute(from, target);
  const way =
    found === null
      ? "no sequence of Talos releases in this tool's table avoids it"
      : describeSteps(describeRoute(from, found));
  const route = found === null ? null : describeRoute(from, found);
  if (direct.kind !== "hazard") {
    const a = parseVersion(from) ?? [0, 0, 0];
    return {
      ...base,
      status: "fail",
      rule: "skipped-minor",
      route,
      reason: `${step} skips etcd ${a[0]}.${a[1] + 1}: etcd upgrades one minor at a time; ${way}`,
    };
  }
  // The issues, most demanding first: 20967's 3.5.26 covers 19557's 3.5.20.
  const issues = direct.hazards.flatMap((h) => h.issues);
  const what = direct.hazards.map((h) => h.what).join("; ");
  return {
    ...base,
    status: "fail",
    rule: `etcd-${issues[0] ?? 0}`,
    issues,
    route,
    reason: `${step}: etcd issue ${issues.join("/")}: ${what}; ${way}`,
  };
}
