/**
 * Parse a rule with jsep, then rebuild it as a RuleNode tree from a whitelist of node types, checking types on
 * the way (arithmetic -> number; comparison, &&, ||, ! -> boolean). jsep's nodes carry no positions, so the
 * walk consumes the scanner's tokens in source order alongside the AST and takes positions from them.
 */
import jsep from "jsep";
import { createRuleError } from "./rule-error.js";
import { isRuleVariable, RULE_CONSTANTS } from "./rule-names.js";
import { scanRule, type Token, type TokenKind } from "./rule-scan.js";
import {
  ARITHMETIC_OPS,
  type ArithmeticOp,
  COMPARISON_OPS,
  type ComparisonOp,
  combineUnits,
  LOGICAL_OPS,
  type LogicalOp,
  type RuleNode,
  unitOf,
} from "./rule-tree.js";

const TYPE_WORDS = { number: "a number", boolean: "true/false" } as const;

/** Parse and validate a rule; throw a UserError with the position of the first problem. */
export function parseRule(source: string): RuleNode {
  const tokens = scanRule(source);
  if (tokens.length === 0) throw createRuleError(source, 0, "the rule is empty");
  const builder = new TreeBuilder(source, tokens);
  const root = builder.build(parseWithJsep(source));
  builder.expectEnd();
  if (root.type !== "boolean") {
    throw createRuleError(
      source,
      root.start,
      'the rule must be true or false, but it computes a number; compare it, e.g. "dbSizeFree > 100*MiB"',
    );
  }
  return root;
}

function parseWithJsep(source: string): jsep.Expression {
  try {
    return jsep(source);
  } catch (error) {
    const { index, description } = error as { index?: unknown; description?: unknown };
    if (typeof index !== "number") throw error;
    const reason = typeof description === "string" ? description : String(error);
    throw createRuleError(source, index, reason.charAt(0).toLowerCase() + reason.slice(1));
  }
}

class TreeBuilder {
  private next = 0;
  private readonly openIndexes: number[] = [];

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  build(expr: jsep.Expression): RuleNode {
    // A run of "(" before a node may belong to it or to descendants on its left edge, e.g. `(a + b) * c`:
    // stack them, and after each node take the ")" that close an open from the run right before its first token.
    while (this.tokens[this.next]?.kind === "open") this.openIndexes.push(this.next++);
    let runStart = this.next;
    while (this.tokens[runStart - 1]?.kind === "open") runStart -= 1;
    let node = this.buildBare(expr);
    while (this.tokens[this.next]?.kind === "close" && (this.openIndexes.at(-1) ?? -1) >= runStart) {
      const open = this.tokens[this.openIndexes.pop() ?? -1];
      const close = this.take("close");
      node = { ...node, start: open?.position ?? node.start, end: close.position + 1 };
    }
    return node;
  }

  expectEnd(): void {
    const extra = this.tokens[this.next];
    if (extra !== undefined)
      throw new Error(`rule parser out of step with jsep at position ${extra?.position}`);
  }

  private buildBare(expr: jsep.Expression): RuleNode {
    switch (expr.type) {
      case "Literal":
        return this.buildNumber(expr as jsep.Literal);
      case "Identifier":
        return this.buildName(expr as jsep.Identifier);
      case "UnaryExpression":
        return this.buildUnary(expr as jsep.UnaryExpression);
      case "BinaryExpression":
        return this.buildBinary(expr as jsep.BinaryExpression);
      case "Compound":
      case "SequenceExpression": {
        const body =
          expr.type === "Compound"
            ? (expr as jsep.Compound).body
            : (expr as jsep.SequenceExpression).expressions;
        const [first, second] = body;
        if (first === undefined) throw this.errorHere("expected an expression");
        const node = this.build(first);
        if (second !== undefined) throw this.errorHere("expected an operator between two values");
        return node;
      }
      default:
        // The scanner already refuses every character that starts one of these; this is the second line.
        throw this.errorHere(`${expr.type} is not allowed`);
    }
  }

  private buildNumber(expr: jsep.Literal): RuleNode {
    const token = this.take("number");
    if (typeof expr.value !== "number")
      throw createRuleError(this.source, token.position, "only numbers are allowed");
    return { kind: "number", value: expr.value, unit: "plain", type: "number", ...this.spanOf(token) };
  }

  private buildName(expr: jsep.Identifier): RuleNode {
    const token = this.take("name", expr.name);
    const span = this.spanOf(token);
    if (isRuleVariable(expr.name)) {
      const unit = expr.name === "dbQuotaUsage" ? "plain" : "bytes";
      return { kind: "variable", name: expr.name, unit, type: "number", ...span };
    }
    const value = RULE_CONSTANTS.get(expr.name);
    if (value === undefined)
      throw createRuleError(this.source, token.position, `unknown identifier "${expr.name}"`);
    return { kind: "number", value, unit: "bytes", type: "number", ...span };
  }

  private buildUnary(expr: jsep.UnaryExpression): RuleNode {
    const token = this.take("operator", expr.operator);
    if (expr.operator !== "-" && expr.operator !== "!") {
      throw createRuleError(this.source, token.position, `unary "${expr.operator}" is not allowed`);
    }
    const argument = this.build(expr.argument);
    const span = { start: token.position, end: argument.end };
    if (expr.operator === "!") {
      this.requireType(argument, "boolean", '"!" needs true/false');
      return { kind: "not", argument, type: "boolean", ...span };
    }
    this.requireType(argument, "number", 'unary "-" needs a number');
    return { kind: "negate", argument, unit: unitOf(argument), type: "number", ...span };
  }

  private buildBinary(expr: jsep.BinaryExpression): RuleNode {
    const left = this.build(expr.left);
    const token = this.take("operator", expr.operator);
    // Everything is a float, so strict and loose equality mean the same here.
    const op = expr.operator === "===" ? "==" : expr.operator === "!==" ? "!=" : expr.operator;
    if (!ARITHMETIC_OPS.has(op) && !COMPARISON_OPS.has(op) && !LOGICAL_OPS.has(op)) {
      throw createRuleError(this.source, token.position, `operator "${op}" is not allowed`);
    }
    const right = this.build(expr.right);
    const span = { start: left.start, end: right.end };
    if (LOGICAL_OPS.has(op)) {
      this.requireSides(left, right, "boolean", `"${op}" needs true/false on both sides`);
      return { kind: "logical", op: op as LogicalOp, left, right, type: "boolean", ...span };
    }
    if (ARITHMETIC_OPS.has(op)) {
      this.requireSides(left, right, "number", `"${op}" needs numbers on both sides`);
      const unit = combineUnits(op as ArithmeticOp, unitOf(left), unitOf(right));
      return { kind: "arithmetic", op: op as ArithmeticOp, left, right, unit, type: "number", ...span };
    }
    if (op === "==" || op === "!=") {
      if (left.type !== right.type) {
        const reason = `cannot compare ${TYPE_WORDS[left.type]} with ${TYPE_WORDS[right.type]}`;
        throw createRuleError(this.source, right.start, reason);
      }
    } else {
      this.requireSides(left, right, "number", `"${op}" needs numbers on both sides`);
    }
    return { kind: "compare", op: op as ComparisonOp, left, right, type: "boolean", ...span };
  }

  private requireSides(left: RuleNode, right: RuleNode, type: RuleNode["type"], need: string): void {
    this.requireType(left, type, need, "its left side");
    this.requireType(right, type, need, "its right side");
  }

  private requireType(node: RuleNode, type: RuleNode["type"], need: string, subject?: string): void {
    if (node.type === type) return;
    const what = subject ?? JSON.stringify(this.source.slice(node.start, node.end));
    const advice = node.type === "number" ? '; compare it, e.g. "dbSizeFree > 100*MiB"' : "";
    throw createRuleError(
      this.source,
      node.start,
      `${need}, but ${what} is ${TYPE_WORDS[node.type]}${advice}`,
    );
  }

  private take(kind: TokenKind, text?: string): Token {
    const token = this.tokens[this.next];
    if (token === undefined || token.kind !== kind || (text !== undefined && token.text !== text)) {
      throw new Error(
        `rule parser out of step with jsep: wanted ${kind} ${text ?? ""} at token ${this.next}`,
      );
    }
    this.next += 1;
    return token;
  }

  private spanOf(token: Token): { start: number; end: number } {
    return { start: token.position, end: token.position + token.text.length };
  }

  private errorHere(reason: string) {
    const position = this.tokens[this.next]?.position ?? this.source.length;
    return createRuleError(this.source, position, reason);
  }
}
