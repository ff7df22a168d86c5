/**
 * Parse a rule in one pass over scanRule's tokens, by precedence climbing, into a checked RuleNode tree.
 * Grammar, precedence and messages are jsep's, which parsed rules before this parser did, so every rule keeps
 * its meaning (fixtures/rules/golden.jsonl holds what jsep made of generated rules): a prefix operator binds
 * tightest, then * / %, then + -, then < <= > >=, then == != === !==, then &&, then ||; all left-associative.
 * A syntax error is thrown where it is found. A type error is remembered and the first one thrown once the
 * whole rule has parsed, so a syntax error anywhere wins over it, as when jsep parsed before the tree was checked.
 */
import type { UserError } from "../errors.js";
import { createRuleError } from "./rule-error.js";
import { isRuleVariable, RULE_CONSTANTS } from "./rule-names.js";
import { scanRule, type Token } from "./rule-scan.js";
import {
  ARITHMETIC_OPS,
  type ArithmeticOp,
  type ComparisonOp,
  combineUnits,
  LOGICAL_OPS,
  type LogicalOp,
  type RuleNode,
  unitOf,
} from "./rule-tree.js";

const TYPE_WORDS = { number: "a number", boolean: "true/false" } as const;

// Binary operators from the loosest to the tightest binding. `!` alone is only a prefix operator.
const LEVELS = ["||", "&&", "== != === !==", "< <= > >=", "+ -", "* / %"].map((ops) => ops.split(" "));

/** Parse and validate a rule; throw a UserError with the position of the first problem. */
export function parseRule(source: string): RuleNode {
  const tokens = scanRule(source);
  if (tokens.length === 0) throw createRuleError(source, 0, "the rule is empty");
  return new RuleParser(source, tokens).parse();
}

class RuleParser {
  private next = 0;
  /** Where reading stopped when an operand was missing: at the next token, or just past an empty "()". */
  private stop = 0;
  private problem: UserError | undefined;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): RuleNode {
    const root = this.parseList();
    // Only a lone "()" gets here without a tree.
    if (root === undefined) throw createRuleError(this.source, this.stop - 1, "expected an expression");
    if (this.problem !== undefined) throw this.problem;
    if (root.type !== "boolean") {
      const reason =
        'the rule must be true or false, but it computes a number; compare it, e.g. "dbSizeFree > 100*MiB"';
      throw createRuleError(this.source, root.start, reason);
    }
    return root;
  }

  /**
   * Expressions one after another, at the top or inside "(" (whose inside starts at `from`). A value right after
   * a complete expression starts another one, which is parsed for syntax errors and then refused.
   */
  private parseList(from?: number): RuleNode | undefined {
    const first = this.parseBinary(0);
    if (first === undefined) {
      const token = this.tokens[this.next];
      // Like jsep, an empty group is quiet only when ")" follows "(" at once: `( )` is an unexpected ")".
      if (token === undefined || (token.kind === "close" && token.position === from)) return undefined;
      throw this.unexpected(token);
    }
    for (let token = this.tokens[this.next]; token !== undefined; token = this.tokens[this.next]) {
      if (token.kind === "close" && from !== undefined) break;
      if (token.kind === "close") throw this.unexpected(token);
      this.defer(token.position, "expected an operator between two values");
      if (this.parseBinary(0) === undefined) throw this.unexpected(token);
    }
    return first;
  }

  private parseBinary(minPrecedence: number): RuleNode | undefined {
    let left = this.parseOperand();
    while (left !== undefined) {
      const token = this.tokens[this.next];
      const precedence = LEVELS.findIndex((ops) => ops.includes(token?.text ?? ""));
      if (token === undefined || precedence < minPrecedence) break;
      this.next += 1;
      const right = this.parseBinary(precedence + 1);
      if (right === undefined) {
        throw createRuleError(this.source, this.stop, `expected expression after ${token.text}`);
      }
      left = this.combine(left, token.text, right);
    }
    return left;
  }

  private parseOperand(): RuleNode | undefined {
    const token = this.tokens[this.next];
    this.stop = token?.position ?? this.source.length;
    if (token === undefined) return undefined;
    switch (token.kind) {
      case "number":
        this.next += 1;
        return readLeaf(token);
      case "name":
        this.next += 1;
        return this.refuseMemberAccess(readLeaf(token));
      case "open": {
        const group = this.parseGroup(token);
        return group && this.refuseMemberAccess(group);
      }
      case "operator":
        return "-+!".includes(token.text.charAt(0)) ? this.parsePrefix(token) : undefined;
      default:
        return undefined;
    }
  }

  private parseGroup(open: Token): RuleNode | undefined {
    this.next += 1;
    const inner = this.parseList(open.position + 1);
    const close = this.tokens[this.next];
    if (close === undefined) throw createRuleError(this.source, this.source.length, "unclosed (");
    this.next += 1;
    this.stop = close.position + 1;
    return inner === undefined ? undefined : { ...inner, start: open.position, end: close.position + 1 };
  }

  /** The scanner refuses `x.y`, but `x.5` scans as a name and a number: jsep read member access there. */
  private refuseMemberAccess(node: RuleNode): RuleNode {
    const token = this.tokens[this.next];
    if (token?.kind !== "number" || !token.text.startsWith(".")) return node;
    throw createRuleError(this.source, token.position + 1, `unexpected ${token.text.charAt(1)}`);
  }

  private parsePrefix(token: Token): RuleNode {
    this.next += 1;
    // A prefix `!=` or `!==` reads as `!` with no operand at the `=`.
    if (token.text.length > 1)
      throw createRuleError(this.source, token.position + 1, "missing unaryOp argument");
    if (token.text === "+") this.defer(token.position, 'unary "+" is not allowed');
    const argument = this.parseOperand();
    if (argument === undefined) throw createRuleError(this.source, this.stop, "missing unaryOp argument");
    const span = { start: token.position, end: argument.end };
    if (token.text === "!") {
      this.requireType(argument, "boolean", '"!" needs true/false');
      return { kind: "not", argument, type: "boolean", ...span };
    }
    this.requireType(argument, "number", 'unary "-" needs a number');
    return { kind: "negate", argument, unit: unitOf(argument), type: "number", ...span };
  }

  private combine(left: RuleNode, text: string, right: RuleNode): RuleNode {
    // Everything is a float, so strict and loose equality mean the same here.
    const op = text === "===" ? "==" : text === "!==" ? "!=" : text;
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
    if (op !== "==" && op !== "!=") {
      this.requireSides(left, right, "number", `"${op}" needs numbers on both sides`);
    } else if (left.type !== right.type) {
      this.defer(right.start, `cannot compare ${TYPE_WORDS[left.type]} with ${TYPE_WORDS[right.type]}`);
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
    this.defer(node.start, `${need}, but ${what} is ${TYPE_WORDS[node.type]}${advice}`);
  }

  /** Keep the first type error: a syntax error found later in the rule still wins over it. */
  private defer(position: number, reason: string): void {
    this.problem ??= createRuleError(this.source, position, reason);
  }

  private unexpected(token: Token): UserError {
    return createRuleError(this.source, token.position, `unexpected "${token.text.charAt(0)}"`);
  }
}

function readLeaf({ kind, text, position }: Token): RuleNode {
  const common = { type: "number", start: position, end: position + text.length } as const;
  if (kind === "number") return { kind: "number", value: Number.parseFloat(text), unit: "plain", ...common };
  if (isRuleVariable(text)) {
    return { kind: "variable", name: text, unit: text === "dbQuotaUsage" ? "plain" : "bytes", ...common };
  }
  // The scanner lets through no other name than the variables and the units.
  return { kind: "number", value: RULE_CONSTANTS.get(text) ?? Number.NaN, unit: "bytes", ...common };
}
