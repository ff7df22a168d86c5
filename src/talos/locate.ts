/** Finds the talosctl binary: --talosctl PATH, else $TALOSCTL, else `talosctl` on $PATH. */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { validateArgValue } from "./validate.js";

const INSTALL_HINT =
  "install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/), or pass --talosctl PATH, or set TALOSCTL";

export function locateTalosctl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return requireExecutable(validateArgValue(flag, "--talosctl"), "--talosctl");
  const fromEnv = env.TALOSCTL;
  if (fromEnv !== undefined && fromEnv !== "")
    return requireExecutable(validateArgValue(fromEnv, "TALOSCTL"), "TALOSCTL");
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "" || !isAbsolute(dir)) continue;
    const candidate = join(dir, "talosctl");
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new UserError("talosctl not found on PATH", INSTALL_HINT);
}

function requireExecutable(path: string, source: string): string {
  const full = resolve(path);
  if (!isExecutableFile(full)) {
    throw new UserError(
      `${source} points at ${JSON.stringify(path)}, which is not an executable file`,
      INSTALL_HINT,
    );
  }
  return full;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
