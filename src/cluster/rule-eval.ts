/**
 * Evaluate a validated rule tree with plain JavaScript arithmetic: no eval, no Function, no property lookup
 * by a name taken from the rule. Everything is a float, so `dbSizeInUse / dbSize` is a ratio, never 0.
 * Division by zero follows IEEE 754 as is: x/0 is Infinity (so `free / 0 > 1` is true) and 0/0 is NaN, and
 * every comparison with NaN is false, except `!=`. A rule over a member with no size therefore tends to
 * say "no defrag", which is the safe side.
 */
import type { RuleVariable } from "./rule-names.js";
import type { RuleNode } from "./rule-tree.js";

export interface RuleVars {
  dbSize: number;
  dbSizeInUse: number;
  dbSizeFree: number;
  dbQuota: number;
  dbQuotaUsage: number;
}

export function evaluateBoolean(node: RuleNode, vars: RuleVars): boolean {
  switch (node.kind) {
    case "not":
      return !evaluateBoolean(node.argument, vars);
    case "logical":
      return node.op === "&&"
        ? evaluateBoolean(node.left, vars) && evaluateBoolean(node.right, vars)
        : evaluateBoolean(node.left, vars) || evaluateBoolean(node.right, vars);
    case "compare":
      return node.left.type === "boolean"
        ? compareBooleans(node.op, evaluateBoolean(node.left, vars), evaluateBoolean(node.right, vars))
        : compareNumbers(node.op, evaluateNumber(node.left, vars), evaluateNumber(node.right, vars));
    default:
      throw new Error(`rule node ${node.kind} is not boolean`);
  }
}

export function evaluateNumber(node: RuleNode, vars: RuleVars): number {
  switch (node.kind) {
    case "number":
      return node.value;
    case "variable":
      return readVariable(node.name, vars);
    case "negate":
      return -evaluateNumber(node.argument, vars);
    case "arithmetic":
      return applyArithmetic(node.op, evaluateNumber(node.left, vars), evaluateNumber(node.right, vars));
    default:
      throw new Error(`rule node ${node.kind} is not a number`);
  }
}

export function readVariable(name: RuleVariable, vars: RuleVars): number {
  switch (name) {
    case "dbSize":
      return vars.dbSize;
    case "dbSizeInUse":
      return vars.dbSizeInUse;
    case "dbSizeFree":
      return vars.dbSizeFree;
    case "dbQuota":
      return vars.dbQuota;
    case "dbQuotaUsage":
      return vars.dbQuotaUsage;
  }
}

function applyArithmetic(op: string, left: number, right: number): number {
  switch (op) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return left / right;
    default:
      return left % right;
  }
}

export function compareNumbers(op: string, left: number, right: number): boolean {
  switch (op) {
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "==":
      return left === right;
    default:
      return left !== right;
  }
}

function compareBooleans(op: string, left: boolean, right: boolean): boolean {
  return op === "==" ? left === right : left !== right;
}
