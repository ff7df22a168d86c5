/**
 * `check --upgrade-to`: what the target Talos release does to etcd, as checklist items and their JSON (`upgrade`
 * in the check document). "target etcd": the etcd it ships and that etcd's known defrag hazards (a hazard there
 * is avoidable, so it fails); "etcd upgrade path": from each member's etcd to the target's (upgrade-path.ts);
 * "rolling reboots": how many members may be down while the nodes reboot one by one. Pure.
 */
import { advisoriesForVersion, hazardOf } from "./advisories.js";
import type { ChecklistItem, ItemStatus } from "./checklist.js";
import {
  findTalosRelease,
  firstReleaseFrom,
  releaseName,
  type TalosRelease,
  tableSpan,
  talosLineOf,
} from "./talos-releases.js";
import type { Advisory, ClusterView } from "./types.js";
import { judgeEtcdPath, type PathJudgement } from "./upgrade-path.js";
import type { UpgradeTarget } from "./upgrade-target.js";
import { lineOf } from "./versions.js";

export const UPGRADE_ITEM_NAMES = {
  targetEtcd: "target etcd",
  path: "etcd upgrade path",
  reboots: "rolling reboots",
} as const;

/** The `upgrade` object of `check -o json`. */
export interface UpgradeReport {
  /** --upgrade-to as given. */
  target: string;
  /** The Talos release it names, `v1.11.3`. */
  release: string;
  /** Whether the release is in the tool's table; false: its etcd is unknown. */
  known: boolean;
  /** The etcd the release ships; null when unknown. */
  etcdVersion: string | null;
  /** Known defrag hazards of that etcd (`members` empty: no member runs it yet). */
  advisories: Advisory[];
  /** With advisories: the first release at or after the target whose etcd is free of them; else null. */
  freeRelease: string | null;
  /** One entry per etcd version the members run (`nodes` the members running it); empty when the target is unknown. */
  path: (PathJudgement & { nodes: string[] })[];
  votingMembers: number;
  /** Voting members that may be down at once and etcd still has a quorum: floor((N-1)/2). */
  toleratesDown: number;
  /** Nodes of learners: a control-plane join in progress. */
  learners: string[];
}

export function upgradeItems(
  view: Pick<ClusterView, "members">,
  target: UpgradeTarget,
): { items: ChecklistItem[]; upgrade: UpgradeReport } {
  const release = releaseName(target.version);
  const shipped = findTalosRelease(target.version);
  const etcd = shipped?.etcd ?? null;
  const advisories = etcd === null ? [] : advisoriesForVersion(etcd);
  const free =
    advisories.length === 0
      ? undefined
      : firstReleaseFrom(target.version, (v) => advisoriesForVersion(v).length === 0);
  const path = shipped === undefined ? [] : judgePaths(view, shipped);
  const voters = view.members.filter((m) => !m.isLearner);
  const learners = view.members.filter((m) => m.isLearner).map((m) => m.node);
  const toleratesDown = Math.max(0, Math.floor((voters.length - 1) / 2));
  const upgrade: UpgradeReport = {
    target: target.input,
    release,
    known: shipped !== undefined,
    etcdVersion: etcd,
    advisories,
    freeRelease: free?.name ?? null,
    path,
    votingMembers: voters.length,
    toleratesDown,
    learners,
  };
  return {
    items: [
      targetItem(release, etcd, advisories, free?.name, target),
      pathItem(path, etcd, view.members.length),
      rebootsItem(voters.length, toleratesDown, learners),
    ],
    upgrade,
  };
}

function targetItem(
  release: string,
  etcd: string | null,
  advisories: Advisory[],
  free: string | undefined,
  target: UpgradeTarget,
): ChecklistItem {
  const name = UPGRADE_ITEM_NAMES.targetEtcd;
  if (etcd === null)
    return {
      name,
      status: "fail",
      detail: `${release} is unknown: not in this tool's table of Talos releases (${tableSpan()}), so its etcd cannot be checked; read its release notes, or use a newer talos-etcd-defrag`,
    };
  if (advisories.length === 0)
    return { name, status: "pass", detail: `${release} ships etcd ${etcd}: no known defrag hazard` };
  const line = lineOf(etcd);
  const hazards = advisories.map((a) => {
    const fixed = a.fixedIn.filter((f) => lineOf(f) === line);
    return `etcd issue ${a.issues.join("/")}: ${hazardOf(a)} (fixed in etcd ${(fixed.length > 0 ? fixed : a.fixedIn).join(" / ")})`;
  });
  const targetLine = talosLineOf(target.version);
  const choose =
    free === undefined
      ? "no Talos release in this tool's table ships an etcd free of it"
      : free.startsWith(`${targetLine}.`)
        ? `choose ${free} or later`
        : `choose ${free} or later (no later ${targetLine} release is free of it)`;
  return { name, status: "fail", detail: `${release} ships etcd ${etcd}: ${hazards.join("; ")}: ${choose}` };
}

/** One judgement per running version, in the members' order; unknown versions are one group. */
function judgePaths(view: Pick<ClusterView, "members">, to: TalosRelease): UpgradeReport["path"] {
  const groups = new Map<string | null, string[]>();
  for (const m of view.members) groups.set(m.etcdVersion, [...(groups.get(m.etcdVersion) ?? []), m.node]);
  return [...groups.entries()].map(([from, nodes]) => ({ ...judgeEtcdPath(from, to), nodes }));
}

const RANK: Record<ItemStatus, number> = { pass: 0, warn: 1, fail: 2 };

function pathItem(path: UpgradeReport["path"], etcd: string | null, memberCount: number): ChecklistItem {
  const name = UPGRADE_ITEM_NAMES.path;
  if (etcd === null)
    return { name, status: "warn", detail: "not checked: the target's etcd is unknown", informational: true };
  if (path.length === 0)
    return { name, status: "fail", detail: "no member answered: the running etcd is unknown" };
  const status = path.reduce<ItemStatus>(
    (worst, p) => (RANK[p.status] > RANK[worst] ? p.status : worst),
    "pass",
  );
  // The failing steps first and alone: each says what to do; the fine ones would only dilute it.
  const shown = path.filter((p) => p.status === status);
  const where = (p: (typeof path)[number]) =>
    p.nodes.length === memberCount ? "" : ` (${p.nodes.join(", ")})`;
  const detail = shown.map((p) => `${p.reason}${where(p)}`).join("; ");
  // A warning here is an older etcd patch (etcd allows it): it informs, it never asks for a defrag.
  return status === "warn" ? { name, status, detail, informational: true } : { name, status, detail };
}

function rebootsItem(voters: number, toleratesDown: number, learners: string[]): ChecklistItem {
  const name = UPGRADE_ITEM_NAMES.reboots;
  const quorum = `an upgrade reboots the control-plane nodes one by one: with ${voters} voting member${voters === 1 ? "" : "s"} etcd tolerates ${toleratesDown} down`;
  const findings: string[] = [];
  if (toleratesDown === 0)
    findings.push(
      `${quorum}, so etcd ${voters <= 1 ? "is unavailable" : "loses its quorum"} while each node reboots`,
    );
  if (learners.length > 0)
    findings.push(
      `a learner exists (${learners.join(", ")}): a control-plane join is in progress; upgrade once Talos has promoted it`,
    );
  if (findings.length === 0)
    return { name, status: "pass", detail: `${quorum}; let each node rejoin before the next` };
  return {
    name,
    status: "warn",
    detail: toleratesDown === 0 ? findings.join("; ") : `${quorum}; ${findings.join("; ")}`,
    informational: true,
  };
}
