/** Per fault kind and moment: runs, outcomes, checks held, and the seeds of the runs that failed a check. */
import type { RunResult } from "./run-one.js";

export interface SummaryRow {
  kind: string;
  moment: string;
  runs: number;
  /** "exit 0 ok: 3, exit 1 failed: 1", in a stable order. */
  outcomes: string;
  held: number;
  notReached: number;
  failedSeeds: number[];
}

export function summarize(results: readonly RunResult[]): SummaryRow[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.plan.kind}\u0000${r.plan.moment ?? "-"}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()]
    .map(([key, runs]) => {
      const [kind = "", moment = ""] = key.split("\u0000");
      const counts = new Map<string, number>();
      for (const r of runs) {
        const label = `exit ${r.exitCode ?? "none"} ${r.result ?? "no report"}`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      return {
        kind,
        moment,
        runs: runs.length,
        outcomes: [...counts.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([label, n]) => `${label}: ${n}`)
          .join(", "),
        held: runs.filter((r) => r.held).length,
        notReached: runs.filter((r) => r.plan.kind !== "none" && r.injected === null).length,
        failedSeeds: runs.filter((r) => !r.held).map((r) => r.plan.seed),
      };
    })
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.moment.localeCompare(b.moment));
}

export function renderSummary(rows: readonly SummaryRow[]): string {
  const lines = [
    "| fault | moment | runs | outcomes | all checks held | fault not reached | seeds that failed |",
    "| --- | --- | ---: | --- | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${r.moment} | ${r.runs} | ${r.outcomes} | ${r.held}/${r.runs} | ${r.notReached} | ${r.failedSeeds.join(", ") || "-"} |`,
    ),
  ];
  return lines.join("\n");
}

/** Each failed check of each run, for the record below the table. */
export function renderFailures(results: readonly RunResult[]): string[] {
  return results.flatMap((r) =>
    r.checks
      .filter((c) => !c.held)
      .map((c) => `seed ${r.plan.seed} (${r.plan.kind} at ${r.plan.moment ?? "-"}): ${c.name}: ${c.detail}`),
  );
}
