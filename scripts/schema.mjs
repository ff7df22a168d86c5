#!/usr/bin/env node
/**
 * `npm run schema`: writes docs/schema/<document>.schema.json from the zod schemas in src/schema/ (zod's own
 * z.toJSONSchema; see jsonSchemaFiles in src/schema/index.ts), and removes a *.schema.json no schema makes any
 * more. test/docs/json-schema.test.ts fails when the committed files differ from what this writes.
 * src/schema/ is TypeScript: esbuild bundles it into a temporary module first (no build of the CLI needed).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "docs", "schema");
const temp = mkdtempSync(join(tmpdir(), "ted-schema-"));
try {
  const bundle = join(temp, "schema.mjs");
  await build({
    absWorkingDir: root,
    entryPoints: ["src/schema/index.ts"],
    outfile: bundle,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
  const { jsonSchemaFiles } = await import(pathToFileURL(bundle).href);
  const files = jsonSchemaFiles();
  mkdirSync(outdir, { recursive: true });
  const wanted = new Set(files.map((f) => f.file));
  for (const old of readdirSync(outdir))
    if (old.endsWith(".schema.json") && !wanted.has(old)) rmSync(join(outdir, old));
  for (const { file, text } of files) writeFileSync(join(outdir, file), text);
  process.stdout.write(`wrote ${files.length} files to docs/schema/: ${[...wanted].join(", ")}\n`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
