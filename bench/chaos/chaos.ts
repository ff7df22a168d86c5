/**
 * A chaos run: N runs of `defrag --yes` against the simulator over real etcd under load, each with one fault
 * drawn at random (bench/chaos/plan.ts) and injected for real at a random moment, then checked
 * (bench/chaos/checks.ts). The fragmented cluster is built once per shape (with and without a learner) and
 * restored for every run, as the bench does.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildTemplate, type ClusterTemplate } from "../template.js";
import { type ChaosPlan, type FaultKind, planRun, runSeed } from "./plan.js";
import { type RunResult, runOne } from "./run-one.js";

export interface ChaosOptions {
  runs: number;
  seed: number;
  /** Four loopback IPs: three voters, and the learner's for runs with one. */
  ips: string[];
  /** Bytes per member in the template. */
  sizeBytes: number;
  /** One run with exactly this run seed (a failed run's seed from the summary). */
  replay?: number;
  /** Force the fault of each run in turn (the fixed CI set: one of each); else drawn. */
  kinds?: readonly FaultKind[];
  /** false: no run gets a learner (the CI set saves building the learner template). Default: drawn. */
  learners?: boolean;
  cliPath: string;
  workDir: string;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export function plansFor(
  options: Pick<ChaosOptions, "runs" | "seed" | "kinds" | "replay" | "learners">,
): ChaosPlan[] {
  const plans =
    options.replay !== undefined
      ? [planRun(options.replay, options.kinds?.[0])]
      : Array.from({ length: options.runs }, (_, i) =>
          planRun(runSeed(options.seed, i), options.kinds?.[i % options.kinds.length]),
        );
  return options.learners === false ? plans.map((p) => ({ ...p, learner: false })) : plans;
}

export async function runChaos(options: ChaosOptions): Promise<RunResult[]> {
  const templates = new Map<boolean, Promise<ClusterTemplate>>();
  const template = (learner: boolean): Promise<ClusterTemplate> => {
    let t = templates.get(learner);
    if (t === undefined) {
      options.log(`building the ${learner ? "learner " : ""}template once`);
      t = (async () =>
        buildTemplate({
          ips: learner ? options.ips.slice(0, 4) : options.ips.slice(0, 3),
          sizeBytes: options.sizeBytes,
          reclaimableRatio: 0.6,
          fragmentTimeoutMs: 120_000,
          dir: await mkdtemp(join(options.workDir, `template-${learner ? "learner" : "plain"}-`)),
          learner,
        }))();
      templates.set(learner, t);
    }
    return t;
  };
  const results: RunResult[] = [];
  try {
    for (const [i, plan] of plansFor(options).entries()) {
      if (options.signal?.aborted) break;
      const result = await runOne(plan, {
        cliPath: options.cliPath,
        template,
        workDir: options.workDir,
        log: options.log,
      });
      results.push(result);
      options.log(
        `run ${i + 1}/${options.runs} seed ${plan.seed} ${plan.kind}@${plan.moment ?? "-"}: ${result.injected ?? "fault not reached"}; exit ${result.exitCode} ${result.result ?? ""}; ${
          result.held
            ? "all checks held"
            : `FAILED: ${result.checks
                .filter((c) => !c.held)
                .map((c) => c.name)
                .join(", ")}`
        }`,
      );
    }
  } finally {
    for (const t of templates.values())
      await t
        .then((tt) => Promise.all(tt.members.map((m) => rm(m.dataDir, { recursive: true, force: true }))))
        .catch(() => undefined);
  }
  return results;
}
