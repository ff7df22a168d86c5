import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pruneSnapshots } from "../../src/run/retention.js";
import { pickSnapshotNode } from "../../src/run/snapshot.js";
import {
  formatSnapshotName,
  parseSnapshotName,
  toSnapshotLabel,
  verifySnapshotFile,
} from "../../src/run/snapshot-file.js";
import { member, view } from "../plan/views.js";
import { writeSnapshot } from "./manifest-files.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ted-snap-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function snapshotBytes(pages: number): Buffer {
  const body = randomBytes(512 * pages);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

describe("verifySnapshotFile", () => {
  it.each<[string, (good: Buffer) => Buffer, boolean, RegExp | undefined]>([
    ["a whole snapshot", (b) => b, true, undefined],
    ["a truncated one", (b) => b.subarray(0, b.length - 1), false, /not 512·k \+ 32/],
    [
      "one cut at a page boundary (trailer gone)",
      (b) => b.subarray(0, b.length - 32),
      false,
      /not 512·k \+ 32/,
    ],
    [
      "one with a wrong trailer",
      (b) => Buffer.concat([b.subarray(0, b.length - 32), Buffer.alloc(32)]),
      false,
      /SHA-256/,
    ],
    [
      "one with a flipped byte in the body",
      (b) => {
        const copy = Buffer.from(b);
        copy[100] = (copy[100] ?? 0) ^ 1;
        return copy;
      },
      false,
      /SHA-256/,
    ],
    ["an empty file", () => Buffer.alloc(0), false, /size 0/],
  ])("%s", async (_, mangle, ok, problem) => {
    const path = join(dir, "s.db");
    const bytes = mangle(snapshotBytes(300)); // > 64 KiB, so the hash spans several stream chunks
    await writeFile(path, bytes);
    const check = await verifySnapshotFile(path);
    expect(check.bytes).toBe(bytes.length);
    expect(check.sha256Verified).toBe(ok);
    if (problem !== undefined) expect(check.problem).toMatch(problem);
  });
});

describe("snapshot names", () => {
  it("are ours, time-stamped in UTC and parse back", () => {
    const at = new Date(Date.UTC(2026, 10, 22, 9, 5, 7, 123));
    expect(formatSnapshotName("Prod Cluster!", at)).toBe(
      "talos-etcd-defrag-prod-cluster-20261122T090507Z.db",
    );
    expect(formatSnapshotName("ecebb05b59a776f1", at, 2)).toBe(
      "talos-etcd-defrag-ecebb05b59a776f1-20261122T090507Z-2.db",
    );
    expect(parseSnapshotName("talos-etcd-defrag-prod-cluster-20261122T090507Z.db")).toEqual({
      label: "prod-cluster",
      stamp: "20261122T090507Z",
      seq: 0,
    });
    expect(toSnapshotLabel("../..")).toBe("cluster");
  });

  it.each([
    "etcd-prod-20261122T090507Z.db",
    "talos-etcd-defrag-prod-20261122T090507Z.db.unverified",
    "talos-etcd-defrag-prod-20261122T090507Z.db.part",
    "talos-etcd-defrag-prod-2026-11-22.db",
    "talos-etcd-defrag-prod-20261122T090507Z.DB",
    "x-talos-etcd-defrag-prod-20261122T090507Z.db",
  ])("rejects a name that is not strictly ours: %s", (name) => {
    expect(parseSnapshotName(name)).toBeNull();
  });
});

describe("pruneSnapshots", () => {
  const day = (d: number) => formatSnapshotName("prod", new Date(Date.UTC(2026, 10, d)));
  // The members manifestFor records: the cluster these files are of.
  const IDS = ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"];

  it("keeps the newest N snapshots with a manifest naming this cluster, deletes the rest with their manifests", async () => {
    const ours = [1, 2, 3, 4].map(day);
    for (const name of ours) await writeSnapshot(dir, name);
    const others = [
      formatSnapshotName("staging", new Date(Date.UTC(2026, 0, 1))),
      "talos-etcd-defrag-prod-20200101T000000Z.db.unverified",
      "etcd-2026-11-22.db",
      "notes.txt",
    ];
    for (const name of others) await writeFile(join(dir, name), "x");
    const { removed, unmanaged } = await pruneSnapshots(dir, { keep: 2, memberIds: IDS });
    expect(removed.sort()).toEqual([join(dir, ours[0] ?? ""), join(dir, ours[1] ?? "")].sort());
    // Our name without a manifest: whose it is cannot be told, so it is named, never counted or deleted.
    expect(unmanaged).toEqual([join(dir, others[0] ?? "")]);
    const left = [ours[2], ours[3]].flatMap((n) => [n, `${n}.json`]);
    expect((await readdir(dir)).sort()).toEqual([...left, ...others].sort());
  });

  it("a manifest with this label but none of this cluster's members is another cluster's (same context name): kept", async () => {
    const ids = IDS;
    await writeSnapshot(dir, day(1), { cluster: { label: "prod", memberIds: ["1111111111111111"] } });
    await writeSnapshot(dir, day(2), {
      cluster: { label: "prod", memberIds: ["1111111111111111", ids[0] ?? ""] },
    });
    await writeSnapshot(dir, day(3), { adopted: true, cluster: { label: "prod", memberIds: [] } });
    await writeSnapshot(dir, day(4), { cluster: { label: "prod", memberIds: ids } });
    const { removed, unmanaged } = await pruneSnapshots(dir, { keep: 1, memberIds: ids });
    // One member in common (a member replaced since) is this cluster's; an adopted file that names no members is
    // nobody's (named, never deleted); another cluster's is left alone without a word.
    expect(removed).toEqual([join(dir, day(2))]);
    expect(unmanaged).toEqual([join(dir, day(3))]);
  });

  // [what the older file is, how it is written] - none of them is ever deleted
  const lookAlikes: [string, (name: string) => Promise<unknown>][] = [
    ["no manifest (from before manifests, or not ours)", (n) => writeSnapshot(dir, n, null)],
    [
      "a manifest naming another cluster",
      (n) => writeSnapshot(dir, n, { cluster: { label: "staging", memberIds: [] } }),
    ],
    ["a manifest describing another file", (n) => writeSnapshot(dir, n, { file: day(9) })],
    [
      "a manifest that is not JSON",
      async (n) => {
        await writeSnapshot(dir, n, null);
        await writeFile(join(dir, `${n}.json`), "{");
      },
    ],
    ["a manifest of another schema", (n) => writeSnapshot(dir, n, { schemaVersion: 2 as 1 })],
  ];
  it.each(lookAlikes)("never deletes an older look-alike with %s, and names it", async (_what, write) => {
    await write(day(1));
    for (const d of [2, 3]) await writeSnapshot(dir, day(d));
    const { removed, unmanaged, unverified } = await pruneSnapshots(dir, { keep: 1, memberIds: IDS });
    expect(removed).toEqual([join(dir, day(2))]);
    expect(await readdir(dir)).toContain(day(1));
    expect([...unmanaged, ...unverified.map((u) => u.path)]).toEqual([join(dir, day(1))]);
  });
});

describe("pickSnapshotNode", () => {
  it("prefers the most caught-up healthy follower, and takes the leader only when alone", () => {
    const v = view([
      member("10.0.0.1", { isLeader: true }),
      member("10.0.0.2", { raftAppliedIndex: 4990 }),
      member("10.0.0.3", { errors: ["etcdserver: no leader"] }),
      member("10.0.0.4", { raftAppliedIndex: 4999 }),
      member("10.0.0.5", { isLearner: true, raftAppliedIndex: 5000 }),
    ]);
    expect(pickSnapshotNode(v)?.node).toBe("10.0.0.4");
    expect(pickSnapshotNode(view([member("10.0.0.1", { isLeader: true })]))?.node).toBe("10.0.0.1");
  });
});
