/**
 * The rule parser against fixtures/rules/golden.jsonl: what the jsep-based parser, which the one-pass parser
 * replaced, made of about a thousand generated rules (see record-rule-golden.ts). Each must still be refused
 * with the same message and position, or read into the same tree with the same verdicts and explanations.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRule } from "../../src/cluster/rule-parse.js";
import { type RuleOutcome, recordOutcome } from "./rule-outcome.js";

const GOLDEN = new URL("../../fixtures/rules/golden.jsonl", import.meta.url);

function loadGolden(): RuleOutcome[] {
  return readFileSync(GOLDEN, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as RuleOutcome);
}

describe("the rule parser keeps jsep's reading of every rule in the golden table", () => {
  const golden = loadGolden();

  it("holds both accepted and refused rules, enough of each to mean something", () => {
    expect(golden.filter((entry) => "tree" in entry).length).toBeGreaterThan(250);
    expect(golden.filter((entry) => "refused" in entry).length).toBeGreaterThan(500);
  });

  it("gives each rule the recorded outcome", () => {
    const differences = golden.filter((entry) => {
      const now = recordOutcome(parseRule, entry.rule);
      return JSON.stringify(now) !== JSON.stringify(entry);
    });
    // Show the first few differences in full rather than a count.
    expect(differences.slice(0, 5).map((entry) => recordOutcome(parseRule, entry.rule))).toEqual(
      differences.slice(0, 5),
    );
    expect(differences).toHaveLength(0);
  });
});
