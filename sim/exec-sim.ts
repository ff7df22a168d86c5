/** Run the simulated talosctl of a cluster the way the product does: file + argv, no shell. */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SimCluster } from "./types.js";

export interface SimResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
}

/** The launcher imports the compiled simulator: fail clearly when `npm run build` was not run. */
export function assertSimBuilt(cluster: SimCluster): void {
  const main = join(cluster.talosctlPath, "..", "..", "..", "dist-tools", "sim", "talosctl-main.js");
  if (!existsSync(main))
    throw new Error(`${main} is missing: run \`npm run build\` (tsc -p tsconfig.tools.json) first`);
}

export function runSim(
  cluster: SimCluster,
  args: readonly string[],
  /** talosctl: another simulated talosctl than the cluster's (the bench's relay), with what its env needs. */
  options: { timeoutMs?: number; talosctl?: { path: string; env: Record<string, string> } } = {},
): Promise<SimResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      options.talosctl?.path ?? cluster.talosctlPath,
      [...args],
      {
        env: { ...process.env, ...cluster.env, ...options.talosctl?.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({
          stdout,
          stderr,
          exitCode: error === null ? 0 : typeof code === "number" ? code : null,
          durationMs: performance.now() - started,
        });
      },
    );
  });
}

/** The rows of a talosctl table as the simulator prints it (3+ spaces between cells), header dropped. */
export const rowsOf = (stdout: string): string[][] =>
  stdout
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(/ {3,}/));
