/**
 * The README's set-up: one --metrics-file per command, all in node-exporter's textfile folder. Every file is run
 * through the real CLI (in-process, over the stateful talosctl double), then checked the way node-exporter reads
 * the folder: no series may come from two files, HELP and TYPE agree, and promtool accepts each file and the
 * merged scrape. CI sets REQUIRE_PROMTOOL=1, so the promtool half cannot be skipped there.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import { NODES } from "../cli/stateful-exec.js";
import { useTempDir } from "../support/temp-dir.js";
import { mergeLikeNodeExporter, seriesKey } from "./node-exporter-merge.js";
import { parseExposition } from "./parse-exposition.js";
import { runPromtool, testWithPromtool } from "./promtool.js";
import { readmeSetup, runSetupIn, type SetupStep } from "./readme-setup.js";

const tempDir = useTempDir("ted-textfile-");
const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
const runSetup = (setup: readonly SetupStep[]) => runSetupIn(tempDir(), setup);

describe("the README's textfile folder: one --metrics-file per command", () => {
  it("names a check and a defrag file, with the commands that write them", () => {
    const setup = readmeSetup();
    expect(setup.map((s) => s.command).sort()).toEqual(["check", "defrag"]);
    expect(new Set(setup.map((s) => s.file)).size).toBe(2);
    expect(setup.find((s) => s.command === "defrag")?.args).toContain("--yes");
  });

  it("no series comes from two files: node-exporter would drop it without a scrape error", async () => {
    const files = await runSetup(readmeSetup());
    const merged = mergeLikeNodeExporter(files);
    expect(merged.problems).toEqual([]);
  });

  it("a status file beside them collides with neither (every series carries the command that wrote it)", async () => {
    const setup = [
      ...readmeSetup(),
      { command: "status", args: ["status"], file: "talos_etcd_defrag_status.prom" },
    ];
    const files = await runSetup(setup);
    expect(mergeLikeNodeExporter(files).problems).toEqual([]);
    for (const step of setup) {
      const parsed = parseExposition(files[step.file] ?? "");
      expect(parsed.samples.size).toBeGreaterThan(10);
      for (const key of parsed.samples.keys())
        expect(seriesKey(key), step.file).toContain(`command="${step.command}"`);
    }
  });

  it("the merge check can fail: the same file twice collides on every series", async () => {
    const files = await runSetup(readmeSetup());
    const [name, text] = Object.entries(files)[0] ?? ["", ""];
    const merged = mergeLikeNodeExporter({ [name]: text, [`copy-${name}`]: text });
    expect(merged.problems.length).toBe(parseExposition(text).samples.size);
  });

  testWithPromtool(
    "promtool accepts each file, and the folder as node-exporter serves it",
    async (promtool) => {
      const files = await runSetup(readmeSetup());
      for (const [file, text] of Object.entries(files)) {
        const result = await runPromtool(promtool, ["check", "metrics"], text);
        expect(result.output, file).toBe("");
        expect(result.exitCode, file).toBe(0);
      }
      const merged = mergeLikeNodeExporter(files);
      expect(merged.problems).toEqual([]);
      const result = await runPromtool(promtool, ["check", "metrics"], merged.text);
      expect(result.output).toBe("");
      expect(result.exitCode).toBe(0);
    },
  );
});

/** Values that differ on every run: the sample's are compared by series only. */
const TIME_DEPENDENT =
  /^talos_etcd_defrag_(?:last_check_timestamp_seconds|run_start_timestamp_seconds|run_duration_seconds)\{/;

describe("the README's sample metrics", () => {
  it("are lines that `check --metrics-file` writes over the v1.14 fragmented fixture", async () => {
    const section = readme.split("\n## Run it on a schedule")[1]?.split("\n## ")[0] ?? "";
    const block = /A sample, from `check`[^\n]*\n\n```\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const lines = block.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    const path = join(tempDir(), "talos_etcd_defrag_check.prom");
    const rec = recordIO((calls) => fixtureExec("v1.14", "fragmented", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", NODES, "check", "--metrics-file", path],
      rec.io,
    );
    expect(code).toBe(4);
    const written = (await readFile(path, "utf8")).split("\n");
    const series = (line: string) => line.slice(0, line.lastIndexOf(" "));
    for (const line of lines) {
      if (TIME_DEPENDENT.test(line)) expect(written.map(series), line).toContain(series(line));
      else expect(written, line).toContain(line);
    }
  });
});
