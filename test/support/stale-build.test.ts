/** The freshness check that decides whether the test setup rebuilds dist/ or dist-tools/ before the tests. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BuildProject, findStale, listSources } from "./stale-build.js";

const TOOLS: BuildProject = {
  outDir: "dist-tools",
  build: [],
  sources: ["sim"],
  imported: ["src"],
  configs: ["tsconfig.tools.json", "tsconfig.base.json"],
  outputs: { rootDir: "." },
};
/** The shape of the CLI's bundle: a fixed set of entry files, whatever src/ holds. */
const BUNDLE: BuildProject = {
  outDir: "dist",
  build: [],
  sources: ["src"],
  imported: [],
  configs: ["scripts/build.mjs", "package.json"],
  outputs: { files: ["dist/cli/main.js", "dist/talos/runner.js"] },
};
const OLD = 1_000;
const BUILT = 2_000;
const NEW = 3_000;

/** A repository whose files all have the given age (seconds since the epoch); outputs are BUILT unless named. */
function makeRepo(ages: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), "stale-build-"));
  const files: Record<string, number> = {
    "tsconfig.base.json": OLD,
    "tsconfig.tools.json": OLD,
    "sim/a.ts": OLD,
    "sim/bin/b.ts": OLD,
    "sim/c.test.ts": NEW,
    "src/x.ts": OLD,
    "dist-tools/sim/a.js": BUILT,
    "dist-tools/sim/bin/b.js": BUILT,
    "dist-tools/src/x.js": BUILT,
    "dist-tools/src/gone.js": OLD,
    "scripts/build.mjs": OLD,
    "package.json": OLD,
    "dist/cli/main.js": BUILT,
    "dist/talos/runner.js": BUILT,
    "dist/chunks/old-chunk.js": OLD,
    ...ages,
  };
  for (const [path, age] of Object.entries(files)) {
    if (age < 0) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), "");
    utimesSync(join(root, path), age, age);
  }
  return root;
}

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("findStale", () => {
  const cases: { name: string; ages: Record<string, number>; expected: string[] }[] = [
    {
      name: "fresh: every output newer than every input (an old leftover output is ignored)",
      ages: {},
      expected: [],
    },
    {
      name: "an output missing",
      ages: { "dist-tools/sim/bin/b.js": -1 },
      expected: ["dist-tools/sim/bin/b.js is missing"],
    },
    {
      name: "a source edited after the build",
      ages: { "sim/bin/b.ts": NEW },
      expected: ["sim/bin/b.ts is newer than dist-tools/"],
    },
    {
      name: "an imported file edited after the build",
      ages: { "src/x.ts": NEW },
      expected: ["src/x.ts is newer than dist-tools/"],
    },
    {
      name: "a source newer than the oldest output, though older than its own",
      ages: { "dist-tools/sim/bin/b.js": NEW + 10, "sim/bin/b.ts": NEW },
      expected: ["sim/bin/b.ts is newer than dist-tools/"],
    },
    {
      name: "the base tsconfig changed",
      ages: { "tsconfig.base.json": NEW },
      expected: ["tsconfig.base.json is newer than dist-tools/"],
    },
  ];
  it.each(cases)("$name", ({ ages, expected }) => {
    root = makeRepo(ages);
    expect(findStale(root, TOOLS)).toEqual(expected);
  });
});

describe("findStale for the bundle", () => {
  const cases: { name: string; ages: Record<string, number>; expected: string[] }[] = [
    { name: "fresh (a chunk of an older build is ignored)", ages: {}, expected: [] },
    {
      name: "an entry file missing (a failed build empties dist/)",
      ages: { "dist/talos/runner.js": -1 },
      expected: ["dist/talos/runner.js is missing"],
    },
    {
      name: "a source edited after the build (no output per source needed)",
      ages: { "src/x.ts": NEW },
      expected: ["src/x.ts is newer than dist/"],
    },
    {
      name: "package.json changed (the bundle embeds its version)",
      ages: { "package.json": NEW },
      expected: ["package.json is newer than dist/"],
    },
  ];
  it.each(cases)("$name", ({ ages, expected }) => {
    root = makeRepo(ages);
    expect(findStale(root, BUNDLE)).toEqual(expected);
  });
});

describe("listSources", () => {
  it("lists compiled .ts files recursively, without tests or declarations", () => {
    root = makeRepo({ "sim/types.d.ts": OLD });
    expect(listSources(root, "sim")).toEqual(["sim/a.ts", "sim/bin/b.ts"]);
    expect(listSources(root, "nowhere")).toEqual([]);
  });
});
