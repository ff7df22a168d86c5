import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { METRIC_PREFIX } from "../../src/metrics/exposition.js";
import {
  ALL_METRIC_NAMES,
  RUN_RESULTS_BY_COMMAND,
  renderClusterMetrics,
  renderRunMetrics,
} from "../../src/metrics/index.js";
import { AFTER_DEFRAG_NOW, AFTER_DEFRAG_RUN, AFTER_DEFRAG_VIEW } from "../metrics/doc-samples.js";
import { parseExposition } from "../metrics/parse-exposition.js";

const doc = await readFile(new URL("../../docs/SCHEDULING.md", import.meta.url), "utf8");

describe("docs/SCHEDULING.md", () => {
  test("names only metrics the tool emits", () => {
    // File names (talos_etcd_defrag_check.prom) are not metrics.
    const mentioned = new Set(doc.match(/\btalos_etcd_defrag_[a-z0-9_]+(?![a-z0-9_]|\.prom)/g) ?? []);
    expect(mentioned.size).toBeGreaterThan(5);
    for (const name of mentioned) expect(ALL_METRIC_NAMES, `${name} in the doc`).toContain(name);
  });

  test("documents every metric the tool emits in its table", () => {
    for (const name of ALL_METRIC_NAMES) {
      expect(doc, `${name} missing from the table`).toContain(`\`${name.slice(METRIC_PREFIX.length)}\``);
    }
  });

  test("lists every command's run results", () => {
    const paragraph = doc.split("`run_result` has one series per result")[1]?.split("\n\n")[0] ?? "";
    for (const [command, results] of Object.entries(RUN_RESULTS_BY_COMMAND)) {
      const said = new RegExp(`\`${command}\`[^;]*`).exec(paragraph)?.[0] ?? "";
      for (const result of results) expect(said, command).toContain(`\`${result}\``);
    }
  });

  test("its sample output is what the renderer writes, and covers every metric", () => {
    const block = /A sample, generated[^\n]*\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const parsed = parseExposition(block ?? "");
    expect([...parsed.order].sort()).toEqual([...ALL_METRIC_NAMES].sort());
    const rendered =
      renderClusterMetrics(AFTER_DEFRAG_VIEW, "defrag", AFTER_DEFRAG_NOW) +
      renderRunMetrics(AFTER_DEFRAG_RUN);
    expect(block).toBe(rendered);
  });

  test("says which Talos releases take which form of Talos API access, and how Omni moves leadership", () => {
    expect(doc).toContain("(../examples/kubernetes/machine-config-patch.yaml)");
    expect(doc).toContain("(../examples/kubernetes/talos-api-access-config.yaml)");
    expect(doc).toMatch(/up to 1\.13 .*machine-config-patch\.yaml/);
    expect(doc).toMatch(/1\.14 and later .*talos-api-access-config\.yaml/);
    expect(doc).toMatch(/KubeTalosAPIAccessConfig/);
    const omni = doc.split("### Clusters managed by Omni")[1]?.split("\n## ")[0] ?? "";
    expect(omni).toMatch(/Omni 1\.5/);
    expect(omni).toMatch(/Admin/);
    expect(omni).toMatch(/--leader auto/);
  });
});
