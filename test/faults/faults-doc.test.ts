/**
 * docs/FAULTS.md stays honest: every row names a test file that exists, and every test name it quotes (up to an
 * ellipsis) is written in that file. Whether those tests pass is the rest of the suite's job.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const doc = readFileSync("docs/FAULTS.md", "utf8");
const rows = doc.split("\n").filter((line) => /^\| \d+ \|/.test(line));
const REF = /`(test\/[\w/.-]+\.test\.ts)`((?: › [^;`*›|]+)*)/g;

/** The part of a quoted name that must appear verbatim in the test file. */
function quotedPart(segment: string): string {
  return (segment.split("…")[0] ?? "")
    .replace(/\s*\([^)]*\)\s*$/, "")
    .replace(/[.,;:\s]+$/, "")
    .trim();
}

describe("docs/FAULTS.md", () => {
  it("has at least 20 numbered scenarios, each pointing at a test", () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row, row.slice(0, 60)).toMatch(/`test\/[\w/.-]+\.test\.ts`/);
    const numbers = rows.map((row) => Number(/^\| (\d+) \|/.exec(row)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it("names only test files that exist, and test names written in them", () => {
    let checked = 0;
    for (const row of rows) {
      for (const match of row.matchAll(REF)) {
        const [, file = "", names = ""] = match;
        expect(existsSync(file), file).toBe(true);
        const source = readFileSync(file, "utf8");
        for (const segment of names.split(" › ").slice(1)) {
          const part = quotedPart(segment);
          if (part.length < 6) continue;
          expect.soft(source.includes(part), `${file}: ${JSON.stringify(part)}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("lists every it.fails test of test/faults among its known bugs", () => {
    const files = ["config", "snapshot-faults"].map((f) => readFileSync(`test/faults/${f}.test.ts`, "utf8"));
    const known = files.flatMap((text) => [...text.matchAll(/it\.fails\(/g)]).length;
    const listed =
      doc
        .split("## Known bugs")[1]
        ?.split("\n")
        .filter((l) => l.startsWith("- ")).length ?? 0;
    expect(listed).toBe(known);
  });
});
