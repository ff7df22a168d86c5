import { describe, expect, it } from "vitest";
import { compileRule, DEFAULT_RULE, describeRule, type RuleVars } from "../../src/cluster/rule.js";

const AHRTR_RULE = "dbQuotaUsage > 0.8 || dbSize - dbSizeInUse > 200*1024*1024";
const QUOTA = 2 * 1024 ** 3;

/** A member as talosctl would report it; free and quota use follow from size, in use and the quota. */
function member(dbSize: number, dbSizeInUse: number, dbQuota = QUOTA): RuleVars {
  return { dbSize, dbSizeInUse, dbSizeFree: dbSize - dbSizeInUse, dbQuota, dbQuotaUsage: dbSize / dbQuota };
}

const ANY = member(1_000, 500);

describe("the default rule", () => {
  it.each([
    { given: "a lean small member", vars: member(17e6, 4.5e6), want: false },
    { given: "1.5 GB holding 47 MB", vars: member(1.5e9, 47e6), want: true },
    { given: "quota use above 80 % even when full of live data", vars: member(1.8e9, 1.79e9), want: true },
    {
      given: "quota use exactly 80 % (strictly greater is needed)",
      vars: { ...member(1e9, 0.9e9), dbQuotaUsage: 0.8 },
      want: false,
    },
    { given: "free space just under 100 MiB", vars: member(400e6, 400e6 - 104_857_599), want: false },
    { given: "free space just over 100 MiB but mostly in use", vars: member(400e6, 250e6), want: false },
    { given: "150 MB free of 200 MB", vars: member(200e6, 50e6), want: true },
  ])("given $given, the verdict is $want", ({ vars, want }) => {
    expect(compileRule(DEFAULT_RULE).evaluate(vars)).toBe(want);
  });
});

describe("ahrtr/etcd-defrag's documented rule, verbatim", () => {
  it.each([
    { given: "210 MB reclaimable", vars: member(300e6, 90e6), want: true },
    { given: "209 MB reclaimable (limit is 209.7 MB)", vars: member(300e6, 91e6), want: false },
    { given: "exactly 200 MiB reclaimable", vars: member(300e6, 300e6 - 209_715_200), want: false },
    { given: "quota use 81 %", vars: { ...member(10e6, 10e6), dbQuotaUsage: 0.81 }, want: true },
  ])("given $given, the verdict is $want", ({ vars, want }) => {
    expect(compileRule(AHRTR_RULE).evaluate(vars)).toBe(want);
  });
});

describe("arithmetic", () => {
  it.each([
    // units
    ["KB == 1000", true],
    ["MB == 1000000", true],
    ["GB == 1e9", true],
    ["KiB == 1024", true],
    ["MiB == 1048576", true],
    ["GiB == 1073741824", true],
    ["100*MiB == 104857600", true],
    ["1.5*GB == 1500*MB", true],
    // precedence and associativity
    ["1 + 2 * 3 == 7", true],
    ["(1 + 2) * 3 == 9", true],
    ["10 - 2 - 3 == 5", true],
    ["2 * 3 % 4 == 2", true],
    ["-2 * 3 == -6", true],
    ["2 - -3 == 5", true],
    ["2 > 1 || 1 > 2 && 3 > 4", true],
    ["!(1 > 2) && 2 > 1", true],
    ["1 < 2 == 3 < 4", true],
    ["1 < 2 != 3 > 4", true],
    // everything is floating point
    ["7 / 2 == 3.5", true],
    ["1 / 3 > 0.33", true],
    ["7 % 2.5 == 2", true],
    [".5e1 == 5", true],
    ["1. == 1", true],
    // strict and loose equality mean the same
    ["1 === 1", true],
    ["1 !== 2", true],
    ["1 != 1", false],
    // white space is free
    ["\t1\n<\r2 ", true],
  ])("%s is %s", (source, want) => {
    expect(compileRule(source).evaluate(ANY)).toBe(want);
  });

  it("reads every variable from the member", () => {
    const vars = { dbSize: 5, dbSizeInUse: 4, dbSizeFree: 3, dbQuota: 2, dbQuotaUsage: 1 };
    const rule = compileRule(
      "dbSize == 5 && dbSizeInUse == 4 && dbSizeFree == 3 && dbQuota == 2 && dbQuotaUsage == 1",
    );
    expect(rule.evaluate(vars)).toBe(true);
    expect(rule.evaluate({ ...vars, dbQuota: 7 })).toBe(false);
  });

  it("lets division by zero follow IEEE 754: Infinity compares, NaN is never greater or smaller", () => {
    const empty = { dbSize: 0, dbSizeInUse: 0, dbSizeFree: 0, dbQuota: 0, dbQuotaUsage: 0 };
    expect(compileRule("dbSizeInUse / dbSize < 0.5").evaluate(empty)).toBe(false);
    expect(compileRule("dbSizeInUse / dbSize >= 0.5").evaluate(empty)).toBe(false);
    expect(compileRule("dbSizeInUse / dbSize != dbSizeInUse / dbSize").evaluate(empty)).toBe(true);
    expect(compileRule("1 / dbSize > 1e300").evaluate(empty)).toBe(true);
    expect(compileRule(DEFAULT_RULE).evaluate(empty)).toBe(false);
  });

  it("keeps the source and returns only booleans", () => {
    const rule = compileRule(AHRTR_RULE);
    expect(rule.source).toBe(AHRTR_RULE);
    expect(typeof rule.evaluate(ANY)).toBe("boolean");
  });
});

describe("describeRule", () => {
  it.each([
    {
      rule: DEFAULT_RULE,
      vars: { ...member(1.8e9, 1.79e9), dbQuotaUsage: 0.85 },
      want: "dbQuotaUsage 0.85 > 0.8",
    },
    {
      rule: DEFAULT_RULE,
      vars: member(1.5e9, 47e6),
      want: "dbSizeFree 1.45 GB > 100*MiB (105 MB) and dbSizeInUse / dbSize (0.031) < 0.5",
    },
    {
      rule: DEFAULT_RULE,
      vars: { ...member(17e6, 4.6e6), dbQuotaUsage: 0.0079 },
      want: "dbQuotaUsage 0.008 <= 0.8 and dbSizeFree 12.4 MB <= 100*MiB (105 MB)",
    },
    {
      rule: AHRTR_RULE,
      vars: { ...member(300e6, 50e6), dbQuotaUsage: 0.1 },
      want: "dbSize - dbSizeInUse (250 MB) > 200*1024*1024 (210 MB)",
    },
    { rule: "!(dbSize > 1*GB)", vars: member(500e6, 1e6), want: "dbSize 500 MB <= 1*GB (1 GB)" },
    { rule: "dbSize == 1", vars: member(3, 1), want: "dbSize 3 B != 1" },
    {
      rule: "(dbSize > 1) == (dbSizeInUse > 1)",
      vars: member(3, 1),
      want: "((dbSize > 1) == (dbSizeInUse > 1)) is false",
    },
    {
      rule: "dbSizeInUse / dbSize < 0.5",
      vars: member(0, 0),
      want: "dbSizeInUse / dbSize (NaN) < 0.5 is false: not a number",
    },
  ])("explains $rule as $want", ({ rule, vars, want }) => {
    expect(describeRule(compileRule(rule), vars)).toBe(want);
  });

  it("explains a rule it did not compile by its source and all the values", () => {
    const foreign = { source: "always", evaluate: () => true };
    expect(describeRule(foreign, member(1.5e9, 47e6))).toBe(
      "always is true for dbSize=1.5 GB, inUse=47 MB, free=1.45 GB, quota=2.15 GB, quota use=0.698",
    );
  });
});
