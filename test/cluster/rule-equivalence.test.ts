/**
 * The one-pass parser against the jsep-based one it replaces: on every generated rule both must accept or both
 * refuse; a refusal must carry the same message (so the same position) and hint; an acceptance must build the
 * same tree (same operators, grouping, spans and units), hence the same verdicts and the same explanations.
 * This test lives only as long as both parsers do; fixtures/rules/golden.jsonl keeps jsep's answers after.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { explainVerdict } from "../../src/cluster/rule-describe.js";
import { evaluateBoolean } from "../../src/cluster/rule-eval.js";
import { parseRule } from "../../src/cluster/rule-parse.js";
import { parseRule as parseRuleWithJsep } from "../../src/cluster/rule-parse-jsep.js";
import type { RuleNode } from "../../src/cluster/rule-tree.js";
import { UserError } from "../../src/errors.js";
import {
  arbitraryText,
  CORNER_RULES,
  mutatedRule,
  ruleVars,
  soupRule,
  treeRule,
} from "./rule-arbitraries.js";

type Outcome = { tree: RuleNode } | { refused: string; hint: string | undefined } | { crashed: string };

function outcomeOf(parse: (source: string) => RuleNode, source: string): Outcome {
  try {
    return { tree: parse(source) };
  } catch (error) {
    if (error instanceof UserError) return { refused: error.message, hint: error.hint };
    return { crashed: String(error) };
  }
}

/** How often each generator reached each outcome, so the test fails if a generator stops reaching its targets. */
const tally = new Map<string, Map<string, number>>();

function checkSame(generator: string, source: string): void {
  const before = outcomeOf(parseRuleWithJsep, source);
  const after = outcomeOf(parseRule, source);
  expect(after, JSON.stringify(source)).toEqual(before);
  const counts = tally.get(generator) ?? new Map<string, number>();
  tally.set(generator, counts);
  const kind = "tree" in before ? "accepted" : "refused" in before ? kindOf(before.refused) : "crashed";
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

/** A refusal without its position and quoted text, e.g. `unknown identifier …`. */
function kindOf(message: string): string {
  return message
    .replace(/^[^:]*: /, "")
    .replace(/"[^"]*"|U\+\w+/g, "…")
    .replace(/ after .*/, " after …");
}

describe("the one-pass rule parser reads every rule as jsep did", () => {
  it.each(CORNER_RULES)("%j", (source) => {
    checkSame("corner", source);
  });

  it.each([
    ["trees of well- and ill-typed expressions", treeRule, 4000],
    ["single-character mutations of those trees", mutatedRule, 4000],
    ["token soup", soupRule, 4000],
    ["arbitrary text", arbitraryText, 1000],
  ] as const)("on %s", (name, rules, numRuns) => {
    fc.assert(
      fc.property(rules, (source) => checkSame(name, source)),
      { numRuns },
    );
  });

  it("gives the same verdicts and explanations on random members", () => {
    fc.assert(
      fc.property(treeRule, fc.array(ruleVars, { minLength: 1, maxLength: 5 }), (source, members) => {
        const before = outcomeOf(parseRuleWithJsep, source);
        const after = outcomeOf(parseRule, source);
        if (!("tree" in before) || !("tree" in after)) return;
        for (const vars of members) {
          expect(evaluateBoolean(after.tree, vars)).toBe(evaluateBoolean(before.tree, vars));
          expect(explainVerdict(source, after.tree, vars)).toBe(explainVerdict(source, before.tree, vars));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reached what each generator is meant to reach", () => {
    if (process.env.RULE_TALLY) console.log(tally);
    const count = (generator: string, kind: string) => tally.get(generator)?.get(kind) ?? 0;
    const kinds = (generator: string) => tally.get(generator)?.size ?? 0;
    expect(count("trees of well- and ill-typed expressions", "accepted")).toBeGreaterThan(1500);
    // Every type error (and the whole rule being a number) from the trees alone.
    expect(kinds("trees of well- and ill-typed expressions")).toBe(10);
    expect(kinds("single-character mutations of those trees")).toBeGreaterThan(25);
    expect(kinds("token soup")).toBeGreaterThan(20);
    // jsep's own syntax errors, found by the random generators and not only by the corners above.
    for (const kind of [
      "unexpected …",
      "unclosed (",
      "expected expression after …",
      "missing unaryOp argument",
      "expected an operator between two values",
    ]) {
      expect(
        count("single-character mutations of those trees", kind) + count("token soup", kind),
        kind,
      ).toBeGreaterThan(5);
    }
  });
});
