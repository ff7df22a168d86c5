import { describe, expect, test } from "vitest";
import { escapeHelp, escapeLabelValue, formatGauges, formatValue } from "../../src/metrics/exposition.js";

describe("escapeLabelValue", () => {
  test.each([
    ["plain", "plain"],
    ["back\\slash", "back\\\\slash"],
    ['say "hi"', 'say \\"hi\\"'],
    ["two\nlines", "two\\nlines"],
    ['\\"\n', '\\\\\\"\\n'],
    ["", ""],
  ])("%j -> %j", (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
  });
});

describe("escapeHelp", () => {
  test("escapes backslash and newline but leaves double quotes alone", () => {
    expect(escapeHelp('a\\b\n"c"')).toBe('a\\\\b\\n"c"');
  });
});

describe("formatValue", () => {
  test.each([
    [0, "0"],
    [42, "42"],
    [0.25, "0.25"],
    [1795316442.5, "1795316442.5"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
  ])("%d -> %s", (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe("formatGauges", () => {
  test("refuses a family rendered twice, since promtool and Prometheus reject duplicates", () => {
    const family = { name: "talos_etcd_defrag_x", help: "x", samples: [{ labels: {}, value: 1 }] };
    expect(() => formatGauges([family, family])).toThrow(/twice/);
  });

  test("refuses invalid metric and label names instead of writing a file Prometheus cannot parse", () => {
    expect(() => formatGauges([{ name: "bad-name", help: "x", samples: [] }])).toThrow(/metric name/);
    expect(() =>
      formatGauges([{ name: "ok_name", help: "x", samples: [{ labels: { "bad-label": "v" }, value: 1 }] }]),
    ).toThrow(/label name/);
  });

  test("renders nothing at all for families without samples", () => {
    expect(formatGauges([{ name: "talos_etcd_defrag_x", help: "x", samples: [] }])).toBe("");
  });
});
