/**
 * One run per cluster per machine: a lock file created with O_EXCL, named from a hash of what identifies the
 * cluster (talosconfig, context, endpoints, nodes), holding our pid and start time. A lock whose pid is gone
 * is stale: replaced, with a warning.
 */
import { createHash } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, UserError } from "../errors.js";

export interface LockKey {
  talosconfig?: string;
  context?: string;
  endpoints?: readonly string[];
  nodes: readonly string[];
}

export interface LockOptions {
  dir?: string;
  pid?: number;
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  /** Unlink the file if the process exits without release(). Default true. */
  releaseOnExit?: boolean;
}

export interface LockHandle {
  path: string;
  warnings: string[];
  release(): Promise<void>;
}

interface LockContent {
  pid: number;
  startedAt: string;
}

/** A half-written lock younger than this is someone else starting up, not debris. */
const FRESH_MS = 10_000;

export function lockPath(key: LockKey, dir = defaultLockDir()): string {
  const identity = JSON.stringify([
    key.talosconfig ?? "",
    key.context ?? "",
    [...(key.endpoints ?? [])].sort(),
    [...key.nodes].sort(),
  ]);
  const digest = createHash("sha256").update(identity).digest("hex").slice(0, 16);
  return join(dir, `talos-etcd-defrag-${digest}.lock`);
}

export function defaultLockDir(): string {
  return process.env.XDG_RUNTIME_DIR || tmpdir();
}

export async function acquireLock(key: LockKey, options: LockOptions = {}): Promise<LockHandle> {
  const path = lockPath(key, options.dir);
  const pid = options.pid ?? process.pid;
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? isProcessAlive;
  const content: LockContent = { pid, startedAt: new Date(now()).toISOString() };
  const warnings: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(path, content))
      return makeHandle(path, content, warnings, options.releaseOnExit ?? true);
    const holder = await readHolder(path);
    if (holder === "gone") continue;
    if (holder === "unreadable") {
      const age = now() - (await stat(path).catch(() => ({ mtimeMs: now() }))).mtimeMs;
      if (age < FRESH_MS) throw lockHeld(path, "another run is starting");
      warnings.push(`removed an unreadable lock file ${path}`);
    } else if (isAlive(holder.pid)) {
      throw lockHeld(path, `pid ${holder.pid} since ${holder.startedAt}`);
    } else {
      warnings.push(
        `removed a stale lock ${path}: pid ${holder.pid} (since ${holder.startedAt}) is not running`,
      );
    }
    await unlink(path).catch(() => undefined);
  }
  throw lockHeld(path, "the lock keeps reappearing");
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

async function readHolder(path: string): Promise<LockContent | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return "gone";
  }
  return parseContent(text) ?? "unreadable";
}

function parseContent(text: string): LockContent | null {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (
      typeof value.pid === "number" &&
      Number.isInteger(value.pid) &&
      value.pid > 0 &&
      typeof value.startedAt === "string"
    )
      return { pid: value.pid, startedAt: value.startedAt };
  } catch {
    // Falls through to null: treated like any unreadable lock.
  }
  return null;
}

function makeHandle(
  path: string,
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
    try {
      if (isOurs(readFileSync(path, "utf8"))) unlinkSync(path);
    } catch {
      // Exiting anyway; a leftover lock is detected as stale next time.
    }
  };
  if (releaseOnExit) process.once("exit", onExit);
  return {
    path,
    warnings,
    /** Throws only when our lock is still there and cannot be removed: the caller decides that it is a warning. */
    async release() {
      process.removeListener("exit", onExit);
      const text = await readFile(path, "utf8").catch(() => "");
      if (!isOurs(text)) return;
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
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

function lockHeld(path: string, who: string): UserError {
  return new UserError(
    `another talos-etcd-defrag run holds the lock for this cluster (${who})`,
    `wait for it to finish; if it is gone, remove ${path}`,
    EXIT.refused,
  );
}
