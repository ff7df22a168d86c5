/**
 * `npm run bench`: prints the table, writes bench/results/<YYYY-MM-DD>.json. Ctrl-C kills the running child,
 * removes the scratch dir and exits; the simulator's exit hook stops the etcd members.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBenchArgs, USAGE } from "./options.js";
import { renderMarkdown, renderTable } from "./render-results.js";
import { runBench, writeResults } from "./run-bench.js";

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const workDir = mkdtempSync(join(tmpdir(), "ted-bench-"));
  const abort = new AbortController();
  // Registered before any cluster starts, so it runs first: exiting fires the cluster harness's exit hook.
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the bench, cleaning up\n`);
    abort.abort();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const log = (line: string) =>
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  try {
    const results = await runBench(options, { signal: abort.signal, log, workDir });
    const text = options.format === "markdown" ? renderMarkdown(results) : renderTable(results);
    process.stdout.write(`${text}\n`);
    const path = await writeResults(results, options.outDir);
    log(`results written to ${path}`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
