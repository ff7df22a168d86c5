import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { METRIC_PREFIX } from "../../src/metrics/exposition.js";
import { ALL_METRIC_NAMES } from "../../src/metrics/index.js";
import { parseExposition } from "../metrics/parse-exposition.js";

const doc = await readFile(new URL("../../docs/SCHEDULING.md", import.meta.url), "utf8");

describe("docs/SCHEDULING.md", () => {
  test("names only metrics the tool emits", () => {
    // A file name (talos_etcd_defrag_defrag.prom) is not a metric.
    const mentioned = new Set(doc.match(/\btalos_etcd_defrag_[a-z0-9_]+\b(?!\.prom)/g) ?? []);
    for (const name of mentioned) expect(ALL_METRIC_NAMES, `${name} in the doc`).toContain(name);
  });

  test("documents every metric the tool emits in its table", () => {
    for (const name of ALL_METRIC_NAMES) {
      expect(doc, `${name} missing from the table`).toContain(`\`${name.slice(METRIC_PREFIX.length)}\``);
    }
  });

  test("its sample output parses and covers every metric", () => {
    const block = /A sample, generated[^\n]*\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const parsed = parseExposition(block ?? "");
    expect([...parsed.order].sort()).toEqual([...ALL_METRIC_NAMES].sort());
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
