/**
 * What a parser makes of one rule, in a form that fits on one line of fixtures/rules/golden.jsonl: the refusal
 * (message with position), or the tree's shape (grouping decided by precedence) with the verdicts and the
 * explanations on a few fixed members (which also depend on each node's span and unit).
 */
import { explainVerdict } from "../../src/cluster/rule-describe.js";
import { evaluateBoolean, type RuleVars } from "../../src/cluster/rule-eval.js";
import type { RuleNode } from "../../src/cluster/rule-tree.js";
import { UserError } from "../../src/errors.js";

export type RuleOutcome =
  | { rule: string; refused: string }
  | { rule: string; tree: string; verdicts: boolean[]; explanations: string[] };

const QUOTA = 2 * 1024 ** 3;

/** Members that send rules down different branches: bloated, small and lean, empty (0/0 is NaN), near the quota. */
export const GOLDEN_MEMBERS: readonly RuleVars[] = [
  { dbSize: 1.5e9, dbSizeInUse: 47e6, dbSizeFree: 1.453e9, dbQuota: QUOTA, dbQuotaUsage: 0.698 },
  { dbSize: 17e6, dbSizeInUse: 4.6e6, dbSizeFree: 12.4e6, dbQuota: QUOTA, dbQuotaUsage: 0.0079 },
  { dbSize: 0, dbSizeInUse: 0, dbSizeFree: 0, dbQuota: 0, dbQuotaUsage: 0 },
  { dbSize: 2e9, dbSizeInUse: 1.9e9, dbSizeFree: 1e8, dbQuota: QUOTA, dbQuotaUsage: 0.93 },
];

export function recordOutcome(parse: (source: string) => RuleNode, rule: string): RuleOutcome {
  let tree: RuleNode;
  try {
    tree = parse(rule);
  } catch (error) {
    if (error instanceof UserError) return { rule, refused: error.message };
    throw error;
  }
  return {
    rule,
    tree: printTree(tree),
    verdicts: GOLDEN_MEMBERS.map((vars) => evaluateBoolean(tree, vars)),
    explanations: GOLDEN_MEMBERS.map((vars) => explainVerdict(rule, tree, vars)),
  };
}

/** The tree with every node in parentheses, operator first: `dbSize - 1 - 2` is `(- (- dbSize 1) 2)`. */
export function printTree(node: RuleNode): string {
  switch (node.kind) {
    case "number":
      return String(node.value);
    case "variable":
      return node.name;
    case "negate":
      return `(- ${printTree(node.argument)})`;
    case "not":
      return `(! ${printTree(node.argument)})`;
    default:
      return `(${node.op} ${printTree(node.left)} ${printTree(node.right)})`;
  }
}
