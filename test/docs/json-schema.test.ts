/**
 * docs/schema/*.schema.json are what `npm run schema` writes from the zod schemas (src/schema/): a schema changed
 * without regenerating them, or a file left over from a document that is gone, fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DOCUMENTS, jsonSchemaFiles, SCHEMA_VERSION } from "../../src/schema/index.js";

const DIR = "docs/schema";

describe("docs/schema/", () => {
  const files = jsonSchemaFiles();

  it("holds one JSON Schema per document, and nothing else", () => {
    expect(files).toHaveLength(Object.keys(DOCUMENTS).length);
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".json"))
        .sort(),
    ).toEqual(files.map((f) => f.file).sort());
  });

  it.each(files.map((f) => [f.file, f.text] as const))(
    "%s is current (else: npm run schema)",
    (file, text) => {
      expect(readFileSync(`${DIR}/${file}`, "utf8"), `docs/schema/${file} is stale: run npm run schema`).toBe(
        text,
      );
    },
  );

  it.each(files.map((f) => [f.file, f.text] as const))(
    "%s is strict and pins schemaVersion",
    (_file, text) => {
      // Every object of every document refuses unknown keys; the version is a constant a script can check.
      expect(text).not.toMatch(/"additionalProperties": \{\}/);
      expect(text).toContain('"additionalProperties": false');
      expect(text).toContain(`"const": ${SCHEMA_VERSION}`);
    },
  );

  it("is linked from the contract", () => {
    const contract = readFileSync("docs/CONTRACT.md", "utf8");
    for (const { file } of files) expect(contract).toContain(`schema/${file}`);
  });
});
