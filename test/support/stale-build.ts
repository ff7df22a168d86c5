/**
 * Which builds are older than their sources. The e2e tests run the built CLI (dist/, esbuild's bundle of src/)
 * and the simulator runs from dist-tools/ (tsc): a build older than its sources would silently test old code,
 * so the test setup (build-before-tests.ts) rebuilds any project this finds stale.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface BuildProject {
  outDir: string;
  /** What rebuilds it: arguments to `node`, run from the repository root. */
  build: readonly string[];
  /** Folders whose every .ts file the build reads. */
  sources: readonly string[];
  /** Folders it reads only the files imported from (a missing output there is not stale). */
  imported: readonly string[];
  /** Other inputs: tsconfigs, the build script, package.json (the bundle embeds its version). */
  configs: readonly string[];
  /**
   * tsc writes one output per source (src/a.ts with rootDir "src" is <outDir>/a.js); the bundle writes a fixed
   * set of entry files, all at once.
   */
  outputs: { rootDir: string } | { files: readonly string[] };
}

export const PROJECTS: readonly BuildProject[] = [
  {
    outDir: "dist",
    build: ["scripts/build.mjs"],
    sources: ["src"],
    imported: [],
    configs: ["scripts/build.mjs", "package.json", "package-lock.json"],
    outputs: { files: ["dist/cli/main.js", "dist/talos/runner.js"] },
  },
  {
    outDir: "dist-tools",
    build: ["node_modules/typescript/bin/tsc", "-p", "tsconfig.tools.json", "--noEmitOnError"],
    sources: ["sim", "bench"],
    imported: ["src"],
    configs: ["tsconfig.tools.json", "tsconfig.base.json"],
    outputs: { rootDir: "." },
  },
];

/** Every compiled .ts file under a folder (declarations and tests are not emitted). */
export function listSources(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .map((f) => join(dir, f))
    .sort();
}

function expectedOutputs(project: BuildProject, sources: readonly string[]): string[] {
  const { outputs } = project;
  if ("files" in outputs) return [...outputs.files];
  return sources.map((source) =>
    join(project.outDir, relative(outputs.rootDir, source)).replace(/\.ts$/, ".js"),
  );
}

function mtimeOf(path: string): number | undefined {
  return existsSync(path) ? statSync(path).mtimeMs : undefined;
}

/**
 * Why the project must be rebuilt; [] when fresh. Both builds rewrite every output each time, so the project
 * is fresh when every output it must write exists and no input (its sources, what they import, its configs) is
 * newer than the oldest of them. Comparing to the oldest output, not each file's own, keeps leftovers of files
 * the project no longer emits from asking for a rebuild forever.
 */
export function findStale(root: string, project: BuildProject): string[] {
  const sources = project.sources.flatMap((dir) => listSources(root, dir));
  const missing: string[] = [];
  let oldest = Number.POSITIVE_INFINITY;
  for (const output of expectedOutputs(project, sources)) {
    const built = mtimeOf(join(root, output));
    if (built === undefined) missing.push(`${output} is missing`);
    else oldest = Math.min(oldest, built);
  }
  if (missing.length > 0) return missing;
  const inputs = [
    ...sources,
    ...project.imported.flatMap((dir) => listSources(root, dir)),
    ...project.configs,
  ];
  return inputs
    .filter((input) => (mtimeOf(join(root, input)) ?? 0) > oldest)
    .map((input) => `${input} is newer than ${project.outDir}/`);
}
