/**
 * Explain a verdict in the terms of the rule: only the comparisons that decided it, each with the member's
 * values, e.g. `dbQuotaUsage 0.85 > 0.8` or `dbSizeFree 12 MB <= 100*MiB (105 MB)`.
 */
import { compareNumbers, evaluateBoolean, evaluateNumber, type RuleVars } from "./rule-eval.js";
import type { RuleNode } from "./rule-tree.js";
import { unitOf } from "./rule-tree.js";

// What a comparison that came out false states instead (NaN aside, which is named separately).
const NEGATED: Readonly<Record<string, string>> = {
  "<": ">=",
  "<=": ">",
  ">": "<=",
  ">=": "<",
  "==": "!=",
  "!=": "==",
};

export function explainVerdict(source: string, root: RuleNode, vars: RuleVars): string {
  return explainNode(source, root, vars);
}

function explainNode(source: string, node: RuleNode, vars: RuleVars): string {
  const verdict = evaluateBoolean(node, vars);
  switch (node.kind) {
    case "not":
      // The facts that make the argument false are the facts that make `!argument` true, and vice versa.
      return explainNode(source, node.argument, vars);
    case "logical": {
      const decidesAlone = node.op === "||" ? verdict : !verdict;
      const left = evaluateBoolean(node.left, vars);
      if (decidesAlone) return explainNode(source, left === verdict ? node.left : node.right, vars);
      return `${explainNode(source, node.left, vars)} and ${explainNode(source, node.right, vars)}`;
    }
    case "compare":
      return explainComparison(source, node, vars, verdict);
    default:
      return source.slice(node.start, node.end);
  }
}

function explainComparison(
  source: string,
  node: RuleNode & { kind: "compare" },
  vars: RuleVars,
  verdict: boolean,
) {
  if (node.left.type === "boolean") return `(${source.slice(node.start, node.end)}) is ${verdict}`;
  const left = evaluateNumber(node.left, vars);
  const right = evaluateNumber(node.right, vars);
  const bytes = unitOf(node.left) === "bytes" || unitOf(node.right) === "bytes";
  const show = (op: string) =>
    `${showSide(source, node.left, left, bytes)} ${op} ${showSide(source, node.right, right, bytes)}`;
  if (Number.isNaN(left) || Number.isNaN(right)) return `${show(node.op)} is ${verdict}: not a number`;
  const op = verdict ? node.op : (NEGATED[node.op] ?? node.op);
  // Guard against stating something untrue if the negation table and the evaluator ever disagree.
  return compareNumbers(op, left, right) ? show(op) : `${show(node.op)} is ${verdict}`;
}

function showSide(source: string, node: RuleNode, value: number, bytes: boolean): string {
  const text = source.slice(node.start, node.end);
  if (node.kind === "number" && /^[\d.eE+\-()\s]+$/.test(text)) return text;
  const shown = formatRuleNumber(value, bytes);
  return node.kind === "variable" ? `${text} ${shown}` : `${text} (${shown})`;
}

/** Sizes in decimal units as talosctl prints them, to 3 digits ("1.45 GB", "47 MB"); other numbers to 3 decimals. */
export function formatRuleNumber(value: number, bytes: boolean): string {
  if (!Number.isFinite(value)) return String(value);
  if (!bytes) return String(Number(value.toFixed(Math.abs(value) >= 1 ? 2 : 3)));
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let scaled = Math.abs(value);
  let unit = 0;
  while (scaled >= 1000 && unit < units.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  let rounded = Number(scaled.toPrecision(3));
  if (rounded >= 1000 && unit < units.length - 1) {
    rounded = Number((rounded / 1000).toPrecision(3));
    unit += 1;
  }
  return `${value < 0 ? "-" : ""}${rounded} ${units[unit]}`;
}
