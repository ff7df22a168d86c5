/**
 * `npm run chaos -- [--runs N] [--seed S] [--size 30MB] [--ips A,B,C,D] [--out DIR]`: randomized faults during
 * defrag runs over real etcd (see chaos.ts). Prints the summary per fault kind and moment, writes
 * bench/results/chaos-<date>-etcd<version>.json, exits 1 when any check failed in any run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { cliPath, repoRoot } from "../paths.js";
import { runChaos } from "./chaos.js";
import { renderFailures, renderSummary, summarize } from "./summary.js";

const USAGE = `usage: npm run chaos -- [options]
  --runs N        runs (default 30)
  --seed S        seed of the first run's draw (default: from the clock, printed); the summary names each failed
                  run's own seed: --seed S --runs 1 does not replay it, --replay SEED does
  --replay SEED   one run with exactly that run seed
  --size SIZE     bytes per member in the fragmented template (default 30MB)
  --ips A,B,C,D   loopback IPs: three voters and the learner's (default 127.0.0.191-194)
  --out DIR       where the results JSON goes (default bench/results)`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: "string", default: "30" },
      seed: { type: "string" },
      replay: { type: "string" },
      size: { type: "string", default: "30MB" },
      ips: { type: "string", default: "127.0.0.191,127.0.0.192,127.0.0.193,127.0.0.194" },
      out: { type: "string", default: join(repoRoot(), "bench", "results") },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const runs = Number(values.runs);
  const ips = values.ips.split(",").map((s) => s.trim());
  const size = /^(\d+)MB$/i.exec(values.size);
  if (
    !Number.isInteger(runs) ||
    runs < 1 ||
    runs > 500 ||
    size === null ||
    ips.length !== 4 ||
    !ips.every((ip) => /^127\.\d+\.\d+\.\d+$/.test(ip))
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : Date.now() >>> 0;
  const workDir = mkdtempSync(join(tmpdir(), "ted-chaos-"));
  const abort = new AbortController();
  process.on("SIGINT", () => abort.abort());
  const log = (line: string) =>
    process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  try {
    const etcd = (await execa("etcd", ["--version"])).stdout.match(/etcd Version: (\S+)/)?.[1] ?? "unknown";
    log(`etcd ${etcd}, ${runs} run(s), seed ${seed}`);
    const results = await runChaos({
      runs: values.replay !== undefined ? 1 : runs,
      seed,
      ...(values.replay !== undefined ? { replay: Number(values.replay) >>> 0 } : {}),
      ips,
      sizeBytes: Number(size[1]) * 1e6,
      cliPath: cliPath(),
      workDir,
      log,
      signal: abort.signal,
    });
    const rows = summarize(results);
    const failures = renderFailures(results);
    process.stdout.write(
      `${renderSummary(rows)}\n${failures.length > 0 ? `\n${failures.join("\n")}\n` : ""}`,
    );
    await mkdir(values.out, { recursive: true });
    const date = new Date().toISOString().slice(0, 10);
    const path = join(values.out, `chaos-${date}-etcd${etcd}-seed${seed}.json`);
    await writeFile(
      path,
      `${JSON.stringify({ date, etcd, seed, runs: results.length, summary: rows, results }, null, 2)}\n`,
    );
    log(`results written to ${path}`);
    return results.every((r) => r.held) ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
