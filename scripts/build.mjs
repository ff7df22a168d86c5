#!/usr/bin/env node
/**
 * Builds dist/, the CLI that bin/talos-etcd-defrag.js runs and the package ships: src/ bundled by esbuild into
 * a few ES modules. Why a bundle: every ES module costs a start about 1 ms to resolve, read and compile, and
 * `status` loaded about 45 of ours plus the files of commander, yaml and signal-exit (BENCHMARKS.md, "Cold
 * start"). Code splitting keeps each lazy `import()` in src/ a chunk of its own, so `--help` still loads no
 * command code, `status` never loads the defrag executor, and yaml loads only when a YAML text is parsed.
 * Type checking stays with tsc: `npm run build` runs `tsc -p tsconfig.build.json` (no emit) first.
 *
 * - The runtime libraries are bundled too: measured faster than loading them from node_modules (commander alone
 *   is a dozen CommonJS files), and the package then needs no dependencies at run time. Their licences go to
 *   dist/THIRD-PARTY-LICENSES.txt.
 * - The version is embedded (PACKAGE_VERSION, see src/cli/version.ts): no package.json read at start.
 * - Entry points keep their source paths: dist/cli/main.js (what the launcher imports) and dist/talos/runner.js
 *   (test/talos/runner.test.ts runs it in a child process; execa and signal-exit are bundled into it, and the CLI
 *   imports it lazily on the first talosctl call); shared and lazy code is dist/chunks/*.js.
 * - yaml comes from its own ES module build (the one its package.json exports to non-Node platforms; the same
 *   code, but warnings go to console.warn instead of process.emitWarning): importing it measured ~2 ms less than
 *   esbuild's wrapping of the CommonJS build, and unused parts are left out.
 * - Not minified: stack traces of an internal error stay readable, and minifying saved no measurable time.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Resolves `yaml` to the package's ES module build instead of its CommonJS one (see the header). */
const yamlAsEsm = {
  name: "yaml-as-esm",
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(root, "node_modules/yaml/browser/index.js") }));
  },
};

// Old chunks have other hashed names: start from an empty folder so nothing stale is shipped.
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { "cli/main": "src/cli/main.ts", "talos/runner": "src/talos/runner.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  // commander and yaml are CommonJS; esbuild's wrapper needs a real `require` for the node: modules they load.
  banner: {
    js: 'import { createRequire as __tedRequire } from "node:module"; const require = __tedRequire(import.meta.url);',
  },
  define: { PACKAGE_VERSION: JSON.stringify(pkg.version) },
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: "warning",
  plugins: [yamlAsEsm],
});

/** The licence text of every package bundled into dist/, from the package's own folder. */
function thirdPartyLicenses(inputs) {
  const packages = new Set();
  for (const input of inputs) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  return [...packages].sort().map((name) => {
    const dir = join(root, "node_modules", name);
    const { version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    // LICENSE, license, LICENCE.txt, LICENSE-MIT.txt (emoji-regex, under cli-table3).
    const file = readdirSync(dir).find((f) => /^licen[cs]e([-.]\w+)*$/i.test(f));
    if (file === undefined) throw new Error(`no licence file in ${dir}: cannot ship it bundled`);
    return `${name}@${version} (${license})\n\n${readFileSync(join(dir, file), "utf8").trim()}\n`;
  });
}

const notices = thirdPartyLicenses(Object.keys(result.metafile.inputs));
writeFileSync(
  join(outdir, "THIRD-PARTY-LICENSES.txt"),
  `talos-etcd-defrag's dist/ bundles these packages:\n\n${notices.join(`\n${"-".repeat(78)}\n\n`)}`,
);
