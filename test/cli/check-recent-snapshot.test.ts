/**
 * `check`'s recent-snapshot item against folders an adversary prepared (issue 27 items 3, 4, 5, 15): it judges
 * a snapshot as `snapshot verify` does (the file against its manifest) and as retention does (ours when the
 * manifest's member IDs overlap the cluster's), never by label or --context, never an unfinished one.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { RecentSnapshotReport } from "../../src/cluster/snapshot-item.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { defaultSnapshotLabel } from "../../src/run/snapshot.js";
import { formatSnapshotName } from "../../src/run/snapshot-file.js";
import { manifestFor } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";
import { NODES } from "./stateful-exec.js";

const tempDir = useTempDir("ted-check-recent-");
const FIXTURE_IDS = ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"];
const LABEL = defaultSnapshotLabel({
  members: FIXTURE_IDS.map((memberId) => ({ memberId })),
  clusterMemberIds: FIXTURE_IDS,
} as ClusterView);
const HOUR = 3_600_000;

async function check(dir: string, ...extra: string[]) {
  const rec = recordIO((calls) => fixtureExec("v1.10", "healthy-3", calls));
  const args = ["--talosctl", ANY_EXECUTABLE, "-n", NODES, ...extra, "-o", "json", "check"];
  const code = await main([...args, "--snapshot-max-age", "3h", "--snapshot-dir", dir], rec.io);
  const doc = JSON.parse(rec.stdout()) as {
    items: { name: string; status: string; detail: string }[];
    recentSnapshot: RecentSnapshotReport;
  };
  return { code, item: doc.items.find((i) => i.name === "recent snapshot"), report: doc.recentSnapshot };
}

/** A valid snapshot `ageMs` old with its manifest; `memberIds` and `tamper` make it another's or not what it says. */
async function snapshot(
  dir: string,
  ageMs: number,
  opts: { label?: string; memberIds?: string[]; tamper?: boolean; manifest?: boolean } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const body = Buffer.alloc(4 * 512, 7);
  const bytes = Buffer.concat([body, createHash("sha256").update(body).digest()]);
  const at = new Date(Date.now() - ageMs);
  const name = formatSnapshotName(opts.label ?? LABEL, at);
  const path = join(dir, name);
  await writeFile(path, bytes);
  if (opts.manifest === false) return path;
  const manifest = manifestFor(name, bytes, {
    cluster: { label: opts.label ?? LABEL, memberIds: opts.memberIds ?? FIXTURE_IDS },
    takenAt: new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
    ...(opts.tamper === true ? { sha256: "0".repeat(64) } : {}),
  });
  await writeFile(`${path}.json`, JSON.stringify(manifest));
  return path;
}

describe("check's recent snapshot is judged against its manifest and the cluster's members (issue 27 item 4)", () => {
  it("another cluster's snapshot under this cluster's label does not give GO", async () => {
    const dir = tempDir();
    await snapshot(dir, HOUR, { memberIds: ["1111111111111111"] });
    const { code, item } = await check(dir);
    expect(item?.status).toBe("fail");
    expect(code).toBe(3);
  });

  it("a file that does not match its manifest (≠ manifest) does not pass as verified", async () => {
    const dir = tempDir();
    await snapshot(dir, HOUR, { tamper: true });
    const { code, item, report } = await check(dir);
    expect(item?.status).toBe("fail");
    expect(item?.detail).toContain("its SHA-256 differs from its manifest's");
    expect(report.ok).toBe(false);
    expect(code).toBe(3);
  });

  it("a snapshot of this cluster's members passes whatever label it was named with (issue 27 item 3)", async () => {
    const dir = tempDir();
    const path = await snapshot(dir, HOUR, { label: "homelab" });
    const plain = await check(dir);
    expect(plain.item?.status, plain.item?.detail).toBe("pass");
    expect(plain.report.path).toBe(path);
    const viaContext = await check(dir, "--context", "other-name");
    expect(viaContext.item?.status).toBe("pass");
  });
});

describe("check never takes an unfinished snapshot as the newest (issue 27 item 5)", () => {
  it("a file being taken beside a good older one: the good one is the newest", async () => {
    const dir = tempDir();
    const good = await snapshot(dir, HOUR);
    await writeFile(join(dir, `${formatSnapshotName(LABEL, new Date())}.taking`), "");
    const { item, report } = await check(dir);
    expect(item?.status).toBe("pass");
    expect(report.path).toBe(good);
  });
});

describe("an impossible time stamp in a name (issue 27 item 15)", () => {
  it("month 13 is not one of ours: no internal error, the good snapshot counts", async () => {
    const dir = tempDir();
    const good = await snapshot(dir, HOUR);
    await writeFile(join(dir, `talos-etcd-defrag-${LABEL}-20261301T000000Z.db`), Buffer.alloc(2080));
    const { code, item, report } = await check(dir);
    expect(item?.status).toBe("pass");
    expect(report.path).toBe(good);
    expect(code).not.toBe(1);
  });
});
