/**
 * Vitest globalSetup: before any test file runs, rebuild every tsc project whose output is older than its
 * sources (dist/ for the CLI the e2e tests run, dist-tools/ for the simulator and the bench). So
 * `npx vitest run one.test.ts` never tests a stale build, and a fresh build costs only the check.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findStale, PROJECTS } from "./stale-build.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

export function setup(): void {
  for (const project of PROJECTS) {
    const reasons = findStale(ROOT, project);
    if (reasons.length === 0) continue;
    const started = performance.now();
    const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : "";
    try {
      // --noEmitOnError: a failed build leaves the old outputs stale, so the next run tries (and fails) again.
      execFileSync(process.execPath, [TSC, "-p", project.tsconfig, "--noEmitOnError"], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const out = (error as { stdout?: string }).stdout ?? String(error);
      throw new Error(`tsc -p ${project.tsconfig} failed, so no test runs on a stale build:\n${out}`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`built ${project.outDir}/ in ${seconds} s: ${reasons[0]}${more}\n`);
  }
}
