/**
 * Split a rule into tokens for rule-parse.ts, the whole rule before any parsing, so a character or name the
 * language does not have is reported first, wherever it is. It rejects, with an exact position, every character
 * that could only start a construct the rule language does not have (member access, strings, assignment…).
 */
import { createRuleError, describeChar } from "./rule-error.js";
import { isAllowedName, suggestName } from "./rule-names.js";

export type TokenKind = "number" | "name" | "operator" | "open" | "close";

export interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

// JavaScript's expression operators (those jsep, the former parser, knew), longest first: `**` or `<<` is
// refused by name rather than split into two operators the language has.
const KNOWN_OPERATORS = "=== !== >>> == != <= >= && || ** << >> ?? < > + - * / % ! ~ | & ^".split(" ");
const ALLOWED_OPERATORS: ReadonlySet<string> = new Set(
  "=== !== == != <= >= && || < > + - * / % !".split(" "),
);
const OPERATOR_ADVICE: Readonly<Record<string, string>> = {
  "&": ' (did you mean "&&"?)',
  "|": ' (did you mean "||"?)',
  "**": "; multiply instead",
};

const PUNCTUATION_REASONS: Readonly<Record<string, string>> = {
  ".": "member access is not allowed",
  "[": "member access and arrays are not allowed",
  "]": "member access and arrays are not allowed",
  "?": "the conditional operator ?: is not allowed; combine conditions with && and ||",
  ":": "the conditional operator ?: is not allowed; combine conditions with && and ||",
  "=": 'assignment is not allowed (did you mean "=="?)',
  ",": "a rule is a single expression; commas are not allowed",
  ";": "a rule is a single expression; semicolons are not allowed",
  '"': "strings are not allowed",
  "'": "strings are not allowed",
  "`": "template strings are not allowed",
  "{": "objects and blocks are not allowed",
  "}": "objects and blocks are not allowed",
};

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y;
// White space is exactly these four, as it always was; anything else is an error.
const SPACE = /[ \t\n\r]+/y;
const NAME_CHAR = /[A-Za-z0-9_$.]/;

/** Split a rule into tokens, or throw a UserError pointing at the first character that cannot belong to one. */
export function scanRule(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const matchAt = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    return pattern.exec(source)?.[0];
  };
  while (at < source.length) {
    const space = matchAt(SPACE);
    if (space !== undefined) {
      at += space.length;
      continue;
    }
    const number = matchAt(NUMBER);
    if (number !== undefined) {
      const next = source.charAt(at + number.length);
      if (NAME_CHAR.test(next)) {
        const advice = sizeAdvice(number, source.slice(at + number.length));
        throw createRuleError(source, at, `malformed number ${JSON.stringify(number + next)}`, advice);
      }
      tokens.push({ kind: "number", text: number, position: at });
      at += number.length;
      continue;
    }
    const name = matchAt(NAME);
    if (name !== undefined) {
      checkName(source, name, at);
      tokens.push({ kind: "name", text: name, position: at });
      at += name.length;
      continue;
    }
    const char = source.charAt(at);
    if (char === "(" || char === ")") {
      if (char === "(" && endsOperand(tokens.at(-1))) {
        throw createRuleError(source, at, "function calls are not allowed");
      }
      tokens.push({ kind: char === "(" ? "open" : "close", text: char, position: at });
      at += 1;
      continue;
    }
    const operator = KNOWN_OPERATORS.find((op) => source.startsWith(op, at));
    if (operator !== undefined) {
      if (!ALLOWED_OPERATORS.has(operator)) {
        const advice = OPERATOR_ADVICE[operator] ?? "";
        throw createRuleError(source, at, `operator ${JSON.stringify(operator)} is not allowed${advice}`);
      }
      tokens.push({ kind: "operator", text: operator, position: at });
      at += operator.length;
      continue;
    }
    const reason = source.startsWith("?.", at)
      ? "member access is not allowed"
      : Object.hasOwn(PUNCTUATION_REASONS, char)
        ? PUNCTUATION_REASONS[char]
        : undefined;
    throw createRuleError(source, at, reason ?? `unexpected character ${describeChar(char)}`);
  }
  return tokens;
}

/**
 * A number run into a unit (`1GB`, `5MiB`, Kubernetes' `50Mi`) is a size written as `--quota` takes it. The rule
 * language has no size literals (docs/CONTRACT.md "Rule language" says why): say how to write it instead.
 */
const UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  k: "KB",
  kb: "KB",
  m: "MB",
  mb: "MB",
  g: "GB",
  gb: "GB",
  ki: "KiB",
  kib: "KiB",
  mi: "MiB",
  mib: "MiB",
  gi: "GiB",
  gib: "GiB",
};

function sizeAdvice(number: string, rest: string): string | undefined {
  const suffix = /^[A-Za-z]+/.exec(rest)?.[0];
  const unit = suffix === undefined ? undefined : UNIT_SPELLINGS[suffix.toLowerCase()];
  if (unit === undefined) return undefined;
  return `A size in a rule is a number times a unit: write ${number}*${unit} (KB MB GB are powers of 1000, KiB MiB GiB of 1024).`;
}

function checkName(source: string, name: string, at: number): void {
  if (isAllowedName(name)) return;
  const rest = source.slice(at + name.length).trimStart();
  if (rest.startsWith("(")) throw createRuleError(source, at, "function calls are not allowed");
  const suggestion = suggestName(name);
  const advice = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
  throw createRuleError(source, at, `unknown identifier ${JSON.stringify(name)}${advice}`);
}

function endsOperand(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === "number" || token.kind === "name" || token.kind === "close");
}
