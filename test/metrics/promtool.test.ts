import { describe, expect } from "vitest";
import type { ClusterView } from "../../src/cluster/types.js";
import { renderClusterMetrics, renderRunMetrics } from "../../src/metrics/index.js";
import { runPromtool, testWithPromtool } from "./promtool.js";
import { SAMPLE_NOW, SAMPLE_RUN, SAMPLE_VIEW } from "./sample-view.js";

async function checkMetrics(promtool: string, text: string) {
  return runPromtool(promtool, ["check", "metrics"], text);
}

describe("promtool check metrics", () => {
  testWithPromtool("accepts the cluster and run metrics of one file, lint included", async (promtool) => {
    const text = renderClusterMetrics(SAMPLE_VIEW, "defrag", SAMPLE_NOW) + renderRunMetrics(SAMPLE_RUN);
    const result = await checkMetrics(promtool, text);
    expect(result.output).toBe("");
    expect(result.exitCode).toBe(0);
  });

  testWithPromtool("accepts escaped label values and an unknown alarm", async (promtool) => {
    const first = SAMPLE_VIEW.members[0];
    if (first === undefined) throw new Error("sample view has members");
    const view: ClusterView = {
      ...SAMPLE_VIEW,
      members: [{ ...first, node: 'cp\\1 "quoted"\nnext' }],
      alarms: [{ memberId: "x", alarm: "NONE" }],
    };
    const text =
      renderClusterMetrics(view, "defrag", SAMPLE_NOW) +
      renderRunMetrics({ ...SAMPLE_RUN, result: 'odd"one' });
    const result = await checkMetrics(promtool, text);
    expect(result.output).toBe("");
    expect(result.exitCode).toBe(0);
  });

  testWithPromtool("would catch a broken file (the check can fail)", async (promtool) => {
    const broken = '# TYPE talos_etcd_defrag_x gauge\ntalos_etcd_defrag_x{node="a} 1\n';
    const result = await checkMetrics(promtool, broken);
    expect(result.exitCode).not.toBe(0);
  });
});
