/**
 * The defrag rule language (docs/CONTRACT.md "Rule language"): ahrtr/etcd-defrag's syntax, so its documented rule
 * `dbQuotaUsage > 0.8 || dbSize - dbSizeInUse > 200*1024*1024` works verbatim. A rule is scanned, parsed into
 * a tree of the few node types the language has and type-checked once, at start-up; evaluating it is a plain
 * tree walk.
 */
import { DEFAULT_RULE } from "../policy.js";
import { explainVerdict, formatRuleNumber } from "./rule-describe.js";
import { evaluateBoolean, type RuleVars } from "./rule-eval.js";
import { parseRule } from "./rule-parse.js";
import type { RuleNode } from "./rule-tree.js";

export type { RuleVars } from "./rule-eval.js";
export { RULE_CONSTANTS, RULE_VARIABLES } from "./rule-names.js";

export { DEFAULT_RULE };

export interface CompiledRule {
  source: string;
  evaluate(vars: RuleVars): boolean;
}

// The validated tree stays private to this module; describeRule finds it again through the compiled rule.
const trees = new WeakMap<CompiledRule, RuleNode>();

/** Parse and check a rule. Throws UserError (exit 2) pointing at the position of the first problem. */
export function compileRule(source: string): CompiledRule {
  const tree = parseRule(source);
  const rule: CompiledRule = Object.freeze({
    source,
    evaluate: (vars: RuleVars) => evaluateBoolean(tree, vars),
  });
  trees.set(rule, tree);
  return rule;
}

/**
 * A short reason for the rule's verdict on one member, for plan steps and `status`: the comparisons that
 * decided it, with the member's values. A rule not made by compileRule gets its source and all values.
 */
export function describeRule(rule: CompiledRule, vars: RuleVars): string {
  const tree = trees.get(rule);
  if (tree !== undefined) return explainVerdict(rule.source, tree, vars);
  const verdict = rule.evaluate(vars) ? "true" : "false";
  return `${rule.source} is ${verdict} for ${formatRuleVars(vars)}`;
}

/** The member's values as a rule sees them, e.g. `dbSize=1.5 GB, inUse=47 MB, free=1.5 GB, quota use=0.7`. */
export function formatRuleVars(vars: RuleVars): string {
  return [
    `dbSize=${formatRuleNumber(vars.dbSize, true)}`,
    `inUse=${formatRuleNumber(vars.dbSizeInUse, true)}`,
    `free=${formatRuleNumber(vars.dbSizeFree, true)}`,
    `quota=${formatRuleNumber(vars.dbQuota, true)}`,
    `quota use=${formatRuleNumber(vars.dbQuotaUsage, false)}`,
  ].join(", ");
}
