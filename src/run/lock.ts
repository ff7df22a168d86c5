/**
 * One run per cluster per machine. The cluster is its members, not the words used to reach it (context,
 * talosconfig, endpoints, node spelling all vary between a systemd unit and a run by hand): a run takes one lock
 * file per etcd member ID, created with O_EXCL, so two runs that share any member are refused, also while a member
 * joins or leaves between their first looks. The IDs are known once the first view is read, before anything is
 * touched.
 *
 * Who holds a lock: the pid, the start time of that pid as the kernel reports it (/proc/<pid>/stat field 22,
 * clock ticks since boot) and the boot id (/proc/sys/kernel/random/boot_id). A pid alone can be reused by
 * another process after the holder died (and after every reboot); pid + start time + boot id cannot. A lock is
 * stale, and replaced with a warning, when its pid is gone, its pid now belongs to a process that started at
 * another time, or the machine has rebooted since. Without /proc (not Linux) only the pid can be checked.
 *
 * Why not proper-lockfile: its staleness rule is an mtime the holder must keep touching (stale after 10 s
 * without an update). A run that is suspended (SIGSTOP, a laptop asleep, a VM paused) would lose its lock while
 * it is still in the middle of a defrag, and a second run would start beside it: for this tool a live holder
 * must never be judged stale, which only the kernel's own identity of the process gives.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import { mkdir, open, readdir, readFile, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { EXIT, UserError } from "../errors.js";

export interface LockKey {
  /** The cluster's member IDs (cluster/identity.ts); at least one. */
  memberIds: readonly string[];
}

export interface LockOptions {
  dir?: string;
  pid?: number;
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  /** The start time of a pid as the kernel reports it; null when unknown. Default: /proc/<pid>/stat. */
  startTimeOf?: (pid: number) => string | null;
  /** This boot's id; null when unknown. Default: /proc/sys/kernel/random/boot_id. */
  bootId?: () => string | null;
  /** Unlink the files if the process exits without release(). Default true. */
  releaseOnExit?: boolean;
}

export interface LockHandle {
  /** The first lock file (one per member; `paths` has them all). */
  path: string;
  paths: string[];
  warnings: string[];
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  startedAt: string;
  /** /proc/<pid>/stat field 22; null when it could not be read. */
  procStart: string | null;
  bootId: string | null;
}

/** A half-written lock younger than this is someone else starting up, not debris. */
const FRESH_MS = 10_000;

/** One file per member: `talos-etcd-defrag-member-<id>.lock` (an ID that is not plain hex is hashed). */
export function lockPaths(key: LockKey, dir: string = defaultLockDir()): string[] {
  const ids = [...new Set(key.memberIds)].sort();
  return ids.map((id) => join(dir, `talos-etcd-defrag-member-${safeId(id)}.lock`));
}

function safeId(id: string): string {
  return /^[0-9a-f]{1,32}$/.test(id) ? id : createHash("sha256").update(id).digest("hex").slice(0, 16);
}

/**
 * The machine-wide lock directory. It must be one place that every run on the machine sees: the systemd timer's
 * (examples/systemd: `RuntimeDirectory=talos-etcd-defrag`, made at boot by its tmpfiles.d line, 0770 for the
 * unit's user and group) and a person's, root or a member of that group, from any shell. Not `$XDG_RUNTIME_DIR`
 * (one per login user; a system service has none) nor /tmp (`PrivateTmp=yes` gives the unit its own): with
 * either, the timer's lock and a run by hand never met (issue 27 item 6). /run is a tmpfs, so, like the
 * process identities a lock records, it does not outlive a reboot.
 */
export const MACHINE_LOCK_DIR = "/run/talos-etcd-defrag";
/** Names the lock directory instead (a container, whose /run is its own anyway; the tests). */
export const LOCK_DIR_ENV = "TALOS_ETCD_DEFRAG_LOCK_DIR";

export interface LockDirProbe {
  isRoot: boolean;
  exists(path: string): boolean;
}

export interface LockDirChoice {
  dir: string;
  /** Make the directory when it is missing: root may make the machine-wide one (0755: only root locks then). */
  create: "machine" | "named" | false;
  /** Said when the lock holds only against this user's runs. */
  warning?: string;
}

/**
 * Where the lock goes: `$TALOS_ETCD_DEFRAG_LOCK_DIR`, else the machine-wide directory when it exists or root can
 * make it. A user who is not root on a machine without it (no unit installed, no run as root since boot: so no
 * lock can be in it) falls back to the per-user `$XDG_RUNTIME_DIR`, else $TMPDIR or /tmp, and is told so. An
 * existing machine-wide directory this user cannot write is never fallen back from: it refuses (acquireLock).
 */
export function chooseLockDir(env: NodeJS.ProcessEnv, probe: LockDirProbe): LockDirChoice {
  const named = env[LOCK_DIR_ENV];
  if (named) return { dir: named, create: "named" };
  if (probe.exists(MACHINE_LOCK_DIR)) return { dir: MACHINE_LOCK_DIR, create: false };
  if (probe.isRoot) return { dir: MACHINE_LOCK_DIR, create: "machine" };
  const dir = env.XDG_RUNTIME_DIR || env.TMPDIR || "/tmp";
  return {
    dir,
    create: false,
    warning: `no machine-wide lock directory ${MACHINE_LOCK_DIR}: this run is locked only against runs of this user (in ${dir}); see docs/SCHEDULING.md, "The run lock"`,
  };
}

const systemProbe: LockDirProbe = {
  isRoot: process.getuid?.() === 0,
  exists: (path) => existsSync(path),
};

export function defaultLockDir(
  env: NodeJS.ProcessEnv = process.env,
  probe: LockDirProbe = systemProbe,
): string {
  return chooseLockDir(env, probe).dir;
}

async function prepareLockDir(choice: LockDirChoice): Promise<void> {
  if (choice.create === false) return;
  try {
    if (choice.create === "machine") await mkdir(choice.dir, { mode: 0o755 });
    else await mkdir(choice.dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw lockDirError(choice.dir, err);
  }
}

function lockDirError(dir: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  return new UserError(
    `cannot lock the cluster in ${dir} (${code})`,
    `run as root or as a member of the directory's group (ls -ld ${dir}), or set ${LOCK_DIR_ENV}; see docs/SCHEDULING.md, "The run lock"`,
    EXIT.refused,
  );
}

export async function acquireLock(key: LockKey, options: LockOptions = {}): Promise<LockHandle> {
  const choice: LockDirChoice =
    options.dir === undefined ? chooseLockDir(process.env, systemProbe) : { dir: options.dir, create: false };
  const paths = lockPaths(key, choice.dir);
  if (paths.length === 0) throw new Error("a run lock needs at least one member ID");
  const pid = options.pid ?? process.pid;
  const now = options.now ?? Date.now;
  const bootId = (options.bootId ?? readBootId)();
  const content: LockContent = {
    pid,
    startedAt: new Date(now()).toISOString(),
    procStart: (options.startTimeOf ?? readStartTime)(pid),
    bootId,
  };
  const warnings: string[] = choice.warning === undefined ? [] : [choice.warning];
  await prepareLockDir(choice);
  const taken: string[] = [];
  const handle = makeHandle(taken, content, warnings, options.releaseOnExit ?? true);
  try {
    // Always in the same (sorted) order, and all or nothing: a refusal releases what was taken.
    for (const path of paths) {
      await acquireOne(path, content, options, bootId, warnings);
      taken.push(path);
    }
  } catch (err) {
    await handle.release().catch(() => undefined);
    throw err;
  }
  return handle;
}

/**
 * Taking over a stale lock, and why it is exclusive. The lock file L is created only with O_EXCL (one creator
 * wins while L is absent) and removed only (a) by its holder, who is alive and so never judged stale, or (b) by
 * the one run that holds the takeover guard of L's exact content C: `L.takeover-<sha256(C)>`, itself created
 * with O_EXCL. That run re-reads L after taking the guard and removes L only when L still holds C. Between that
 * read and the unlink L cannot change: C's holder is gone (it releases nothing), a second remover would need the
 * same guard, and no one can create L while it exists. So an unlink only ever removes the stale C, never a lock
 * that replaced it, and after it the runs race on O_EXCL again: at most one holds L at any time. (Read, compare,
 * unlink without the guard is not exclusive: two runs read C, one replaces it, the other unlinks the new lock.)
 *
 * C never comes back (it names a process that is gone), so a guard outlives its use harmlessly: the run that
 * holds L removes the guards left beside it. A run killed between taking a guard and removing L leaves both;
 * the next run refuses and names the two files (an unknown is never guessed at).
 */
async function acquireOne(
  path: string,
  content: LockContent,
  options: LockOptions,
  bootId: string | null,
  warnings: string[],
): Promise<void> {
  const now = options.now ?? Date.now;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    if (await tryCreate(path, content)) {
      await removeGuards(path);
      return;
    }
    const text = await readFile(path, "utf8").catch(() => null);
    if (text === null) continue;
    const holder = parseContent(text) ?? "unreadable";
    let why: string;
    if (holder === "unreadable") {
      const age = now() - (await stat(path).catch(() => ({ mtimeMs: now() }))).mtimeMs;
      if (age < FRESH_MS) throw lockHeld(path, "another run is starting");
      why = `removed an unreadable lock file ${path}`;
    } else {
      const stale = whyStale(holder, options, bootId);
      if (stale === null) throw lockHeld(path, `pid ${holder.pid} since ${holder.startedAt}`);
      why = `removed a stale lock ${path}: pid ${holder.pid} (since ${holder.startedAt}) ${stale}`;
    }
    const guard = `${path}${GUARD_INFIX}${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
    if (!(await tryCreate(guard, content))) {
      // Another run is taking this stale lock over: it is done in moments, unless it died doing so.
      const guardHolder = parseContent((await readFile(guard, "utf8").catch(() => null)) ?? "");
      if (guardHolder !== null && whyStale(guardHolder, options, bootId) !== null)
        throw new UserError(
          `a stale lock of this cluster was being taken over by a run that is gone (pid ${guardHolder.pid})`,
          `no run holds the cluster: remove ${path} and ${guard}`,
          EXIT.refused,
        );
      await new Promise((resolve) => setTimeout(resolve, TAKEOVER_WAIT_MS));
      continue;
    }
    try {
      if ((await readFile(path, "utf8").catch(() => null)) === text) {
        await unlink(path).catch(() => undefined);
        warnings.push(why);
      }
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }
  throw lockHeld(path, "the lock keeps reappearing");
}

const GUARD_INFIX = ".takeover-";
/** Tries while another run takes a stale lock over (moments), then refuses. */
const TAKEOVER_ATTEMPTS = 50;
const TAKEOVER_WAIT_MS = 20;

/** Guards of contents that can never come back (the caller holds the lock): debris, see acquireOne. */
async function removeGuards(path: string): Promise<void> {
  const prefix = `${basename(path)}${GUARD_INFIX}`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names)
    if (name.startsWith(prefix)) await unlink(join(dirname(path), name)).catch(() => undefined);
}

/** Why the holder is not running any more, or null when it may be: an unknown is never taken for stale. */
function whyStale(holder: LockContent, options: LockOptions, bootId: string | null): string | null {
  if (holder.bootId !== null && bootId !== null && holder.bootId !== bootId)
    return "is from before the last reboot";
  if (!(options.isAlive ?? isProcessAlive)(holder.pid)) return "is not running";
  if (holder.procStart === null) return null;
  const current = (options.startTimeOf ?? readStartTime)(holder.pid);
  if (current !== null && current !== holder.procStart)
    return "is not running (another process has that pid now)";
  return null;
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  try {
    // Readable by all who may lock: another user's run must read the holder to know whether it is stale.
    const handle = await open(path, "wx", 0o644);
    try {
      await handle.writeFile(`${JSON.stringify(content)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOENT" || code === "ENOTDIR")
      throw lockDirError(dirname(path), err);
    throw err;
  }
}

function parseContent(text: string): LockContent | null {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    const optional = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
    if (
      typeof value.pid === "number" &&
      Number.isInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.startedAt === "string"
    )
      // A lock written before start times were recorded has neither: only its pid can be checked.
      return {
        pid: value.pid,
        startedAt: value.startedAt,
        procStart: optional(value.procStart),
        bootId: optional(value.bootId),
      };
  } catch {
    // Falls through to null: treated like any unreadable lock.
  }
  return null;
}

function makeHandle(
  paths: string[],
  content: LockContent,
  warnings: string[],
  releaseOnExit: boolean,
): LockHandle {
  // Only ever remove a lock that is still ours: a stale-lock takeover may have replaced it.
  const isOurs = (text: string) => {
    const held = parseContent(text);
    return held !== null && held.pid === content.pid && held.startedAt === content.startedAt;
  };
  const onExit = () => {
    for (const path of paths) {
      try {
        if (isOurs(readFileSync(path, "utf8"))) unlinkSync(path);
      } catch {
        // Exiting anyway; a leftover lock is detected as stale next time.
      }
    }
  };
  if (releaseOnExit) process.once("exit", onExit);
  return {
    get path() {
      return paths[0] ?? "";
    },
    paths,
    warnings,
    /**
     * Throws only when a lock of ours is still there and cannot be removed (after trying every one): the caller
     * decides that it is a warning.
     */
    async release() {
      process.removeListener("exit", onExit);
      const errors: Error[] = [];
      for (const path of paths) {
        const text = await readFile(path, "utf8").catch(() => "");
        if (!isOurs(text)) continue;
        await unlink(path).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "ENOENT") errors.push(err);
        });
      }
      if (errors.length > 0) throw errors[0];
    },
  };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. The second field (the
 * command name, in parentheses) may itself hold spaces and parentheses, so fields are counted after the last ")".
 */
export function readStartTime(pid: number): string | null {
  try {
    return parseStartTime(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

export function parseStartTime(stat: string): string | null {
  const end = stat.lastIndexOf(")");
  if (end < 0) return null;
  // After ")" come field 3 (state) onwards: field 22 is the 20th of them.
  const value = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/)[19];
  return value !== undefined && /^\d+$/.test(value) ? value : null;
}

function readBootId(): string | null {
  try {
    const id = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return id === "" ? null : id;
  } catch {
    return null;
  }
}

function lockHeld(path: string, who: string): UserError {
  return new UserError(
    `another talos-etcd-defrag run holds the lock for this cluster (${who})`,
    `wait for it to finish; if it is gone, remove ${path}`,
    EXIT.refused,
  );
}
