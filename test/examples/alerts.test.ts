import { describe, expect, test } from "vitest";
import { RUN_RESULTS, renderClusterMetrics, renderRunMetrics } from "../../src/metrics/index.js";
import { parseExposition } from "../metrics/parse-exposition.js";
import { runPromtool, testWithPromtool } from "../metrics/promtool.js";
import { SAMPLE_NOW, SAMPLE_RUN, SAMPLE_VIEW } from "../metrics/sample-view.js";
import { dig, EXAMPLES_DIR, readYamlDocuments } from "./read-example.js";

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rulesFile = (await readYamlDocuments("prometheus/alerts.yaml"))[0];
interface Recording {
  record: string;
  expr: string;
}

const allRules = (dig(rulesFile, "groups") as { rules: (Rule | Recording)[] }[]).flatMap(
  (group) => group.rules,
);
const rules = allRules.filter((rule): rule is Rule => "alert" in rule);
const recordings = allRules.filter((rule): rule is Recording => "record" in rule);
const unitTests = (await readYamlDocuments("prometheus/alerts.test.yaml"))[0];

/** What our renderers actually emit, taken from their output rather than from a list that could drift too. */
const emitted = new Set(
  parseExposition(renderClusterMetrics(SAMPLE_VIEW, "defrag", SAMPLE_NOW) + renderRunMetrics(SAMPLE_RUN))
    .order,
);

describe("examples/prometheus/alerts.yaml", () => {
  test("covers fragmentation, quota, NOSPACE, CORRUPT, failed runs and a stale last success", () => {
    const names = rules.map((rule) => rule.alert);
    for (const expected of [
      "TalosEtcdFragmentationHigh",
      "TalosEtcdQuotaUsageHigh",
      "TalosEtcdNospaceAlarm",
      "TalosEtcdCorruptAlarm",
      "TalosEtcdDefragRunFailed",
      "TalosEtcdDefragLastSuccessTooOld",
    ]) {
      expect(names).toContain(expected);
    }
    expect(rules.find((r) => r.alert === "TalosEtcdQuotaUsageHigh")?.expr).toMatch(/> 0\.8\b/);
  });

  test("every metric an alert or recording rule uses is one the renderers emit", () => {
    const used = new Set(
      allRules.flatMap((rule) => rule.expr.match(/\btalos_etcd_defrag_[a-z0-9_]+/g) ?? []),
    );
    expect(used.size).toBeGreaterThanOrEqual(7);
    for (const name of used) expect(emitted, `${name} is not emitted`).toContain(name);
  });

  test("label values the alerts match on are values the renderers produce", () => {
    const exprs = rules.map((rule) => rule.expr).join("\n");
    const alarms = [...exprs.matchAll(/alarm="([^"]+)"/g)].map((m) => m[1]);
    const alwaysRendered = [
      ...renderClusterMetrics({ ...SAMPLE_VIEW, alarms: [] }, "defrag", SAMPLE_NOW).matchAll(
        /alarm="([^"]+)"/g,
      ),
    ].map((m) => m[1]);
    for (const alarm of alarms) expect(alwaysRendered).toContain(alarm);
    const results = [...exprs.matchAll(/result=~"([^"]+)"/g)].flatMap((m) => (m[1] ?? "").split("|"));
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) expect(RUN_RESULTS).toContain(result);
  });

  test("alerts on the cluster's state look only at the freshest reading (files of several commands)", () => {
    expect(recordings.map((r) => r.record)).toEqual(["talos_etcd_defrag:freshest_read"]);
    // Recorded before the alerts of the same group, so they see this evaluation's value.
    const first = (dig(rulesFile, "groups") as { rules: (Rule | Recording)[] }[])[0]?.rules[0];
    expect(first).toMatchObject({ record: "talos_etcd_defrag:freshest_read" });
    for (const name of [
      "TalosEtcdFragmentationHigh",
      "TalosEtcdQuotaUsageHigh",
      "TalosEtcdNospaceAlarm",
      "TalosEtcdCorruptAlarm",
    ]) {
      expect(rules.find((r) => r.alert === name)?.expr, name).toMatch(
        /and ignoring \([a-z_, ]+\) talos_etcd_defrag:freshest_read\s*$/,
      );
    }
  });

  test("no rule, annotation or unit test uses the removed role label", async () => {
    const { readFile } = await import("node:fs/promises");
    for (const file of ["prometheus/alerts.yaml", "prometheus/alerts.test.yaml"]) {
      const text = await readFile(`${EXAMPLES_DIR}${file}`, "utf8");
      expect(text, file).not.toMatch(/\brole\b\s*[=:)]|\$labels\.role|role="/);
    }
  });

  test("every rule has a severity and a summary, and every alert has a unit test", () => {
    const tested = new Set(
      (dig(unitTests, "tests") as { alert_rule_test: { alertname: string }[] }[]).flatMap((t) =>
        t.alert_rule_test.map((a) => a.alertname),
      ),
    );
    for (const rule of rules) {
      expect(["warning", "critical"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary?.length).toBeGreaterThan(10);
      expect(tested, `${rule.alert} has no promtool unit test`).toContain(rule.alert);
    }
  });

  testWithPromtool("promtool check rules accepts the file", async (promtool) => {
    const result = await runPromtool(promtool, ["check", "rules", `${EXAMPLES_DIR}prometheus/alerts.yaml`]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.exitCode).toBe(0);
  });

  testWithPromtool(
    "promtool test rules: the alerts fire (and stay quiet) as the unit tests expect",
    // promtool evaluates every minute of the tests' hours: ~5 s of CPU, four times that on a loaded machine.
    { timeout: 120_000 },
    async (promtool) => {
      const result = await runPromtool(promtool, [
        "test",
        "rules",
        `${EXAMPLES_DIR}prometheus/alerts.test.yaml`,
      ]);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.exitCode).toBe(0);
    },
  );
});

test("sample run renders the last success, so the drift check above sees it", () => {
  expect(emitted).toContain("talos_etcd_defrag_last_success_timestamp_seconds");
});
