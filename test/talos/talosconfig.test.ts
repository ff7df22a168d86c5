/**
 * The talosconfig context's nodes and endpoints (read only to find another node to ask when the context's node is
 * a learner). Best effort, through a schema: a file or an entry of the wrong shape yields nothing or is dropped,
 * never an error (talosctl itself reports a broken talosconfig).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readContextAddresses } from "../../src/talos/talosconfig.js";
import { useTempDir } from "../support/temp-dir.js";

const dir = useTempDir("ted-talosconfig-");

async function addresses(yaml: string, options: { context?: string; endpoints?: string[] } = {}) {
  const path = join(dir(), "config");
  await writeFile(path, yaml);
  return readContextAddresses({ talosctl: "talosctl", nodes: [], talosconfig: path, ...options }, {});
}

const CONFIG = `context: prod
contexts:
  prod:
    endpoints: [10.5.0.2:50000, "[fd00::1]:50000"]
    nodes: [10.5.0.3, 10.5.0.4]
    ca: LS0t
    crt: LS0t
    key: LS0t
  lab:
    nodes: [192.168.1.10]
  broken: null
`;

describe("readContextAddresses", () => {
  it.each([
    [
      "the current context: nodes, then endpoint hosts",
      CONFIG,
      {},
      ["10.5.0.3", "10.5.0.4", "10.5.0.2", "fd00::1"],
    ],
    ["--context picks another", CONFIG, { context: "lab" }, ["192.168.1.10"]],
    [
      "-e endpoints come last",
      CONFIG,
      { context: "lab", endpoints: ["10.9.9.9"] },
      ["192.168.1.10", "10.9.9.9"],
    ],
    ["an unknown context: nothing", CONFIG, { context: "nope" }, []],
    ["a context that is null: nothing", CONFIG, { context: "broken" }, []],
    ["no current context: nothing", "contexts:\n  a:\n    nodes: [10.0.0.1]\n", {}, []],
    [
      "a current context that is not a name: nothing",
      "context: 5\ncontexts:\n  a:\n    nodes: [10.0.0.1]\n",
      {},
      [],
    ],
    [
      "a list that is not a list reads as empty, the other still counts",
      "context: a\ncontexts:\n  a:\n    nodes: 10.0.0.1\n    endpoints: [10.0.0.2]\n",
      {},
      ["10.0.0.2"],
    ],
    [
      "entries that are not strings or not addresses are dropped",
      "context: a\ncontexts:\n  a:\n    nodes: [10.0.0.1, 42, null, '-rf', 10.0.0.1]\n",
      {},
      ["10.0.0.1"],
    ],
    ["not YAML: nothing", "context: [a\n", {}, []],
    ["an empty file: nothing", "", {}, []],
    ["contexts that is a list: nothing", "context: a\ncontexts: [a]\n", {}, []],
  ])("%s", async (_what, yaml, options, expected) => {
    expect(await addresses(yaml, options)).toEqual(expected);
  });

  it("reads nothing from a file that does not exist", async () => {
    const target = { talosctl: "talosctl", nodes: [], talosconfig: join(dir(), "missing") };
    expect(await readContextAddresses(target, {})).toEqual([]);
  });
});
