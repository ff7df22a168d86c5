/** Loads files under examples/ for the tests that keep them honest. */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/", import.meta.url));

export function examplePath(relative: string): string {
  return `${EXAMPLES_DIR}${relative}`;
}

export async function readExample(relative: string): Promise<string> {
  return readFile(examplePath(relative), "utf8");
}

/** Every YAML document of a file as plain data; a syntax error anywhere fails the test that loads it. */
export async function readYamlDocuments(relative: string): Promise<unknown[]> {
  const documents = parseAllDocuments(await readExample(relative));
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${relative}: ${document.errors[0]?.message}`);
    return document.toJS() as unknown;
  });
}

/** Walks a path of keys/indices through parsed YAML, failing loudly instead of returning undefined. */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !(key in current)) {
      throw new Error(`missing ${path.join(".")} (stopped at ${String(key)})`);
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
