/**
 * Writes a metrics file for node-exporter's textfile collector. The collector may read at any moment, so the
 * text goes to a hidden temporary file in the same directory (same filesystem, so rename is atomic) and is
 * renamed over the target: a scrape sees the old file or the new one, never half of either.
 */
import { chmod, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";

const FILE_MODE = 0o644;
const COLLECTOR_HINT = "node-exporter's textfile collector reads *.prom";

/** Cheap check the CLI can run before a long defrag, so a typo does not surface only at the end. */
export function validateMetricsPath(path: string): void {
  const name = basename(path);
  // basename() drops a trailing slash, which names a directory, never a file.
  if (!name.endsWith(".prom") || name === ".prom" || /[\\/]$/.test(path)) {
    throw new UserError(
      `--metrics-file ${JSON.stringify(path)} must name a file ending in .prom`,
      COLLECTOR_HINT,
    );
  }
}

/** `.name.prom.<pid>.tmp` does not end in .prom, so the collector never reads a file still being written. */
export function tempPathFor(path: string, pid: number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tmp`);
}

const USER_FIXABLE = new Set(["ENOENT", "ENOTDIR", "EACCES", "EPERM", "EROFS", "EISDIR"]);

function explainWriteError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined || !USER_FIXABLE.has(code)) return error;
  return new UserError(
    `cannot write metrics file ${JSON.stringify(path)}: ${(error as Error).message}`,
    `check that ${dirname(path)} exists and is writable by this user`,
  );
}

/**
 * Before any talosctl call: the directory exists and this user can create files in it (probed with the very
 * temporary file the write will use), and the path is not a directory. A run that did its job must not learn only
 * at the end that its metrics cannot land; whatever still goes wrong later is a warning, not a failed run.
 */
export async function checkMetricsTarget(path: string): Promise<void> {
  validateMetricsPath(path);
  const dir = dirname(path);
  const dirStat = await stat(dir).catch((error: unknown) => {
    throw unusable(
      path,
      `its directory ${dir} ${describeMissing(error)}`,
      `create ${dir} (node-exporter's --collector.textfile.directory) or point --metrics-file into an existing directory`,
    );
  });
  if (!dirStat.isDirectory())
    throw unusable(path, `${dir} is not a directory`, "point --metrics-file into a directory");
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory())
    throw unusable(path, "it is a directory", "name a file inside it, e.g. talos_etcd_defrag.prom");
  const temp = tempPathFor(path);
  try {
    await unlink(temp).catch(() => undefined);
    await (await open(temp, "wx", FILE_MODE)).close();
    await unlink(temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw unusable(
      path,
      `cannot create files in ${dir}: ${(error as Error).message}`,
      `run as a user that can write to ${dir}, or choose another directory`,
    );
  }
}

function describeMissing(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "does not exist";
  if (code === "ENOTDIR") return "is below a file, not a directory";
  return `cannot be read: ${(error as Error).message}`;
}

function unusable(path: string, why: string, hint: string): UserError {
  return new UserError(`--metrics-file ${JSON.stringify(path)} cannot be written: ${why}`, hint);
}

export async function writeMetricsFile(path: string, text: string): Promise<void> {
  validateMetricsPath(path);
  const temp = tempPathFor(path);
  try {
    // A leftover from a crashed run with the same pid is ours to replace; "wx" then refuses to follow a link.
    await unlink(temp).catch(() => undefined);
    const handle = await open(temp, "wx", FILE_MODE);
    try {
      await handle.writeFile(text, "utf8");
      // Durable before the rename: otherwise a crash can leave an empty file under the final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask; node-exporter often runs as another user and must read it.
    await chmod(temp, FILE_MODE);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw explainWriteError(path, error);
  }
}
