import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { RUN_METRICS } from "../../src/metrics/names.js";
import {
  parseLastSuccess,
  type RunMetricsInput,
  readPreviousLastSuccess,
  renderRunMetrics,
} from "../../src/metrics/run-metrics.js";
import { parseExposition } from "./parse-exposition.js";
import { SAMPLE_NOW, SAMPLE_RUN } from "./sample-view.js";

const PREVIOUS = new Date("2026-11-15T03:00:41.000Z");
const render = (run: RunMetricsInput) => parseExposition(renderRunMetrics(run)).samples;
/** Written by defrag only, and labelled as every series is. */
const LAST_SUCCESS = `${RUN_METRICS.lastSuccess}{command="defrag"}`;

describe("renderRunMetrics", () => {
  test("the current result is 1 and every other known result is 0", () => {
    const samples = render({ ...SAMPLE_RUN, result: "failed" });
    expect(samples.get(`${RUN_METRICS.result}{command="defrag",result="failed"}`)).toBe(1);
    for (const other of ["ok", "nothing-to-do", "refused", "interrupted"]) {
      expect(samples.get(`${RUN_METRICS.result}{command="defrag",result="${other}"}`)).toBe(0);
    }
  });

  test.each([
    ["check", ["defrag-recommended", "go", "no-go"]],
    ["status", ["failed", "ok"]],
    ["defrag", ["failed", "interrupted", "nothing-to-do", "ok", "refused"]],
  ] as const)(
    "%s writes its own results, every one of them whatever the verdict: no series comes and goes",
    (command, results) => {
      for (const current of results) {
        const samples = render({ ...SAMPLE_RUN, command, result: current });
        const rendered = [...samples.keys()]
          .filter((key) => key.startsWith(`${RUN_METRICS.result}{`))
          .map((key) => /result="([^"]+)"/.exec(key)?.[1])
          .sort();
        expect(rendered).toEqual([...results]);
        expect(samples.get(`${RUN_METRICS.result}{command="${command}",result="${current}"}`)).toBe(1);
      }
    },
  );

  test("an unknown result is still reported, next to the known ones", () => {
    const samples = render({ ...SAMPLE_RUN, command: "check", result: "maybe" });
    expect(samples.get(`${RUN_METRICS.result}{command="check",result="maybe"}`)).toBe(1);
    expect(samples.get(`${RUN_METRICS.result}{command="check",result="go"}`)).toBe(0);
  });

  test("start time, duration, members and bytes in base units", () => {
    const samples = render(SAMPLE_RUN);
    expect(samples.get(`${RUN_METRICS.start}{command="defrag"}`)).toBe(SAMPLE_NOW.getTime() / 1000);
    expect(samples.get(`${RUN_METRICS.duration}{command="defrag"}`)).toBe(42.5);
    expect(samples.get(`${RUN_METRICS.membersDefragmented}{command="defrag"}`)).toBe(3);
    expect(samples.get(`${RUN_METRICS.reclaimed}{command="defrag"}`)).toBe(1_470_000_000);
  });

  test.each(["ok", "nothing-to-do"])(
    "a defrag with result %s becomes the new last success (its end)",
    (result) => {
      const samples = render({ ...SAMPLE_RUN, result, lastSuccessAt: PREVIOUS });
      expect(samples.get(LAST_SUCCESS)).toBe(SAMPLE_NOW.getTime() / 1000 + 42.5);
    },
  );

  test.each(["failed", "refused", "interrupted"])(
    "a defrag with result %s carries the previous last success over",
    (result) => {
      const samples = render({ ...SAMPLE_RUN, result, lastSuccessAt: PREVIOUS });
      expect(samples.get(LAST_SUCCESS)).toBe(PREVIOUS.getTime() / 1000);
    },
  );

  test.each([
    ["check", "go"],
    ["status", "ok"],
  ] as const)(
    "%s never writes the last success, even when given one (defrag is its one writer)",
    (command, result) => {
      const text = renderRunMetrics({ ...SAMPLE_RUN, command, result, lastSuccessAt: PREVIOUS });
      expect(text).not.toContain(RUN_METRICS.lastSuccess);
    },
  );

  test.each(["status", "check", "defrag"] as const)(
    "every series written by %s carries command=<it>",
    (command) => {
      const samples = render({ ...SAMPLE_RUN, command, lastSuccessAt: PREVIOUS });
      expect(samples.size).toBeGreaterThan(5);
      for (const key of samples.keys()) expect(key).toMatch(new RegExp(`\\{command="${command}"[,}]`));
    },
  );

  test("no last success series at all when none is known (absent, not a fake zero)", () => {
    const text = renderRunMetrics({ ...SAMPLE_RUN, result: "failed" });
    expect(text).not.toContain(RUN_METRICS.lastSuccess);
  });
});

describe("carrying the last success across runs", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "ted-metrics-"));
    dirs.push(dir);
    return dir;
  };

  test("parseLastSuccess reads back exactly what renderRunMetrics wrote", () => {
    const text = renderRunMetrics({ ...SAMPLE_RUN, result: "failed", lastSuccessAt: PREVIOUS });
    expect(parseLastSuccess(text)?.toISOString()).toBe(PREVIOUS.toISOString());
    const fresh = renderRunMetrics(SAMPLE_RUN);
    expect(parseLastSuccess(fresh)?.getTime()).toBe(SAMPLE_NOW.getTime() + 42_500);
  });

  test.each([
    ["no such line", "talos_etcd_defrag_run_duration_seconds 3\n"],
    ["only HELP/TYPE", `# HELP ${RUN_METRICS.lastSuccess} x\n# TYPE ${RUN_METRICS.lastSuccess} gauge\n`],
    ["garbage value", `${RUN_METRICS.lastSuccess} soon\n`],
    ["zero", `${RUN_METRICS.lastSuccess} 0\n`],
    ["a longer name sharing the prefix", `${RUN_METRICS.lastSuccess}_extra 1795316400\n`],
  ])("parseLastSuccess ignores %s", (_why, text) => {
    expect(parseLastSuccess(text)).toBeUndefined();
  });

  test("a failed run after a successful one keeps the old timestamp through the file", async () => {
    const file = join(await tempDir(), "talos_etcd_defrag.prom");
    await writeFile(file, renderRunMetrics(SAMPLE_RUN));
    const previous = await readPreviousLastSuccess(file);
    const failed = renderRunMetrics({
      ...SAMPLE_RUN,
      result: "failed",
      startedAt: new Date("2026-11-29T03:00:00Z"),
      ...(previous === undefined ? {} : { lastSuccessAt: previous }),
    });
    expect(parseExposition(failed).samples.get(LAST_SUCCESS)).toBe(SAMPLE_NOW.getTime() / 1000 + 42.5);
  });

  test("no file yet is the first run, not an error; a directory in its place is an error", async () => {
    const dir = await tempDir();
    await expect(readPreviousLastSuccess(join(dir, "missing.prom"))).resolves.toBeUndefined();
    await expect(readPreviousLastSuccess(dir)).rejects.toMatchObject({ code: "EISDIR" });
  });
});
