/**
 * Generators of rule text for the parser's property tests: well-typed and ill-typed expression trees printed
 * with and without parentheses (so precedence decides their meaning), single-character mutations of those, token
 * soup from the language's alphabet and beyond it, and arbitrary strings.
 */
import fc from "fast-check";
import type { RuleVars } from "../../src/cluster/rule.js";

const VARIABLES = ["dbSize", "dbSizeInUse", "dbSizeFree", "dbQuota", "dbQuotaUsage"];
const UNITS = ["KB", "MB", "GB", "KiB", "MiB", "GiB"];
// Number forms the scanner accepts, and forms it refuses.
const GOOD_NUMBERS = ["0", "1", "2", "7", "0.5", ".5", "1.", "1e3", "1E-3", "2.5e+2", "1.e5", "00", "100"];
const BAD_NUMBERS = ["0x10", "1e", "1e+", "1_0", "1.5.2", "1..2", ".", "..5", "5.e", "0b1", "1n"];
const ARITHMETIC = ["+", "-", "*", "/", "%"];
const COMPARISON = ["<", "<=", ">", ">=", "==", "!=", "===", "!=="];
const LOGICAL = ["&&", "||"];
const FOREIGN_OPERATORS = ["**", "&", "|", "^", "~", "<<", ">>", ">>>", "??", "=", "=>", "?.", "?", ":"];
const NAMES_OUTSIDE = [
  "dbsize",
  "mib",
  "x",
  "true",
  "null",
  "this",
  "constructor",
  "__proto__",
  "_",
  "$",
  "a1",
];
const PUNCTUATION = [".", "[", "]", ",", ";", '"', "'", "`", "{", "}", "#", "@", "\\"];
const SPACES = ["", " ", " ", " ", "\t", "\n", "\r", "  "];
const ODD_SPACES = ["\u000b", "\u00a0", "\u2028", "\f"];
const UNICODE = ["\u00e9", "\u{1f600}", "\u0000", "\uff44", "\u0301", "\u200b"];

const space = fc.constantFrom(...SPACES);

/** A leaf of a number expression: a variable, a unit or a literal, sometimes negated. */
const numberLeaf = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VARIABLES) },
  { weight: 1, arbitrary: fc.constantFrom(...UNITS) },
  { weight: 2, arbitrary: fc.constantFrom(...GOOD_NUMBERS) },
);

/** Join a compound's parts, and wrap it in parentheses or leave precedence to decide what it means. */
function printJoin(parts: string[], wrap: boolean): string {
  return wrap ? `(${parts.join("")})` : parts.join("");
}

const SHAPE = { depthSize: "small", maxDepth: 5, withCrossShrink: true } as const;

// Every side is now and then of the wrong type, so type errors, and the order they are found in, are tested too.
const trees = fc.letrec<{ num: string; bool: string; numSide: string; boolSide: string }>((tie) => ({
  num: fc.oneof(
    SHAPE,
    { weight: 4, arbitrary: numberLeaf },
    fc.tuple(space, tie("numSide"), fc.boolean()).map(([s, arg, wrap]) => printJoin(["-", s, arg], wrap)),
    binaryOf(tie("numSide"), ARITHMETIC),
  ),
  bool: fc.oneof(
    SHAPE,
    { weight: 3, arbitrary: binaryOf(tie("numSide"), COMPARISON) },
    binaryOf(tie("boolSide"), ["==", "!=", "===", "!=="]),
    fc.tuple(space, tie("boolSide"), fc.boolean()).map(([s, arg, wrap]) => printJoin(["!", s, arg], wrap)),
    binaryOf(tie("boolSide"), LOGICAL),
  ),
  numSide: fc.oneof({ weight: 12, arbitrary: tie("num") }, { weight: 1, arbitrary: tie("bool") }),
  boolSide: fc.oneof({ weight: 12, arbitrary: tie("bool") }, { weight: 1, arbitrary: tie("num") }),
}));

function binaryOf(side: fc.Arbitrary<string>, ops: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(side, space, fc.constantFrom(...ops), space, side, fc.boolean())
    .map(([l, s1, op, s2, r, wrap]) => printJoin([l, s1, op, s2, r], wrap));
}

/** Rules built as trees: mostly well-typed booleans, some numbers or ill-typed, all syntactically sound. */
export const treeRule: fc.Arbitrary<string> = fc
  .tuple(space, trees.boolSide, space)
  .map(([before, tree, after]) => `${before}${tree}${after}`);

const anyPiece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...VARIABLES, ...UNITS, ...GOOD_NUMBERS) },
  { weight: 6, arbitrary: fc.constantFrom(...ARITHMETIC, ...COMPARISON, ...LOGICAL, "!") },
  { weight: 6, arbitrary: fc.constantFrom("(", ")") },
  { weight: 4, arbitrary: space },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_NUMBERS, ...NAMES_OUTSIDE) },
  { weight: 1, arbitrary: fc.constantFrom(...FOREIGN_OPERATORS, ...PUNCTUATION) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_SPACES, ...UNICODE) },
);

/** Token soup: pieces of the alphabet (and of what lies just outside it) glued with or without spaces. */
export const soupRule: fc.Arbitrary<string> = fc
  .array(anyPiece, { maxLength: 16 })
  .map((pieces) => pieces.join(""));

/** A tree rule with one character inserted, deleted or replaced: unbalanced parentheses, dangling operators… */
export const mutatedRule: fc.Arbitrary<string> = fc
  .tuple(treeRule, fc.nat(), fc.constantFrom("insert", "delete", "replace"), anyPiece)
  .map(([rule, at, how, piece]) => {
    const index = rule.length === 0 ? 0 : at % rule.length;
    const keep = how === "insert" ? index : index + 1;
    return rule.slice(0, index) + (how === "delete" ? "" : piece) + rule.slice(keep);
  });

/** Anything at all, printable or not. */
export const arbitraryText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(..."()+-*/%<>=!&| .1e5dbSizeMiB"), maxLength: 24 }),
);

const value = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -1e12, max: 1e12, noNaN: true }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, 0.8, 0.5, 100 * 1024 ** 2, 2 ** 31, Number.NaN) },
);

/** A member's values for a rule; not consistent with each other, as a rule must cope with any numbers. */
export const ruleVars: fc.Arbitrary<RuleVars> = fc.record({
  dbSize: value,
  dbSizeInUse: value,
  dbSizeFree: value,
  dbQuota: value,
  dbQuotaUsage: value,
});
