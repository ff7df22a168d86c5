/** The validated rule tree: only what the rule language allows, each node with its place in the source. */
import type { RuleVariable } from "./rule-names.js";

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";
export type ComparisonOp = "<" | "<=" | ">" | ">=" | "==" | "!=";
export type LogicalOp = "&&" | "||";
export type ValueType = "number" | "boolean";
/** Whether a number counts bytes, so an explanation can print it as "1.5 GB" instead of 1500000000. */
export type NumberUnit = "bytes" | "plain";

interface Span {
  /** First and one-past-last character of the node in the rule source, its own parentheses included. */
  start: number;
  end: number;
}

export type RuleNode =
  | (Span & { kind: "number"; value: number; unit: NumberUnit; type: "number" })
  | (Span & { kind: "variable"; name: RuleVariable; unit: NumberUnit; type: "number" })
  | (Span & { kind: "negate"; argument: RuleNode; unit: NumberUnit; type: "number" })
  | (Span & { kind: "not"; argument: RuleNode; type: "boolean" })
  | (Span & {
      kind: "arithmetic";
      op: ArithmeticOp;
      left: RuleNode;
      right: RuleNode;
      unit: NumberUnit;
      type: "number";
    })
  | (Span & { kind: "compare"; op: ComparisonOp; left: RuleNode; right: RuleNode; type: "boolean" })
  | (Span & { kind: "logical"; op: LogicalOp; left: RuleNode; right: RuleNode; type: "boolean" });

export const ARITHMETIC_OPS: ReadonlySet<string> = new Set(["+", "-", "*", "/", "%"]);
export const COMPARISON_OPS: ReadonlySet<string> = new Set(["<", "<=", ">", ">=", "==", "!="]);
export const LOGICAL_OPS: ReadonlySet<string> = new Set(["&&", "||"]);

export function unitOf(node: RuleNode): NumberUnit {
  return "unit" in node ? node.unit : "plain";
}

/** Dimension analysis, only good enough to choose how to print a number: bytes±bytes, bytes×n, bytes÷n. */
export function combineUnits(op: ArithmeticOp, left: NumberUnit, right: NumberUnit): NumberUnit {
  if (op === "+" || op === "-") return left === "bytes" || right === "bytes" ? "bytes" : "plain";
  if (op === "*") return (left === "bytes") !== (right === "bytes") ? "bytes" : "plain";
  if (op === "/") return left === "bytes" && right !== "bytes" ? "bytes" : "plain";
  return left;
}
