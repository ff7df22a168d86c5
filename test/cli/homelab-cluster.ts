/**
 * The five-member homelab as a stateful in-process cluster (cp1.lab.internal ..., nine-digit raft indexes, GB
 * databases, cp2 the leader): what the 80-column tests and the README's examples run against.
 */
import { createStatefulCluster, type SimMember, type StatefulCluster } from "./stateful-exec.js";

const GB = 1_000_000_000;
const MB = 1_000_000;

export const HOMELAB_IDS = [
  "a49c021e76e707db",
  "ecebb05b59a776f1",
  "0b47fb33e59bf0e2",
  "5f1e2d3c4b5a6978",
  "00c0ffee12345678",
] as const;

export interface HomelabOptions {
  /** NOSPACE raised by cp3 (the member at 97.8 % of the quota). */
  nospace?: boolean;
  /** Nodes that answer nothing, e.g. cp5.lab.internal. */
  unreachable?: readonly string[];
  /** The etcd every member reports (PROTOCOL); default 3.6.5. */
  etcdVersion?: string;
}

export function homelabCluster(options: HomelabOptions = {}): { cluster: StatefulCluster; nodes: string } {
  const sizes: [number, number][] = [
    [1.9 * GB, 120 * MB],
    [1.84 * GB, 118 * MB],
    [2.1 * GB, 121 * MB],
    [105 * MB, 98 * MB],
    [1.7 * GB, 119 * MB],
  ];
  const members: SimMember[] = sizes.map(([dbSize, dbSizeInUse], i) => ({
    node: `cp${i + 1}.lab.internal`,
    memberId: HOMELAB_IDS[i] ?? "",
    hostname: `cp${i + 1}`,
    dbSize,
    dbSizeInUse,
  }));
  const cluster = createStatefulCluster(members, "cp2.lab.internal");
  cluster.raftIndex = 412_345_678;
  if (options.nospace) cluster.alarms = [{ memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE" }];
  for (const node of options.unreachable ?? []) cluster.knobs.unreachable.add(node);
  if (options.etcdVersion !== undefined) cluster.knobs.etcdVersion = options.etcdVersion;
  return { cluster, nodes: members.map((m) => m.node).join(",") };
}
