/**
 * Vitest globalSetup: before any test file runs, rebuild every project whose output is older than its sources
 * (dist/, the bundled CLI the e2e tests run; dist-tools/, the simulator and the bench). So
 * `npx vitest run one.test.ts` never tests a stale build, and a fresh build costs only the check.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findStale, PROJECTS } from "./stale-build.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function setup(): void {
  for (const project of PROJECTS) {
    const reasons = findStale(ROOT, project);
    if (reasons.length === 0) continue;
    const started = performance.now();
    const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : "";
    try {
      // A failed build leaves the outputs stale or missing (tsc: --noEmitOnError; the bundle: its folder is
      // emptied first), so the next run tries, and fails, again.
      execFileSync(process.execPath, [...project.build], {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
      const out = `${stdout}${stderr}`.trim() || String(error);
      throw new Error(`node ${project.build.join(" ")} failed, so no test runs on a stale build:\n${out}`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`built ${project.outDir}/ in ${seconds} s: ${reasons[0]}${more}\n`);
  }
}
