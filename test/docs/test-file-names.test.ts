/**
 * Test file names are unique across folders: a failing `leader-decision.test.ts` in a CI log, a FAULTS row or a
 * `-t` filter must name one file, never two (test/README.md, "A map of the tests").
 */
import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const TEST_ROOT = new URL("../", import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".test.ts") ? [relative(TEST_ROOT, path)] : [];
  });
}

/** Basename -> every path that has it, for the names held by more than one file. */
function sharedBasenames(paths: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const path of paths) byName.set(basename(path), [...(byName.get(basename(path)) ?? []), path]);
  return new Map([...byName].filter(([, holders]) => holders.length > 1));
}

describe("test file names", () => {
  it("no two test files under test/ share a name", () => {
    const files = testFiles(TEST_ROOT);
    expect(files.length).toBeGreaterThan(50);
    expect(Object.fromEntries(sharedBasenames(files))).toEqual({});
  });

  it("the check can fail: two folders with the same file name are reported", () => {
    const shared = sharedBasenames(["plan/a.test.ts", "e2e/a.test.ts", "e2e/b.test.ts"]);
    expect(Object.fromEntries(shared)).toEqual({ "a.test.ts": ["plan/a.test.ts", "e2e/a.test.ts"] });
  });
});
