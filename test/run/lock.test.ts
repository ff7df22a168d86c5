import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT, UserError } from "../../src/errors.js";
import { acquireLock, lockPath } from "../../src/run/lock.js";

let dir: string;
const key = { talosconfig: "/home/me/.talos/config", context: "prod", nodes: ["10.0.0.1", "10.0.0.2"] };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ted-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("acquireLock", () => {
  it("names the lock from the cluster's identity, whatever the node order", () => {
    expect(lockPath(key, dir)).toBe(lockPath({ ...key, nodes: ["10.0.0.2", "10.0.0.1"] }, dir));
    expect(lockPath(key, dir)).not.toBe(lockPath({ ...key, context: "staging" }, dir));
    expect(lockPath(key, dir)).toMatch(/talos-etcd-defrag-[0-9a-f]{16}\.lock$/);
  });

  it("refuses (exit 3) while a live process holds it, and frees it on release", async () => {
    // Given a run holds the lock
    const first = await acquireLock(key, { dir, releaseOnExit: false });
    expect(JSON.parse(await readFile(first.path, "utf8"))).toMatchObject({ pid: process.pid });
    // When a second run for the same cluster starts
    const second = acquireLock(key, { dir, pid: process.pid + 1, releaseOnExit: false });
    // Then it is refused
    await expect(second).rejects.toBeInstanceOf(UserError);
    await expect(second).rejects.toMatchObject({ exitCode: EXIT.refused });
    await first.release();
    const third = await acquireLock(key, { dir, releaseOnExit: false });
    expect(third.warnings).toEqual([]);
    await third.release();
  });

  it("replaces a stale lock (its pid is gone) with a warning", async () => {
    await writeFile(
      lockPath(key, dir),
      JSON.stringify({ pid: 999_999, startedAt: "2026-11-22T10:00:00.000Z" }),
    );
    const handle = await acquireLock(key, { dir, isAlive: () => false, releaseOnExit: false });
    expect(handle.warnings.join()).toMatch(/stale lock.*pid 999999/);
    expect(JSON.parse(await readFile(handle.path, "utf8")).pid).toBe(process.pid);
    await handle.release();
  });

  it("treats a fresh unreadable lock as someone starting up, and an old one as debris", async () => {
    await writeFile(lockPath(key, dir), "");
    await expect(acquireLock(key, { dir, releaseOnExit: false })).rejects.toBeInstanceOf(UserError);
    const later = await acquireLock(key, { dir, now: () => Date.now() + 60_000, releaseOnExit: false });
    expect(later.warnings.join()).toMatch(/unreadable lock/);
    await later.release();
  });

  it("release never removes a lock that another run has taken over", async () => {
    const mine = await acquireLock(key, { dir, releaseOnExit: false });
    const theirs = JSON.stringify({ pid: 4242, startedAt: "2026-11-22T11:00:00.000Z" });
    await writeFile(mine.path, theirs);
    await mine.release();
    expect(await readFile(mine.path, "utf8")).toBe(theirs);
  });

  it("release after someone removed the lock resolves: nothing is left to remove", async () => {
    const handle = await acquireLock(key, { dir, releaseOnExit: false });
    await rm(handle.path);
    await expect(handle.release()).resolves.toBeUndefined();
  });
});
