/**
 * The repository explains itself: nothing it tracks points at a file outside it (a machine path, a sibling
 * folder), every Markdown file it names exists, and every relative link in its Markdown resolves, anchors included.
 * The contract and the talosctl facts live in docs/CONTRACT.md and docs/TALOSCTL.md; see README "Documentation".
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/** This file names the forbidden paths and missing files on purpose, to show the checks can fail. */
const SELF = "test/docs/references.test.ts";

/** Every tracked text file but this one, with its content (binary files, holding a NUL byte, are left out). */
function readTrackedFiles(): { path: string; text: string }[] {
  const listing = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" });
  const paths = listing.split("\0").filter((p) => p !== "" && p !== SELF && existsSync(p));
  return paths
    .map((path) => ({ path, text: readFileSync(path, "utf8") }))
    .filter((file) => !file.text.includes("\0"));
}

const FILES = readTrackedFiles();
const MARKDOWN = FILES.filter((f) => f.path.endsWith(".md"));

/** Where a path named in `from` can point: relative to that file's folder, or to the repository root. */
function resolvesFrom(from: string, target: string): string | undefined {
  const candidates = [normalize(join(dirname(from), target)), normalize(target)];
  return candidates.find((c) => !c.startsWith("..") && existsSync(c));
}

/** GitHub's heading anchor: lower case, punctuation dropped (but - and _), each space a hyphen. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const headings = stripCodeBlocks(markdown)
    .split("\n")
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => slugOf(line.replace(/^#+ /, "")));
  return new Set(headings);
}

function stripCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "");
}

function withoutUrls(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s)>\]"'`]*/gi, "");
}

describe("references stay inside the repository", () => {
  it("reads the tracked files", () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(MARKDOWN.map((f) => f.path)).toEqual(
      expect.arrayContaining(["README.md", "docs/CONTRACT.md", "docs/TALOSCTL.md", "sim/README.md"]),
    );
  });

  it("names no path outside the repository (a sibling shared folder, a machine's work folder)", () => {
    const outside = ["../shared/", "/work/"];
    const found = FILES.flatMap((f) =>
      f.text
        .split("\n")
        .map((line, i) => ({ line, at: `${f.path}:${i + 1}` }))
        .filter(({ line }) => outside.some((p) => line.includes(p)))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it("names only Markdown files that exist, relative to the naming file or to the root", () => {
    const missing: string[] = [];
    let named = 0;
    for (const file of FILES) {
      for (const match of withoutUrls(file.text).matchAll(
        /(?<![\w./-])((?:\.{1,2}\/)*[\w-][\w.-]*(?:\/[\w.-]+)*\.md)(?![\w])/g,
      )) {
        named++;
        const target = match[1] ?? "";
        if (resolvesFrom(file.path, target) === undefined) missing.push(`${file.path}: ${target}`);
      }
    }
    expect(named).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it("has no Markdown link that does not resolve (files, folders and #anchors)", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of MARKDOWN) {
      for (const match of stripCodeBlocks(file.text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const link = match[1] ?? "";
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
        checked++;
        const [path = "", anchor] = link.split("#");
        const target = path === "" ? file.path : normalize(join(dirname(file.path), path));
        if (target.startsWith("..") || !existsSync(target)) {
          broken.push(`${file.path}: ${link} (no such file)`);
          continue;
        }
        if (anchor === undefined || !target.endsWith(".md") || statSync(target).isDirectory()) continue;
        if (!anchorsOf(readFileSync(target, "utf8")).has(anchor))
          broken.push(`${file.path}: ${link} (no such heading)`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});

describe("the checks above can fail", () => {
  it("finds a link to a missing file and a heading that does not exist", () => {
    expect(resolvesFrom("docs/FAULTS.md", "DESIGN.md")).toBeUndefined();
    expect(resolvesFrom("src/talos/client.ts", "TALOSCTL.md")).toBeUndefined();
    expect(resolvesFrom("fixtures/README.md", "../docs/TALOSCTL.md")).toBe("docs/TALOSCTL.md");
    expect(resolvesFrom("docs/FAULTS.md", "CONTRACT.md")).toBe("docs/CONTRACT.md");
    expect(anchorsOf("# Rule language\n## `status -o json`\n```\n# not a heading\n```\n")).toEqual(
      new Set(["rule-language", "status--o-json"]),
    );
  });
});
