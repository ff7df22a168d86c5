/**
 * The README's textfile folder served by a real node-exporter (Debian's, as in the report that found the
 * collision): every series of every file must reach the scrape with its value, and node-exporter must log no
 * dropped series. The emulation in node-exporter-merge.ts states the same rules; this checks them for real.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { useTempDir } from "../support/temp-dir.js";
import { scrapeTextfileFolder, testWithNodeExporter } from "./node-exporter.js";
import { seriesKey } from "./node-exporter-merge.js";
import { parseExposition } from "./parse-exposition.js";
import { readmeSetup, runSetupIn } from "./readme-setup.js";

const tempDir = useTempDir("ted-node-exporter-");

/** Our series in a scrape, canonical key -> value (node-exporter sorts labels and prints Go floats). */
function ourSeries(text: string): Map<string, number> {
  const ours = text
    .split("\n")
    .filter((line) => line.startsWith("talos_etcd_defrag_") || line.startsWith("# "))
    .join("\n");
  const parsed = parseExposition(ours);
  return new Map([...parsed.samples].map(([key, value]) => [seriesKey(key), value]));
}

const DROPPED = /was collected before with the same name and label values|has help .* but should have/;

describe("node-exporter serving the README's textfile folder", () => {
  testWithNodeExporter("serves every series of every file, and drops none", async (binary) => {
    const dir = tempDir();
    const files = await runSetupIn(dir, readmeSetup());
    const written = new Map<string, number>();
    for (const text of Object.values(files))
      for (const [key, value] of ourSeries(text)) written.set(key, value);
    const scrape = await scrapeTextfileFolder(binary, dir);
    expect(scrape.log).not.toMatch(DROPPED);
    expect(scrape.body).toMatch(/^node_textfile_scrape_error 0$/m);
    expect(ourSeries(scrape.body)).toEqual(written);
    const total = Object.values(files).reduce((n, text) => n + ourSeries(text).size, 0);
    expect(written.size, "a series written to two files").toBe(total);
  });

  testWithNodeExporter(
    "the check can fail: a copy of a file under another name loses its series",
    async (binary) => {
      const dir = tempDir();
      const files = await runSetupIn(dir, readmeSetup());
      const [name, text] = Object.entries(files)[0] ?? ["", ""];
      await writeFile(join(dir, `copy-${name}`), text);
      const scrape = await scrapeTextfileFolder(binary, dir);
      expect(scrape.log).toMatch(DROPPED);
      // And Prometheus is told nothing: the scrape error gauge stays 0.
      expect(scrape.body).toMatch(/^node_textfile_scrape_error 0$/m);
    },
  );
});
