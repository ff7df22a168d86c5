import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EXIT, UserError } from "../../src/errors.js";
import {
  acquireLock,
  chooseLockDir,
  LOCK_DIR_ENV,
  lockPaths,
  MACHINE_LOCK_DIR,
  parseStartTime,
  readStartTime,
} from "../../src/run/lock.js";

let dir: string;
const key = { memberIds: ["ecebb05b59a776f1", "0b47fb33e59bf0e2", "8e9e05c52164694d"] };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ted-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bootId = () => "boot-a";
/** A lock as another run would have written it. */
const holder = (over: Record<string, unknown>) =>
  JSON.stringify({
    pid: 4242,
    startedAt: "2026-11-22T10:00:00.000Z",
    procStart: "100",
    bootId: "boot-a",
    ...over,
  });

describe("acquireLock", () => {
  it("takes one lock per member ID, whatever the order the IDs come in", async () => {
    expect(lockPaths(key, dir)).toEqual(lockPaths({ memberIds: [...key.memberIds].reverse() }, dir));
    expect(lockPaths(key, dir).map((p) => p.slice(dir.length + 1))).toEqual([
      "talos-etcd-defrag-member-0b47fb33e59bf0e2.lock",
      "talos-etcd-defrag-member-8e9e05c52164694d.lock",
      "talos-etcd-defrag-member-ecebb05b59a776f1.lock",
    ]);
    // An ID that is not plain hex never reaches a file name as it is.
    expect(lockPaths({ memberIds: ["../x"] }, dir)[0]).toMatch(/member-[0-9a-f]{16}\.lock$/);
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
    expect(await readdir(dir)).toEqual([]);
    const third = await acquireLock(key, { dir, releaseOnExit: false });
    expect(third.warnings).toEqual([]);
    await third.release();
  });

  it("refuses a run that shares only one member (a member joined in between), and leaves no lock of its own", async () => {
    const first = await acquireLock(
      { memberIds: ["0b47fb33e59bf0e2", "ecebb05b59a776f1"] },
      { dir, releaseOnExit: false },
    );
    const second = acquireLock(
      { memberIds: ["ecebb05b59a776f1", "ffff000011112222"] },
      { dir, pid: process.pid + 1, releaseOnExit: false },
    );
    await expect(second).rejects.toMatchObject({ exitCode: EXIT.refused });
    expect((await readdir(dir)).sort()).toEqual([
      "talos-etcd-defrag-member-0b47fb33e59bf0e2.lock",
      "talos-etcd-defrag-member-ecebb05b59a776f1.lock",
    ]);
    await first.release();
  });

  it("records the holder's pid, its start time as the kernel reports it, and the boot id", async () => {
    const handle = await acquireLock(key, { dir, releaseOnExit: false });
    const content = JSON.parse(await readFile(handle.path, "utf8"));
    expect(content).toMatchObject({ pid: process.pid, procStart: readStartTime(process.pid) });
    expect(content.procStart).toMatch(/^\d+$/);
    expect(content.bootId).toBe((await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim());
    await handle.release();
  });

  // [case, the lock on disk, is its pid alive, the start time of that pid now, stale?]
  const holders: [string, Record<string, unknown>, boolean, string | null, RegExp | null][] = [
    ["its pid is gone", {}, false, null, /pid 4242 .* is not running/],
    [
      "its pid is another process now (another start time)",
      {},
      true,
      "555",
      /another process has that pid now/,
    ],
    ["the machine rebooted since", { bootId: "boot-b" }, true, "100", /before the last reboot/],
    ["its holder runs (same pid, same start time)", {}, true, "100", null],
    ["the start time cannot be read now", {}, true, null, null],
    [
      "a lock from before start times (pid alive)",
      { procStart: undefined, bootId: undefined },
      true,
      "555",
      null,
    ],
    [
      "a lock from before start times (pid gone)",
      { procStart: undefined, bootId: undefined },
      false,
      null,
      /is not running/,
    ],
  ];
  it.each(holders)("a lock whose %s", async (_, over, alive, startNow, stale) => {
    const [first] = lockPaths(key, dir);
    await writeFile(first ?? "", holder(over));
    const taking = acquireLock(key, {
      dir,
      isAlive: () => alive,
      startTimeOf: (pid) => (pid === 4242 ? startNow : "1"),
      bootId,
      releaseOnExit: false,
    });
    if (stale === null) {
      await expect(taking).rejects.toMatchObject({ exitCode: EXIT.refused });
      await expect(readFile(first ?? "", "utf8")).resolves.toBe(holder(over));
      return;
    }
    const handle = await taking;
    expect(handle.warnings.join()).toMatch(stale);
    expect(handle.warnings.join()).toMatch(/removed a stale lock/);
    expect(JSON.parse(await readFile(first ?? "", "utf8")).pid).toBe(process.pid);
    await handle.release();
  });

  it("refuses, naming both files, when a run that was taking over a stale lock is gone (issue 27 item 7)", async () => {
    // Given a stale lock, and the takeover guard of a run that died between taking the guard and removing the lock
    const [first] = lockPaths(key, dir);
    await writeFile(first ?? "", holder({ bootId: "boot-gone" }));
    const names = () => readdir(dir);
    const { createHash } = await import("node:crypto");
    const guard = `${first}.takeover-${createHash("sha256")
      .update(holder({ bootId: "boot-gone" }))
      .digest("hex")
      .slice(0, 16)}`;
    await writeFile(guard, holder({ pid: 4343, bootId: "boot-gone" }));
    // When a run takes the lock
    const taking = acquireLock(key, { dir, bootId, releaseOnExit: false });
    // Then it refuses (exit 3) and names both files; nothing is removed
    await expect(taking).rejects.toMatchObject({
      exitCode: EXIT.refused,
      hint: expect.stringContaining(guard),
    });
    await expect(taking).rejects.toMatchObject({ hint: expect.stringContaining(`remove ${first} and`) });
    expect((await names()).length).toBe(2);
  });

  it("replaces a lock naming a live but different process on its pid (the real /proc, no stand-ins)", async () => {
    // Given a live process (a child of ours) whose pid a lock names, with a start time that is not its own
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      const pid = child.pid ?? 0;
      const own = readStartTime(pid);
      expect(own).toMatch(/^\d+$/);
      const [first] = lockPaths(key, dir);
      await writeFile(first ?? "", holder({ pid, procStart: String(Number(own) - 1), bootId: undefined }));
      // When a run takes the lock
      const handle = await acquireLock(key, { dir, releaseOnExit: false });
      // Then the lock is stale: replaced, with a warning
      expect(handle.warnings.join()).toMatch(
        new RegExp(`stale lock .*pid ${pid} .*another process has that pid`),
      );
      await handle.release();
      // And the same process with its own start time holds the lock
      await writeFile(first ?? "", holder({ pid, procStart: own, bootId: undefined }));
      await expect(acquireLock(key, { dir, releaseOnExit: false })).rejects.toMatchObject({
        exitCode: EXIT.refused,
      });
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("reads field 22 after the command name, even one with spaces and parentheses", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    expect(parseStartTime(`123 (a) b) c) ${fields.join(" ")}`)).toBe("22");
    expect(parseStartTime("garbage")).toBeNull();
  });

  it("treats a fresh unreadable lock as someone starting up, and an old one as debris", async () => {
    await writeFile(lockPaths(key, dir)[0] ?? "", "");
    await expect(acquireLock(key, { dir, releaseOnExit: false })).rejects.toBeInstanceOf(UserError);
    expect(await readdir(dir)).toHaveLength(1);
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
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("release after someone removed the lock resolves: nothing is left to remove", async () => {
    const handle = await acquireLock(key, { dir, releaseOnExit: false });
    await rm(handle.path);
    await expect(handle.release()).resolves.toBeUndefined();
  });
});

describe("the lock directory (issue 27 item 6)", () => {
  const shell = { XDG_RUNTIME_DIR: "/run/user/1000" };
  it("is the machine-wide one when it exists, for root and for a user alike", () => {
    for (const isRoot of [true, false])
      expect(chooseLockDir(shell, { isRoot, exists: (p) => p === MACHINE_LOCK_DIR })).toEqual({
        dir: MACHINE_LOCK_DIR,
        create: false,
      });
  });

  it("is made by root when missing; a user without it locks in their own directory, and is told so", () => {
    expect(chooseLockDir(shell, { isRoot: true, exists: () => false })).toEqual({
      dir: MACHINE_LOCK_DIR,
      create: "machine",
    });
    const user = chooseLockDir(shell, { isRoot: false, exists: () => false });
    expect(user).toMatchObject({ dir: "/run/user/1000", create: false });
    expect(user.warning).toMatch(/locked only against runs of this user \(in \/run\/user\/1000\)/);
    expect(chooseLockDir({}, { isRoot: false, exists: () => false }).dir).toBe("/tmp");
  });

  it(`is ${LOCK_DIR_ENV} when set, made when missing`, async () => {
    const named = join(dir, "a", "b");
    vi.stubEnv(LOCK_DIR_ENV, named);
    try {
      const handle = await acquireLock(key, { releaseOnExit: false });
      expect(handle.paths.every((p) => p.startsWith(`${named}/`))).toBe(true);
      expect(handle.warnings).toEqual([]);
      await handle.release();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses (exit 3), naming the directory and what to do, when it cannot be written", async () => {
    const notADir = join(dir, "file");
    await writeFile(notADir, "");
    vi.stubEnv(LOCK_DIR_ENV, notADir);
    try {
      const taking = acquireLock(key, { releaseOnExit: false });
      await expect(taking).rejects.toMatchObject({
        exitCode: EXIT.refused,
        message: expect.stringContaining(`cannot lock the cluster in ${notADir}`),
        hint: expect.stringMatching(/run as root or as a member of the directory's group/),
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
