import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRule, describeRule, type RuleVars } from "../../src/cluster/rule.js";
import { UserError } from "../../src/errors.js";
import { mutatedRule, soupRule, treeRule } from "./rule-arbitraries.js";

// Pieces that make near-valid rules likely, mixed with everything hostile a rule could try.
// biome-ignore format: a table reads better packed
const PIECES = [
  "dbSize", "dbSizeInUse", "dbSizeFree", "dbQuota", "dbQuotaUsage", "KB", "MB", "GB", "KiB", "MiB", "GiB",
  "0", "1", "0.5", ".5", "1e3", "200", "1.", " ", "\t", "\n", "+", "-", "*", "/", "%", "<", "<=", ">", ">=",
  "==", "!=", "===", "!==", "&&", "||", "!", "(", ")", "**", "&", "|", "^", "~", "<<", ">>", ">>>", "??",
  "?", ":", "=", ",", ";", "constructor", "__proto__", "prototype", "process", "globalThis", "this",
  "new X", "a.b", ".", "f()", "x=1", "`", `\`\${1}\``, "[", "]", "{", "}", "'", '"', "\\", "?.", "true",
  "null", "\u00e9", "\u0000", "\u2028",
];

const ruleLike = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((parts) => parts.join(""));
const anyText = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 30 }));
const number = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e9, 2 ** 31),
);
const vars: fc.Arbitrary<RuleVars> = fc.record({
  dbSize: number,
  dbSizeInUse: number,
  dbSizeFree: number,
  dbQuota: number,
  dbQuotaUsage: number,
});

/** Compile and evaluate; any outcome other than a boolean or a positioned UserError fails the property. */
function checkOutcome(source: string, values: RuleVars): void {
  let rule: ReturnType<typeof compileRule>;
  try {
    rule = compileRule(source);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const match = /^invalid --rule at position (\d+): ./.exec((error as UserError).message);
    expect(match).not.toBeNull();
    const position = Number(match?.[1]);
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThanOrEqual(source.length);
    expect((error as UserError).hint).toContain("^");
    return;
  }
  expect(typeof rule.evaluate(values)).toBe("boolean");
  expect(typeof describeRule(rule, values)).toBe("string");
}

function snapshotGlobals(): string[] {
  const names = (target: object) => Reflect.ownKeys(target).map(String).sort().join(",");
  return [
    names(Object.prototype),
    names(Function.prototype),
    names(Array.prototype),
    names(Number.prototype),
    names(String.prototype),
    names(globalThis),
  ];
}

describe("compileRule on arbitrary input", () => {
  it("either yields a rule that evaluates to a boolean, or throws a UserError with a position in the rule", () => {
    fc.assert(fc.property(fc.oneof(ruleLike, anyText, treeRule, mutatedRule, soupRule), vars, checkOutcome), {
      numRuns: 3000,
    });
  });

  it("accepts the well-formed rules it generates and evaluates them to booleans", () => {
    const operand = fc.constantFrom(
      "dbSize",
      "dbSizeInUse",
      "dbSizeFree",
      "dbQuota",
      "dbQuotaUsage",
      "2",
      "0.5",
      "MiB",
    );
    const arithmetic = fc
      .tuple(operand, fc.constantFrom("+", "-", "*", "/", "%"), operand)
      .map((p) => p.join(" "));
    const comparison = fc
      .tuple(fc.oneof(operand, arithmetic), fc.constantFrom("<", "<=", ">", ">=", "==", "!="), operand)
      .map(([l, op, r]) => `(${l}) ${op} ${r}`);
    const rule = fc.array(comparison, { minLength: 1, maxLength: 4 }).chain((parts) =>
      fc
        .array(fc.constantFrom(" && ", " || ", " && !"), {
          minLength: parts.length - 1,
          maxLength: parts.length - 1,
        })
        .map((joins) =>
          parts.reduce((text, part, i) => (i === 0 ? part : `${text}${joins[i - 1]}(${part})`), ""),
        ),
    );
    fc.assert(
      fc.property(rule, vars, (source, values) => {
        expect(typeof compileRule(source).evaluate(values)).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("never reaches JavaScript: hostile rules leave the built-in prototypes and globals untouched", () => {
    const before = snapshotGlobals();
    // biome-ignore format: a table reads better packed
    const hostile = [
      "constructor", "__proto__", "dbSize.constructor", "dbSize['__proto__']", "f()", "x=1", `\`\${process}\``,
      "[1]", "new X", "this", "dbSize.constructor.constructor('return process')()",
      "__proto__.polluted = 1", "dbSize.__proto__.polluted = 1 > 0", "Object.prototype.polluted = 1",
    ];
    for (const source of hostile) expect(() => compileRule(source), source).toThrow(UserError);
    fc.assert(fc.property(ruleLike, vars, checkOutcome), { numRuns: 1000 });
    expect(snapshotGlobals()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("evaluates over a member object without a prototype, so it reads only the five variables", () => {
    const values = Object.assign(Object.create(null) as RuleVars, {
      dbSize: 1.5e9,
      dbSizeInUse: 47e6,
      dbSizeFree: 1.453e9,
      dbQuota: 2 ** 31,
      dbQuotaUsage: 0.7,
    });
    Object.freeze(values);
    const rule = compileRule("dbQuotaUsage > 0.8 || (dbSizeFree > 100*MiB && dbSizeInUse / dbSize < 0.5)");
    expect(rule.evaluate(values)).toBe(true);
    expect(describeRule(rule, values)).toContain("dbSizeFree 1.45 GB");
  });
});
