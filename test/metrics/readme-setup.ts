/** The README's textfile-folder set-up, read from the README and run through the CLI (shared by the tests). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { createStatefulCluster, NODES, runCli } from "../cli/stateful-exec.js";

const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");

export interface SetupStep {
  command: string;
  args: string[];
  file: string;
}

/** The commands and file names the README's metrics section tells a reader to run, e.g. `check --metrics-file …/x.prom`. */
export function readmeSetup(): SetupStep[] {
  const section = readme.split("\n## Run it on a schedule")[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^talos-etcd-defrag (.+) --metrics-file \S*\/([\w.-]+\.prom)$/gm)].map((m) => {
    const args = (m[1] ?? "").trim().split(/\s+/);
    return { command: args[0] ?? "", args, file: m[2] ?? "" };
  });
}

/** Runs each command of the set-up against one cluster, all writing into one folder, as a schedule would. */
export async function runSetupIn(dir: string, setup: readonly SetupStep[]): Promise<Record<string, string>> {
  const cluster = createStatefulCluster();
  const files: Record<string, string> = {};
  for (const step of setup) {
    const path = join(dir, step.file);
    const extra =
      step.command === "defrag" ? ["--wait-timeout", "2s", "--snapshot-dir", join(dir, "snaps")] : [];
    const run = await runCli(cluster, ["-n", NODES, ...step.args, ...extra, "--metrics-file", path]);
    expect([0, 4], `${step.args.join(" ")}: ${run.stderr}`).toContain(run.code);
    files[step.file] = await readFile(path, "utf8");
  }
  return files;
}
