/**
 * `npm run demo`: a simulated 3-node Talos cluster (real etcd when installed, else the in-memory
 * model), fragmented like a busy apiserver leaves it, then the product CLI's status, plan,
 * defrag --yes and status again. The cluster is always stopped, also on Ctrl-C.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  commandBanner,
  DEMO_RULE,
  demoRuleNote,
  modelTitle,
  REAL_TITLE,
  RULE_ARG,
  titleBanner,
} from "./banner.js";
import { etcdAvailable, startCluster } from "./cluster.js";
import { fragmentCluster } from "./data.js";
import { fragmentModelCluster, startModelCluster } from "./model.js";
import type { SimCluster } from "./types.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const cliPath = join(root, "bin", "talos-etcd-defrag.js");
/** The rule's own 10 MiB: the default reclaim floor (32 MiB) is more than a demo cluster ever frees. */
const DEMO_MIN_RECLAIM = "10MiB";

function banner(lines: string[]): void {
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function startSimulatedCluster(): Promise<SimCluster> {
  // DEMO_BACKEND=model shows the fallback even where etcd is installed.
  if (etcdAvailable() && process.env.DEMO_BACKEND !== "model") {
    try {
      banner(titleBanner(REAL_TITLE));
      const cluster = await startCluster({ release: "v1.13" });
      process.stdout.write(
        "fragmenting: writing, rewriting and deleting ~30 MB of keys, then compacting ...\n",
      );
      await fragmentCluster(cluster.endpoints(cluster.nodes[0] ?? ""), { targetBytes: 30_000_000 });
      return cluster;
    } catch (error) {
      process.stdout.write(
        `real etcd cluster could not start (${(error as Error).message}); using the model\n`,
      );
    }
  }
  const why = etcdAvailable() ? "DEMO_BACKEND=model" : "etcd not installed";
  banner(titleBanner(modelTitle(why)));
  const cluster = await startModelCluster({ release: "v1.13" });
  fragmentModelCluster(cluster, { targetBytes: 30_000_000, reclaimableRatio: 0.65 });
  return cluster;
}

function runCli(cluster: SimCluster, args: string[]): Promise<number | null> {
  const argv = [cliPath, "--talosctl", cluster.talosctlPath, "-n", cluster.nodes.join(","), ...args];
  const shown = args.map((a) => (a === DEMO_RULE ? RULE_ARG : a));
  banner(commandBanner(["-n", cluster.nodes.join(","), ...shown]));
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, {
      stdio: "inherit",
      env: { ...process.env, ...cluster.env },
    });
    child.once("exit", (code) => {
      process.stdout.write(`(exit code ${code ?? "killed"})\n`);
      done(code);
    });
    child.once("error", () => done(null));
  });
}

export async function runDemo(): Promise<number> {
  if (!existsSync(join(root, "dist", "cli", "main.js"))) {
    process.stderr.write("the product CLI is not built (dist/cli/main.js missing): run `npm run build`\n");
    return 1;
  }
  const cluster = await startSimulatedCluster();
  const interrupt = (): void => {
    void cluster.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    const snapshots = join(cluster.dir, "snapshots");
    mkdirSync(snapshots, { recursive: true, mode: 0o700 });
    await runCli(cluster, ["status"]);
    // The default rule wants > 100 MiB free; a demo cluster that size takes too long to fill.
    process.stdout.write(`\n${demoRuleNote().join("\n")}\n`);
    await runCli(cluster, ["plan", "--rule", DEMO_RULE, "--min-reclaim", DEMO_MIN_RECLAIM]);
    const defrag = await runCli(cluster, [
      "defrag",
      "--yes",
      "--rule",
      DEMO_RULE,
      "--min-reclaim",
      DEMO_MIN_RECLAIM,
      "--snapshot-dir",
      snapshots,
    ]);
    await runCli(cluster, ["status"]);
    const calls = await cluster.callLog();
    banner(titleBanner(`simulated talosctl was called ${calls.length} times; the defrag order was:`));
    for (const call of calls.filter((c) => c.command === "defrag" || c.command === "forfeit-leadership")) {
      process.stdout.write(`  ${call.command.padEnd(18)} ${call.nodes.join(",")}  exit ${call.exitCode}\n`);
    }
    return defrag === 0 ? 0 : 1;
  } finally {
    await cluster.stop();
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
  }
}

process.exitCode = await runDemo();
