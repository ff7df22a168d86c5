/**
 * docs/CONTRACT.md keeps up with the code: every command and flag the program defines, every field name the JSON
 * documents carry and every value of their enumerations is named there. A new flag or field fails here until the
 * contract describes it (add fields freely, never rename: see the contract's first paragraph).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { buildProgram } from "../../src/cli/program.js";
import { EXIT } from "../../src/errors.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";

const CONTRACT = readFileSync("docs/CONTRACT.md", "utf8");
const NODES = "172.20.0.2,172.20.0.3,172.20.0.4,172.20.0.5,172.20.0.6";
/** Keys whose string values are enumerations scripts switch on. */
const ENUM_KEYS = new Set([
  "kind",
  "result",
  "outcome",
  "role",
  "action",
  "verdict",
  "status",
  "source",
  "alarm",
  "basis",
  "mode",
]);

function mentions(word: string): boolean {
  return new RegExp(`(^|[^\\w-])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`).test(CONTRACT);
}

/** Every command path (`alarms disarm`) and every long flag the commander program defines. */
function listCommandsAndFlags(): { commands: string[]; flags: string[] } {
  const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
  const program = buildProgram(rec.io, "0.0.0", { exitCode: EXIT.ok });
  const commands: string[] = [];
  const flags = new Set<string>();
  const walk = (command: Command, path: string[]) => {
    for (const option of command.options) if (option.long !== undefined) flags.add(option.long);
    for (const sub of command.commands) {
      const subPath = [...path, sub.name()];
      commands.push(subPath.join(" "));
      walk(sub, subPath);
    }
  };
  walk(program, []);
  return { commands, flags: [...flags] };
}

/** Every key of a JSON document, and `key=value` for the string values of enumeration keys. */
function collectNames(value: unknown, keys: Set<string>, enums: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectNames(item, keys, enums);
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, inner] of Object.entries(value)) {
    keys.add(key);
    if (ENUM_KEYS.has(key) && typeof inner === "string") enums.add(`${key}=${inner}`);
    collectNames(inner, keys, enums);
  }
}

async function runJson(release: string, scenario: string, command: string[]): Promise<unknown> {
  const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
  await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "json", ...command], rec.io);
  expect(rec.stdout(), `${release}/${scenario} ${command.join(" ")}: ${rec.stderr()}`).not.toBe("");
  return JSON.parse(rec.stdout());
}

const RUNS: [string, string, string[]][] = [
  ["v1.13", "learner", ["status"]],
  ["v1.14", "unreachable-1", ["status"]],
  ["v1.13", "nospace", ["status"]],
  ["v1.10", "no-leader", ["status"]],
  ["v1.14", "worker-node", ["status"]],
  ["v1.13", "nospace", ["check"]],
  ["v1.13", "learner", ["check"]],
  ["v1.14", "fragmented", ["plan"]],
  ["v1.13", "learner", ["plan", "--force", "--leader", "forfeit"]],
  ["v1.10", "no-leader", ["plan", "--force"]],
  ["v1.13", "nospace", ["alarms", "list"]],
  ["v1.13", "nospace", ["alarms", "disarm"]],
];

describe("docs/CONTRACT.md", () => {
  it("says it is the contract and that field names are never renamed", () => {
    expect(CONTRACT).toMatch(/This file is the contract/);
    expect(CONTRACT).toMatch(/never rename/);
  });

  it("names every command and every long flag of the program", () => {
    const { commands, flags } = listCommandsAndFlags();
    expect(commands).toEqual(expect.arrayContaining(["status", "defrag", "alarms disarm"]));
    expect(flags).toEqual(expect.arrayContaining(["--nodes", "--rule", "--no-snapshot"]));
    expect(commands.filter((c) => !CONTRACT.includes(c))).toEqual([]);
    expect(flags.filter((f) => !mentions(f))).toEqual([]);
  });

  it("names every field and enumeration value the JSON documents carry", async () => {
    const keys = new Set<string>();
    const enums = new Set<string>();
    for (const [release, scenario, command] of RUNS)
      collectNames(await runJson(release, scenario, command), keys, enums);
    expect(keys.size).toBeGreaterThan(40);
    expect([...keys].filter((k) => !mentions(k))).toEqual([]);
    expect([...enums].filter((e) => !mentions(e.split("=")[1] ?? ""))).toEqual([]);
  });

  it("would notice an undocumented field or flag", () => {
    expect(mentions("leaderTransferee")).toBe(true);
    expect(mentions("leaderTransfer")).toBe(false);
    expect(mentions("--no-snapshot")).toBe(true);
    expect(mentions("--snapshot")).toBe(false);
  });
});
