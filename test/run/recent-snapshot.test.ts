/** findNewestSnapshot: which file of a directory counts as the cluster's newest snapshot, read-only. */
import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findNewestSnapshot, stampToDate } from "../../src/run/recent-snapshot.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-recent-");

function good(): Buffer {
  const body = Buffer.alloc(1024, 3);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

describe("findNewestSnapshot", () => {
  it("a missing directory holds no snapshot and is not created", async () => {
    const dir = join(tempDir(), "none");
    expect(await findNewestSnapshot(dir, "prod")).toEqual({ dir, label: "prod", newest: null, error: null });
    expect(await readdir(tempDir())).toEqual([]);
  });

  it("a path that is not a directory is an error, not an empty directory", async () => {
    const file = join(tempDir(), "file");
    await writeFile(file, "x");
    const found = await findNewestSnapshot(file, "prod");
    expect(found.newest).toBeNull();
    expect(found.error).toMatch(/ENOTDIR/);
  });

  it("the newest by the stamp in the name, a -N suffix after the plain name, only this label", async () => {
    const dir = tempDir();
    for (const name of [
      "talos-etcd-defrag-prod-20261122T101500Z.db",
      "talos-etcd-defrag-prod-20261123T101500Z.db",
      "talos-etcd-defrag-prod-20261123T101500Z-1.db",
      "talos-etcd-defrag-staging-20261130T000000Z.db",
      "talos-etcd-defrag-prod-20261130T000000Z.db.unverified",
    ])
      await writeFile(join(dir, name), good());
    await mkdir(join(dir, "talos-etcd-defrag-prod-20261201T000000Z.db"));
    const found = await findNewestSnapshot(dir, "prod");
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
    await writeFile(join(dir, "talos-etcd-defrag-prod-20261123T101500Z.db"), Buffer.alloc(1000));
    const found = await findNewestSnapshot(dir, "Prod");
    expect(found.label).toBe("prod");
    expect(found.newest).toMatchObject({
      sha256Verified: false,
      bytes: 1000,
      error: expect.stringMatching(/512·k \+ 32/),
    });
  });

  it("reads the UTC stamp of a name", () => {
    expect(stampToDate("20261122T101500Z").toISOString()).toBe("2026-11-22T10:15:00.000Z");
    expect(Number.isNaN(stampToDate("2026-11-22").getTime())).toBe(true);
  });
});
