/** Builders for parsed talosctl rows and cluster views, shared by the pure-core tests. */
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { buildView } from "../../src/cluster/view.js";
import { splitStatusErrors } from "../../src/talos/error-alarms.js";
import type { AlarmRow, FailureKind, MemberRow, StatusRow } from "../../src/talos/types.js";

export const IDS = { a: "ecebb05b59a776f1", b: "a49c021e76e707db", c: "0b47fb33e59bf0e2" };
export const NODES = { a: "172.20.0.3", b: "172.20.0.2", c: "172.20.0.4" };
export type Key = keyof typeof IDS;
export const GiB = 1024 ** 3;

export function statusRow(key: Key, over: Partial<StatusRow> = {}): StatusRow {
  const errors = over.errors ?? [];
  return {
    ...splitStatusErrors(NODES[key], errors),
    node: NODES[key],
    memberId: IDS[key],
    dbSize: 21_000_000,
    dbSizeInUse: 6_200_000,
    inUseRatio: 0.2909,
    leaderId: IDS.a,
    raftIndex: 53391,
    raftTerm: 4,
    raftAppliedIndex: 53391,
    isLearner: false,
    protocol: "3.6.12",
    etcdVersion: "3.6.12",
    errors: [],
    ...over,
  };
}

export function memberRow(key: Key): MemberRow {
  const ip = NODES[key];
  return {
    node: NODES.b,
    memberId: IDS[key],
    hostname: `cp-${key}`,
    peerUrls: [`https://${ip}:2380`],
    clientUrls: [`https://${ip}:2379`],
    isLearner: false,
  };
}

export interface ViewExtras {
  alarms?: AlarmRow[];
  unreachable?: { node: string; kind?: FailureKind; error: string }[];
  quotaBytes?: number;
  rule?: string;
}

export function viewOf(rows: StatusRow[], extra: ViewExtras = {}): ClusterView {
  return buildView({
    status: {
      rows,
      failures: (extra.unreachable ?? []).map((f) => ({ kind: "unreachable" as const, ...f })),
    },
    members: { rows: [memberRow("a"), memberRow("b"), memberRow("c")], failures: [] },
    alarms: { rows: extra.alarms ?? [], failures: [] },
    quota: {
      bytes: extra.quotaBytes ?? 2 * GiB,
      source: extra.quotaBytes === undefined ? "default" : "flag",
    },
    rule: compileRule(extra.rule ?? DEFAULT_RULE),
  });
}
