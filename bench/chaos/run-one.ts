/**
 * One chaos run: a fragmented cluster restored from its template, one writer and one lease client per voting
 * member, `defrag --yes` of the built CLI against the simulator, and one fault injected for real at the moment
 * the plan names. Then the fault is lifted (what was killed is started, what was paused resumed, switches
 * cleared, NOSPACE cured), and everything the checks need is read back.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import type { SimCluster } from "../../sim/cluster.js";
import { startCluster } from "../../sim/cluster.js";
import { waitForLeader } from "../../sim/cluster-members.js";
import { compactAll, deletePrefix, fillUntilNospace, startLoad, verifyAcknowledged } from "../../sim/data.js";
import { sleep } from "../../sim/fan-out.js";
import { callGateway } from "../../sim/gateway.js";
import { type CallStart, callStartOf } from "../../sim/real-talosctl.js";
import { type ClusterTemplate, waitForHealth } from "../template.js";
import {
  type AckCheck,
  type CallSpan,
  type Check,
  checkRun,
  type MemberInfo,
  type ReportLike,
} from "./checks.js";
import type { ChaosPlan } from "./plan.js";

export interface ChaosEnv {
  /** The built CLI (bin/talos-etcd-defrag.js). */
  cliPath: string;
  /** A template without and one with a learner (its last IP). */
  template: (learner: boolean) => Promise<ClusterTemplate>;
  /** Scratch space for snapshots; the caller removes it. */
  workDir: string;
  log: (line: string) => void;
}

export interface RunResult {
  plan: ChaosPlan;
  injected: string | null;
  exitCode: number | null;
  result: string | null;
  durationMs: number;
  checks: Check[];
  held: boolean;
  /** The tool's stderr, kept only for a run whose checks failed. */
  stderr?: string;
}

const TOOL_TIMEOUT_MS = 150_000;
const HEALTH_BOUND_MS = 45_000;

/**
 * What the harness watches: call starts (TALOS_SIM_START_LOG, from the simulator or, under TALOSCTL_REAL, the
 * real talosctl's wrapper), and the tool's "verified" progress lines.
 */
class Moments {
  private offset = 0;
  readonly starts: CallStart[] = [];
  verified = 0;
  constructor(private readonly path: string) {}
  poll(): void {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch {
      return;
    }
    const fresh = text.slice(this.offset);
    const end = fresh.lastIndexOf("\n");
    if (end < 0) return;
    this.offset += end + 1;
    for (const line of fresh.slice(0, end).split("\n"))
      if (line.trim() !== "")
        this.starts.push(callStartOf(JSON.parse(line) as Parameters<typeof callStartOf>[0]));
  }
  nth(command: string, n: number): CallStart | undefined {
    return this.starts.filter((s) => s.command === command)[n - 1];
  }
}

/** The moment's trigger, and the node being defragmented then (for faults that hit it). */
function reached(plan: ChaosPlan, m: Moments): { node: string | null } | null {
  const defrag = m.nth("defrag", plan.defragNumber);
  switch (plan.moment) {
    case "before-first-defrag": {
      const snap = m.starts.find((s) => s.command === "snapshot");
      return snap === undefined ? null : { node: null };
    }
    case "during-defrag":
      return defrag === undefined ? null : { node: defrag.nodes[0] ?? null };
    case "during-verification": {
      if (defrag === undefined) return null;
      const status = m.starts.find((s) => s.command === "status" && s.t >= defrag.t);
      return status === undefined ? null : { node: defrag.nodes[0] ?? null };
    }
    case "between-members":
      return m.verified >= plan.defragNumber ? { node: null } : null;
    case "during-leader-move":
      return m.starts.some((s) => s.command === "forfeit-leadership") ? { node: null } : null;
    default:
      return null;
  }
}

export async function runOne(plan: ChaosPlan, env: ChaosEnv): Promise<RunResult> {
  const started = Date.now();
  const template = await env.template(plan.learner);
  const quotaBytes =
    plan.kind === "nospace"
      ? Math.max(...template.members.map((m) => m.sizes.dbSize)) + 12_000_000
      : undefined;
  const cluster = await startCluster({
    ips: template.ips,
    release: "v1.13",
    seedDataDirs: template.members.map((m) => m.dataDir),
    ...(quotaBytes === undefined ? {} : { quotaBytes }),
  });
  const snapDir = await mkdtemp(join(env.workDir, "snap-"));
  const lifts: (() => Promise<void>)[] = [];
  try {
    await waitHealthy(cluster, await learnerNodes(cluster), HEALTH_BOUND_MS);
    const members = (await cluster.memberList()).map(
      // The gateway gives IDs in decimal; talosctl and the report in 16 hex digits.
      (m): MemberInfo => ({
        node: m.node,
        memberId: BigInt(m.id).toString(16).padStart(16, "0"),
        isLearner: m.isLearner,
      }),
    );
    const voters = members.filter((m) => !m.isLearner).map((m) => m.node);
    const learners = members.filter((m) => m.isLearner).map((m) => m.node);
    const startLog = join(cluster.dir, "starts.jsonl");
    const moments = new Moments(startLog);
    const load = startLoad(
      voters.map((n) => cluster.endpoints(n)),
      { intervalMs: 25, durationMs: TOOL_TIMEOUT_MS, requestTimeoutMs: 8000 },
    );
    const tool = execa(
      process.execPath,
      [
        env.cliPath,
        "--talosctl",
        cluster.talosctlPath,
        "-n",
        members.map((m) => m.node).join(","),
        "-o",
        "json",
        "--timeout",
        "3s",
        "defrag",
        "--yes",
        "--force",
        "--snapshot-dir",
        snapDir,
        "--wait-timeout",
        "20s",
        // A source member killed mid-stream must not hold the run for the default's 2 minutes.
        "--snapshot-timeout",
        "30s",
        "--leader-move-above",
        "0",
      ],
      {
        env: { ...cluster.env, NO_COLOR: "1", TALOS_SIM_START_LOG: startLog },
        reject: false,
        timeout: TOOL_TIMEOUT_MS,
        stdin: "ignore",
        buffer: true,
      },
    );
    // A member's closing progress line: `[1/3] NODE follower: defrag 11 MB -> 3.0 MB in 1.2 s, verified`.
    let partial = "";
    tool.stderr?.on("data", (chunk: Buffer) => {
      const lines = (partial + String(chunk)).split("\n");
      partial = lines.pop() ?? "";
      moments.verified += lines.filter((l) => /^\[\d+\/\d+\] .*: defrag .*\bverified\b/.test(l)).length;
    });
    let exited = false;
    const done = tool.then((r) => {
      exited = true;
      return r;
    });

    let injectedAt: number | null = null;
    let injected: string | null = null;
    const watcher = (async () => {
      if (plan.kind === "none" || plan.moment === null) return;
      while (!exited) {
        moments.poll();
        const hit = reached(plan, moments);
        if (hit !== null) {
          await sleep(plan.delayMs);
          if (exited) return;
          injectedAt = Date.now();
          injected = await inject(plan, cluster, tool, voters, hit.node, lifts);
          return;
        }
        await sleep(20);
      }
    })();

    const outcome = await done;
    await watcher;
    const loadReport = await load.stop();
    const liftedAt = Date.now();
    for (const lift of lifts.splice(0).reverse())
      await lift().catch((e) => env.log(`lifting a fault: ${(e as Error).message}`));
    const healthyAfterMs = await waitHealthy(cluster, learners, HEALTH_BOUND_MS)
      .then(() => Date.now() - liftedAt)
      .catch(() => null);
    const acks: AckCheck[] = [];
    for (const node of voters) {
      try {
        const r = await verifyAcknowledged(cluster.endpoints(node), loadReport);
        acks.push({
          node,
          checked: r.checked,
          missing: r.missing.length,
          mismatched: r.mismatched.length,
          error: null,
        });
      } catch (error) {
        acks.push({ node, checked: 0, missing: 0, mismatched: 0, error: (error as Error).message });
      }
    }
    const calls: CallSpan[] = (await cluster.callLog()).map((c) => ({
      command: c.command,
      node: c.nodes.join(","),
      start: c.start,
      end: c.end,
      exitCode: c.exitCode,
    }));
    const report = parseReport(String(outcome.stdout ?? ""));
    const exitCode = outcome.timedOut ? null : (outcome.exitCode ?? null);
    const checks = checkRun({
      plan,
      injectedAt,
      exitCode,
      report,
      members,
      calls,
      acks,
      healthyAfterMs,
      healthBoundMs: HEALTH_BOUND_MS,
    });
    const held = checks.every((c) => c.held);
    return {
      plan,
      injected,
      exitCode,
      result: report?.result ?? null,
      durationMs: Date.now() - started,
      checks,
      held,
      ...(held && process.env.CHAOS_KEEP_STDERR === undefined
        ? {}
        : { stderr: String(outcome.stderr ?? "").slice(-4000) }),
    };
  } finally {
    for (const lift of lifts) await lift().catch(() => undefined);
    await cluster.stop();
    await rm(snapDir, { recursive: true, force: true });
  }
}

function parseReport(stdout: string): ReportLike | null {
  if (stdout.trim() === "") return null;
  try {
    return JSON.parse(stdout) as ReportLike;
  } catch {
    return null;
  }
}

async function learnerNodes(cluster: SimCluster): Promise<string[]> {
  return (await cluster.memberList()).filter((m) => m.isLearner).map((m) => m.node);
}

/**
 * Every member agrees on one leader, and every voting member answers a linearizable read (a learner serves none:
 * its status answering is enough).
 */
async function waitHealthy(cluster: SimCluster, learners: readonly string[], boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  await waitForLeader(
    cluster.nodes.map((n) => cluster.endpoints(n)),
    boundMs,
  );
  await waitForHealth(cluster, Math.max(0, deadline - Date.now()), learners);
}

/** A lift runs at most once: on its timer, or when the run ends, whichever comes first. */
function once(lift: () => Promise<void>): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await lift();
  };
}

/** Injects the plan's fault; registers how to lift it. Returns what was done, for the record. */
async function inject(
  plan: ChaosPlan,
  cluster: SimCluster,
  tool: { kill(signal?: NodeJS.Signals): boolean },
  voters: readonly string[],
  defragged: string | null,
  lifts: (() => Promise<void>)[],
): Promise<string> {
  const others = voters.filter((n) => n !== defragged);
  const pool = plan.hitsDefragged && defragged !== null ? [defragged] : others.length > 0 ? others : voters;
  const target =
    pool[Math.min(pool.length - 1, Math.floor(plan.targetPick * pool.length))] ?? voters[0] ?? "";
  switch (plan.kind) {
    case "kill": {
      cluster.signalMember(target, "SIGKILL");
      const restart = once(() => cluster.startMember(target));
      if (plan.restart)
        void sleep(plan.durationMs)
          .then(restart)
          .catch(() => undefined);
      lifts.push(restart);
      return `SIGKILL ${target}${plan.restart ? `, restarting after ${plan.durationMs} ms` : ""}`;
    }
    case "pause": {
      cluster.signalMember(target, "SIGSTOP");
      const resume = once(async () => {
        cluster.signalMember(target, "SIGCONT");
      });
      void sleep(plan.durationMs).then(resume);
      lifts.push(resume);
      return `SIGSTOP ${target} for ${plan.durationMs} ms`;
    }
    case "move-leader": {
      const leader = await cluster.leaderNode();
      const to = voters.filter((n) => n !== leader);
      const node = to[Math.floor(plan.targetPick * to.length)] ?? to[0];
      if (node === undefined) return "no other voter to move leadership to";
      await cluster.moveLeader(node).catch(() => undefined);
      return `leadership moved from ${leader} to ${node}`;
    }
    case "talosctl": {
      const fault = plan.talosctlMode === "delay" ? { delayMs: 8000 } : { unreachable: true };
      await cluster.setFaults({ [target]: fault });
      const clear = once(() => cluster.setFaults({}));
      void sleep(plan.durationMs).then(clear);
      lifts.push(clear);
      return `talosctl to ${target} ${plan.talosctlMode === "delay" ? "delayed 8 s" : "unreachable"} for ${plan.durationMs} ms`;
    }
    case "nospace": {
      const endpoint = cluster.endpoints(target);
      lifts.push(async () => {
        const any = cluster.endpoints(voters[0] ?? target);
        await deletePrefix(any, "/registry/fill/");
        await compactAll(any);
        for (const node of cluster.nodes)
          await callGateway(
            cluster.endpoints(node),
            "maintenance/defragment",
            {},
            { timeoutMs: 60_000 },
          ).catch(() => undefined);
        const alarms = await callGateway<{ alarms?: { memberID?: string; alarm?: string }[] }>(
          any,
          "maintenance/alarm",
          { action: "GET" },
          { timeoutMs: 10_000 },
        );
        for (const a of alarms.alarms ?? [])
          await callGateway(
            any,
            "maintenance/alarm",
            { action: "DEACTIVATE", memberID: a.memberID, alarm: a.alarm },
            {
              timeoutMs: 10_000,
            },
          );
      });
      const fill = await fillUntilNospace(endpoint, {
        valueBytes: 400_000,
        maxBytes: 100_000_000,
        timeoutMs: 30_000,
      });
      return `filled ${fill.keysWritten} keys through ${target}: ${fill.nospace ? "NOSPACE raised" : "no NOSPACE"}`;
    }
    case "sigint": {
      tool.kill("SIGINT");
      if (plan.twice) {
        await sleep(50 + Math.round(plan.targetPick * 450));
        tool.kill("SIGINT");
      }
      return plan.twice ? "SIGINT twice" : "SIGINT once";
    }
    default:
      return "none";
  }
}
