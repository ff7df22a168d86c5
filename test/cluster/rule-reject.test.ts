import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE } from "../../src/cluster/rule.js";
import { UserError } from "../../src/errors.js";

function rejectionOf(source: string): UserError {
  try {
    compileRule(source);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`rule was accepted: ${source}`);
}

function positionOf(error: UserError): number {
  const match = /^invalid --rule at position (\d+): /.exec(error.message);
  if (match?.[1] === undefined) throw new Error(`no position in: ${error.message}`);
  return Number(match[1]);
}

describe("compileRule rejects what the rule language does not have, pointing at it", () => {
  it.each([
    // names
    ["dbsize > 1", 0, 'unknown identifier "dbsize" (did you mean "dbSize"?)'],
    ["dbQuotaUsage > 0.8 || dbsize > 1", 22, 'unknown identifier "dbsize"'],
    ["dbSize > 100*mib", 13, '(did you mean "MiB"?)'],
    ["constructor", 0, 'unknown identifier "constructor"'],
    ["__proto__ > 1", 0, 'unknown identifier "__proto__"'],
    ["process.exit > 1", 0, 'unknown identifier "process"'],
    ["this > 1", 0, 'unknown identifier "this"'],
    ["new Date > 1", 0, 'unknown identifier "new"'],
    ["true", 0, 'unknown identifier "true"'],
    ["dbSize > toString", 9, 'unknown identifier "toString"'],
    // member access
    ["dbSize.constructor > 1", 6, "member access is not allowed"],
    ["dbSize ['constructor'] > 1", 7, "member access and arrays are not allowed"],
    ["dbSize?.x > 1", 6, "member access is not allowed"],
    ["dbSize > 1 .toString", 11, "member access is not allowed"],
    // calls
    ["f()", 0, "function calls are not allowed"],
    ["dbSize > eval ('1')", 9, "function calls are not allowed"],
    ["dbSize(1) > 0", 6, "function calls are not allowed"],
    ["(dbSize)(1) > 0", 8, "function calls are not allowed"],
    ["2 (3) > 0", 2, "function calls are not allowed"],
    // assignment, conditional, sequences, blocks
    ["dbSize = 1", 7, "assignment is not allowed"],
    ["dbSize == 1 ? 1 > 0 : 2 > 0", 12, "the conditional operator ?: is not allowed"],
    ["dbSize > 1; dbSize > 2", 10, "semicolons are not allowed"],
    ["dbSize > 1, 2 > 1", 10, "commas are not allowed"],
    ["dbSize > 1 dbSize > 2", 11, "expected an operator between two values"],
    ["dbSize > (1 2)", 12, "expected an operator between two values"],
    ["{} ", 0, "objects and blocks are not allowed"],
    // literals other than numbers
    ["[1] > 0", 0, "member access and arrays are not allowed"],
    ['dbSize > "1"', 9, "strings are not allowed"],
    ["dbSize > '1'", 9, "strings are not allowed"],
    [`dbSize > \`\${1}\``, 9, "template strings are not allowed"],
    ["1abc > 0", 0, 'malformed number "1a"'],
    ["dbSize > 1.5.2", 9, "malformed number"],
    ["dbSize > 0x10", 9, "malformed number"],
    ["dbSize > 1e", 9, "malformed number"],
    ["dbSize > \u00e9", 9, "unexpected character U+00E9"],
    ["dbSize >\u000b1", 8, "unexpected character U+000B"],
    ["dbSize > #1", 9, 'unexpected character "#"'],
    // operators outside the language
    ["dbSize ** 2 > 1", 7, 'operator "**" is not allowed; multiply instead'],
    ["dbSize > 1 & dbSize < 2", 11, '(did you mean "&&"?)'],
    ["dbSize > 1 | dbSize < 2", 11, '(did you mean "||"?)'],
    ["dbSize ?? 1", 7, 'operator "??" is not allowed'],
    ["dbSize << 1 > 0", 7, 'operator "<<" is not allowed'],
    ["~dbSize > 0", 0, 'operator "~" is not allowed'],
    ["+dbSize > 1", 0, 'unary "+" is not allowed'],
    // syntax errors, where reading stopped (messages as jsep, the former parser, worded them)
    ["", 0, "the rule is empty"],
    ["   ", 0, "the rule is empty"],
    ["dbSize >", 8, "expected expression after >"],
    ["dbSize > 1)", 10, 'unexpected ")"'],
    ["(dbSize > 1", 11, "unclosed ("],
    ["()", 1, "expected an expression"],
  ])("%j at %i: %s", (source, position, reason) => {
    const error = rejectionOf(source);
    expect(positionOf(error)).toBe(position);
    expect(error.message).toContain(reason);
    expect(error.exitCode).toBe(2);
  });
});

describe("compileRule rejects a rule that is not true or false", () => {
  it.each([
    ["dbSize", 0, "the rule must be true or false, but it computes a number"],
    ["dbSize - dbSizeInUse", 0, "the rule must be true or false"],
    ["(dbSize * 2)", 0, "the rule must be true or false"],
    [
      "dbQuotaUsage > 0.8 || dbSize",
      22,
      '"||" needs true/false on both sides, but its right side is a number',
    ],
    ["dbSize && 1 > 0", 0, '"&&" needs true/false on both sides, but its left side is a number'],
    ["(1 > 0) + 1 > 0", 0, '"+" needs numbers on both sides, but its left side is true/false'],
    ["1 < 2 < 3", 0, '"<" needs numbers on both sides, but its left side is true/false'],
    ["!dbSize > 2", 1, '"!" needs true/false, but "dbSize" is a number'],
    ["-(1 > 0) < 1", 1, 'unary "-" needs a number, but "(1 > 0)" is true/false'],
    ["1 > 0 == 1", 9, "cannot compare true/false with a number"],
    ["1 == (1 > 0)", 5, "cannot compare a number with true/false"],
  ])("%j at %i: %s", (source, position, reason) => {
    const error = rejectionOf(source);
    expect(positionOf(error)).toBe(position);
    expect(error.message).toContain(reason);
  });
});

describe("the error for a bad --rule", () => {
  it("is a UserError whose hint shows the rule with a caret under the position and the allowed names", () => {
    const source = "dbQuotaUsage > 0.8 || dbsize > 1";
    const error = rejectionOf(source);
    expect(error.message).toBe(
      'invalid --rule at position 22: unknown identifier "dbsize" (did you mean "dbSize"?)',
    );
    const [shown, caret, allowed] = (error.hint ?? "").split("\n");
    expect(shown).toBe(`  ${source}`);
    expect(caret).toBe(`${" ".repeat(2 + 22)}^`);
    for (const name of [
      "dbSize",
      "dbSizeInUse",
      "dbSizeFree",
      "dbQuota",
      "dbQuotaUsage",
      "KiB",
      "MiB",
      "GiB",
      "KB",
    ]) {
      expect(allowed).toContain(name);
    }
  });

  it("keeps the caret aligned and the terminal safe when the rule holds control characters", () => {
    const error = rejectionOf("\t\u001b[31m > 1");
    expect(positionOf(error)).toBe(1);
    const [shown, caret] = (error.hint ?? "").split("\n");
    expect(shown).toBe("    [31m > 1");
    expect(caret).toBe("   ^");
  });

  it("is not raised by the default rule", () => {
    expect(() => compileRule(DEFAULT_RULE)).not.toThrow();
  });
});
