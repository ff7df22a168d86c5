/**
 * Which compiled outputs are older than their TypeScript, per tsc project. The e2e tests run the built CLI
 * (dist/) and the simulator runs from dist-tools/: a build older than its sources would silently test old code,
 * so the test setup (build-before-tests.ts) rebuilds any project this finds stale.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface BuildProject {
  tsconfig: string;
  /** tsc's rootDir and outDir: src/a.ts with rootDir "src" and outDir "dist" is dist/a.js. */
  rootDir: string;
  outDir: string;
  /** Folders whose every .ts file the project emits. */
  sources: readonly string[];
  /** Folders the project emits only the files it imports from (a missing output there is not stale). */
  imported: readonly string[];
}

export const PROJECTS: readonly BuildProject[] = [
  { tsconfig: "tsconfig.build.json", rootDir: "src", outDir: "dist", sources: ["src"], imported: [] },
  {
    tsconfig: "tsconfig.tools.json",
    rootDir: ".",
    outDir: "dist-tools",
    sources: ["sim", "bench"],
    imported: ["src"],
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

function outputOf(project: BuildProject, source: string): string {
  return join(project.outDir, relative(project.rootDir, source)).replace(/\.ts$/, ".js");
}

function mtimeOf(path: string): number | undefined {
  return existsSync(path) ? statSync(path).mtimeMs : undefined;
}

/**
 * Why the project must be rebuilt; [] when fresh. tsc rewrites every output on each build, so the project is
 * fresh when every output it must emit exists and no input (its sources, what they import, its tsconfig) is
 * newer than the oldest of them. Comparing to the oldest output, not each file's own, keeps leftovers of
 * files the project no longer emits from asking for a rebuild forever.
 */
export function findStale(root: string, project: BuildProject): string[] {
  const sources = project.sources.flatMap((dir) => listSources(root, dir));
  const missing: string[] = [];
  let oldest = Number.POSITIVE_INFINITY;
  for (const source of sources) {
    const output = outputOf(project, source);
    const built = mtimeOf(join(root, output));
    if (built === undefined) missing.push(`${output} is missing`);
    else oldest = Math.min(oldest, built);
  }
  if (missing.length > 0) return missing;
  const inputs = [
    ...sources,
    ...project.imported.flatMap((dir) => listSources(root, dir)),
    project.tsconfig,
    "tsconfig.base.json",
  ];
  return inputs
    .filter((input) => (mtimeOf(join(root, input)) ?? 0) > oldest)
    .map((input) => `${input} is newer than ${project.outDir}/`);
}
