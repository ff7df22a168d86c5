/**
 * Every marked example in README.md and docs/CONTRACT.md is what the tool prints (see doc-examples.ts for the
 * markers). A failure shows the real output; `UPDATE_EXAMPLES=1 npx vitest run test/docs/examples.test.ts`
 * writes it into the text blocks.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  actualFor,
  type DocExample,
  documented,
  findExamples,
  jsonKeyDifferences,
  maskTimes,
  metricNames,
  rewriteExamples,
  runExample,
  where,
} from "./doc-examples.js";

const FILES = ["README.md", "docs/CONTRACT.md"];
const UPDATE = process.env.UPDATE_EXAMPLES === "1";

const examples = FILES.flatMap((file) => findExamples(file));
const kindOf = (e: DocExample) =>
  e.spec.has("json-keys") ? "json" : e.spec.has("metrics") ? "metrics" : "text";
const named = (kind: string) =>
  examples.filter((e) => kindOf(e) === kind).map((e) => [`${where(e)} ${e.body[0] ?? ""}`, e] as const);

describe("the documentation's examples", () => {
  it("are marked in both files, text, JSON and metrics alike", () => {
    for (const file of FILES) expect(examples.filter((e) => e.file === file).length, file).toBeGreaterThan(0);
    expect(named("json").length).toBeGreaterThanOrEqual(3);
    // The README's metrics sample is pinned by test/metrics/textfile-folder.test.ts (over the v1.14 fixture), and
    // docs/SCHEDULING.md's byte for byte by test/examples/scheduling-doc.test.ts.
    expect(named("text").length).toBeGreaterThanOrEqual(4);
  });

  const updates = new Map<string, { example: DocExample; lines: string[] }[]>();

  it.each(named("text"))("%s is the tool's output", async (_, example) => {
    const run = await runExample(example);
    const actual = actualFor(example, run);
    if (UPDATE && actual.join("\n") !== documented(example).lines.join("\n")) {
      const list = updates.get(example.file) ?? [];
      list.push({ example, lines: actual });
      updates.set(example.file, list);
      return;
    }
    // The whole real output, ready to paste, when the example is stale.
    expect(
      documented(example).lines.join("\n"),
      `${where(example)}: the tool prints\n${actual.join("\n")}\n`,
    ).toBe(actual.join("\n"));
  });

  it.each(named("json"))("%s names the fields the tool writes", async (_, example) => {
    const run = await runExample(example);
    const doc: unknown = JSON.parse(example.body.filter((l) => !l.startsWith("$ ")).join("\n"));
    const differences = jsonKeyDifferences(doc, JSON.parse(run.stdout));
    expect(differences, `${where(example)}: the tool writes\n${run.stdout}`).toEqual([]);
  });

  it.each(named("metrics"))(
    "%s shows only lines the tool writes, and every metric it writes",
    async (_, example) => {
      const run = await runExample(example);
      const real = run.metrics ?? "";
      const realLines = new Set(real.split("\n").map(maskTimes));
      const shown = example.body.filter((l) => !l.startsWith("$ ") && l.trim() !== "");
      const notWritten = shown.filter((l) => !realLines.has(maskTimes(l)));
      const missing = [...metricNames(real)].filter((name) => !metricNames(shown.join("\n")).has(name));
      const message = `${where(example)}: the tool writes\n${real}`;
      expect(notWritten, message).toEqual([]);
      expect(missing, message).toEqual([]);
    },
  );

  // UPDATE_EXAMPLES=1: the stale text examples get the real output, once every example has run.
  afterAll(() => {
    for (const [file, list] of updates) rewriteExamples(file, list);
  });
});

describe("the example checks themselves", () => {
  it("find a documented field the tool does not write, and a written field the example lacks", () => {
    expect(jsonKeyDifferences({ a: 1, gone: 2 }, { a: 1 })).toEqual([
      "$.gone: documented, but the tool does not write it here",
    ]);
    expect(jsonKeyDifferences({ a: [{ x: 1 }] }, { a: [{ x: 1, y: 2 }], b: 3 })).toEqual([
      "$.a[0].y: written by the tool, missing from the example",
      "$.b: written by the tool, missing from the example",
    ]);
    expect(jsonKeyDifferences({ a: 1, "...": "more" }, { a: 1, b: 2 })).toEqual([]);
  });

  it("compare the values of time series only up to the time", () => {
    expect(maskTimes('x_run_duration_seconds{command="check"} 0.127')).toBe(
      maskTimes('x_run_duration_seconds{command="check"} 9.9'),
    );
    expect(maskTimes("x_members 5")).not.toBe(maskTimes("x_members 4"));
  });
});
