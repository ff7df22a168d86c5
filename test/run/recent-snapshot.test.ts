/** findNewestSnapshot: which file of a directory counts as the cluster's newest snapshot, read-only. */
import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findNewestSnapshot, stampToDate } from "../../src/run/recent-snapshot.js";
import { useTempDir } from "../support/temp-dir.js";
import { manifestFor } from "./manifest-files.js";

const IDS = ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"];

/** Our snapshot with a manifest of these members, taken at the time in its name. */
async function ours(dir: string, name: string, bytes = good(), memberIds = IDS): Promise<void> {
  await writeFile(join(dir, name), bytes);
  const stamp = /-(\d{8}T\d{6}Z)/.exec(name)?.[1] ?? "";
  const manifest = manifestFor(name, bytes, {
    cluster: { label: "prod", memberIds },
    takenAt: stampToDate(stamp).toISOString(),
  });
  await writeFile(join(dir, `${name}.json`), JSON.stringify(manifest));
}

const tempDir = useTempDir("ted-recent-");

function good(): Buffer {
  const body = Buffer.alloc(1024, 3);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

describe("findNewestSnapshot", () => {
  it("a missing directory holds no snapshot and is not created", async () => {
    const dir = join(tempDir(), "none");
    expect(await findNewestSnapshot(dir, "prod", IDS)).toEqual({
      dir,
      label: "prod",
      unmanaged: 0,
      newest: null,
      error: null,
    });
    expect(await readdir(tempDir())).toEqual([]);
  });

  it("a path that is not a directory is an error, not an empty directory", async () => {
    const file = join(tempDir(), "file");
    await writeFile(file, "x");
    const found = await findNewestSnapshot(file, "prod", IDS);
    expect(found.newest).toBeNull();
    expect(found.error).toMatch(/ENOTDIR/);
  });

  it("the newest by its manifest's time, a -N suffix after the plain name, only this cluster's members", async () => {
    const dir = tempDir();
    for (const name of [
      "talos-etcd-defrag-prod-20261122T101500Z.db",
      "talos-etcd-defrag-prod-20261123T101500Z.db",
      "talos-etcd-defrag-prod-20261123T101500Z-1.db",
    ])
      await ours(dir, name);
    await ours(dir, "talos-etcd-defrag-prod-20261130T000000Z.db", good(), ["1111111111111111"]);
    await writeFile(join(dir, "talos-etcd-defrag-prod-20261130T000000Z-1.db"), good());
    await writeFile(join(dir, "talos-etcd-defrag-prod-20261130T000000Z-2.db.unverified"), good());
    await mkdir(join(dir, "talos-etcd-defrag-prod-20261201T000000Z.db"));
    const found = await findNewestSnapshot(dir, "prod", IDS);
    expect(found.unmanaged).toBe(1);
    expect(found.newest).toEqual({
      path: join(dir, "talos-etcd-defrag-prod-20261123T101500Z-1.db"),
      takenAt: new Date("2026-11-23T10:15:00Z"),
      bytes: 1056,
      sha256Verified: true,
      error: null,
    });
  });

  it("a damaged newest is reported as such, with the reason", async () => {
    const dir = tempDir();
    await ours(dir, "talos-etcd-defrag-prod-20261123T101500Z.db", Buffer.alloc(1000));
    const found = await findNewestSnapshot(dir, "prod", IDS);
    expect(found.newest).toMatchObject({
      sha256Verified: false,
      bytes: 1000,
      error: expect.stringMatching(/512·k \+ 32/),
    });
  });

  it("reads the UTC stamp of a name", () => {
    expect(stampToDate("20261122T101500Z").toISOString()).toBe("2026-11-22T10:15:00.000Z");
    expect(Number.isNaN(stampToDate("2026-11-22").getTime())).toBe(true);
    expect(Number.isNaN(stampToDate("20261322T101500Z").getTime())).toBe(true);
  });
});
