/**
 * Records fixtures/rules/golden.jsonl: what the jsep-based parser made of a fixed sample of generated rules, so
 * the one-pass parser stays held to it once jsep is gone (test/cluster/rule-golden.test.ts). It needs
 * src/cluster/rule-parse-jsep.ts, so it was run once, before that file was removed:
 *   tsc -p tmp/tsconfig.record.json && node tmp/record/test/cluster/record-rule-golden.js fixtures/rules/golden.jsonl
 * with tmp/tsconfig.record.json extending tsconfig.base.json, outDir tmp/record, and this file as its only input.
 */
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { parseRule as parseRuleWithJsep } from "../../src/cluster/rule-parse-jsep.js";
import { arbitraryText, CORNER_RULES, mutatedRule, soupRule, treeRule } from "./rule-arbitraries.js";
import { recordOutcome } from "./rule-outcome.js";

const SEED = 20_240_612;
const sample = (rules: fc.Arbitrary<string>, numRuns: number) =>
  fc.sample(
    rules.filter((rule) => rule.length <= 120),
    { seed: SEED, numRuns },
  );

const rules = new Set([
  ...CORNER_RULES,
  ...sample(treeRule, 500),
  ...sample(mutatedRule, 300),
  ...sample(soupRule, 150),
  ...sample(arbitraryText, 30),
]);
const lines = [...rules].map((rule) => JSON.stringify(recordOutcome(parseRuleWithJsep, rule)));
const path = process.argv[2];
if (path === undefined) throw new Error("usage: record-rule-golden <output.jsonl>");
writeFileSync(path, `${lines.join("\n")}\n`);
console.log(`${lines.length} rules recorded in ${path}`);
