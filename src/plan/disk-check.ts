/**
 * Is there room for a member's defrag? etcd defragments by copying every live key into a new bbolt file
 * (`db.tmp`, beside `member/snap/db` under /var/lib/etcd) and only then swapping it in, so the volume must
 * hold a second, compacted copy of the live data for a while. Pure: sizes in, verdict out.
 * The margin (COPY_FACTOR, COPY_HEADROOM_BYTES) and its reasons live in src/policy.ts.
 * Free space we cannot read is "unknown": a warning, never a refusal (the data is optional).
 */
import type { Checklist, ChecklistItem } from "../cluster/checklist.js";
import type { ClusterView } from "../cluster/types.js";
import { votersOf } from "../cluster/voters.js";
import { COPY_FACTOR, COPY_HEADROOM_BYTES } from "../policy.js";
import { formatSize } from "../talos/size.js";

export { COPY_FACTOR, COPY_HEADROOM_BYTES };

/** Where the bytes are counted: the filesystem holding /var/lib/etcd on that node. */
export interface DiskReading {
  mountedOn: string;
  availableBytes: number;
}

export type DiskVerdict =
  | { kind: "ok"; neededBytes: number; availableBytes: number; mountedOn: string }
  | { kind: "short"; neededBytes: number; availableBytes: number; mountedOn: string }
  | { kind: "unknown"; neededBytes: number };

/** Free bytes a defrag of this member needs on its etcd volume. */
export function neededForDefrag(dbSizeInUse: number): number {
  return Math.ceil(dbSizeInUse * COPY_FACTOR) + COPY_HEADROOM_BYTES;
}

export function checkDiskSpace(dbSizeInUse: number, disk: DiskReading | null | undefined): DiskVerdict {
  const neededBytes = neededForDefrag(dbSizeInUse);
  if (disk === null || disk === undefined) return { kind: "unknown", neededBytes };
  const { availableBytes, mountedOn } = disk;
  return { kind: availableBytes >= neededBytes ? "ok" : "short", neededBytes, availableBytes, mountedOn };
}

/** The refusal text: how much, where, and what to do about it. */
export function describeShortage(
  node: string,
  dbSizeInUse: number,
  verdict: Extract<DiskVerdict, { kind: "short" }>,
): string {
  return (
    `not enough free disk space on ${node} for the defrag's copy of the live data: needs ${formatSize(verdict.neededBytes)} ` +
    `free on ${verdict.mountedOn} (the volume holding /var/lib/etcd; ${formatSize(dbSizeInUse)} in use × ${COPY_FACTOR} + 64 MiB), ` +
    `${formatSize(verdict.availableBytes)} available: free space on that volume, then run again`
  );
}

export function describeUnknown(node: string): string {
  return `free disk space on ${node} is unknown: its defrag goes ahead without the free-space check`;
}

/**
 * `check`'s "disk space" item: could every member's defrag write its copy? A shortage fails the item (a defrag
 * would be refused, and etcd itself is close to a full volume); unknown free space only warns and, unlike the
 * other warnings, does not turn the verdict into "defragmentation recommended".
 */
export function addDiskSpaceItem(
  checklist: Checklist,
  view: ClusterView,
  volumes: ReadonlyMap<string, DiskReading>,
): Checklist {
  const name = "disk space";
  // A learner is never defragmented: whether its volume could hold a copy decides nothing.
  const verdicts = votersOf(view).map((m) => ({ m, v: checkDiskSpace(m.dbSizeInUse, volumes.get(m.node)) }));
  const short = verdicts.flatMap(({ m, v }) =>
    v.kind === "short"
      ? [
          `${m.node}: a defrag needs ${formatSize(v.neededBytes)} free on ${v.mountedOn}, ${formatSize(v.availableBytes)} available`,
        ]
      : [],
  );
  const unknown = verdicts.filter(({ v }) => v.kind === "unknown").map(({ m }) => m.node);
  const item: ChecklistItem =
    short.length > 0
      ? { name, status: "fail", detail: short.join("; ") }
      : unknown.length > 0
        ? { name, status: "warn", detail: `free space unknown on ${unknown.join(", ")}: not checked` }
        : { name, status: "pass", detail: "every member's volume has room for its defrag's copy" };
  return {
    verdict: item.status === "fail" ? "no-go" : checklist.verdict,
    items: [...checklist.items, item],
  };
}
