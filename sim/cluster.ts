/**
 * Test harness: a real 3-member etcd cluster on loopback IPs (plus, on request, a fourth member joined
 * as a learner), one member per simulated Talos node, plus the config file that the simulated
 * talosctl (bin/talosctl) reads.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { addLearnerAtRank, readLeaderId, waitForLeader, waitForLearnerJoined } from "./cluster-members.js";
import { buildSimConfig, type SimConfig, writeConfig } from "./config.js";
import { configHandle } from "./config-handle.js";
import {
  findEtcdutl,
  findExecutable,
  isPortBusy,
  type MemberSpec,
  spawnEtcd,
  stopEtcd,
} from "./etcd-process.js";
import { chooseTokenForRank } from "./member-order.js";
import { membershipHandle } from "./membership-handle.js";
import {
  buildRealTools,
  type RunningDouble,
  readRealCallLog,
  realTalosctlTag,
  releaseOfTag,
  setTalosconfigNodes,
  startDouble,
} from "./real-talosctl.js";
import { type ClusterOptions, DEFAULT_IPS, DEFAULT_LEARNER_IP, type SimCluster } from "./types.js";

export type { CallLogEntry, ClusterMember, ClusterOptions, SimCluster } from "./types.js";

/** sim/bin/talosctl, found from this file whether it runs from sim/ or dist-tools/sim/. */
export function simTalosctlPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${join("dist-tools", "sim")}`) ? resolve(here, "../..") : resolve(here, "..");
  return join(root, "sim", "bin", "talosctl");
}

/** Where member `index` (0-based, the order of `ips`) keeps its data inside a cluster's dir. */
export function memberDataDir(clusterDir: string, index: number): string {
  return join(clusterDir, `member-${index + 1}`);
}

/** True when etcd and etcdctl are installed (Debian etcd-server and etcd-client). */
export function etcdAvailable(): boolean {
  return findExecutable("etcd") !== null && findExecutable("etcdctl") !== null;
}

/** etcd and etcdctl from `etcdBin` when given (both must be there), else the first on PATH. */
function etcdExecutables(etcdBin: string | undefined): { etcdPath: string; etcdctlPath: string } {
  if (etcdBin !== undefined) {
    const [etcdPath, etcdctlPath] = [join(etcdBin, "etcd"), join(etcdBin, "etcdctl")];
    for (const path of [etcdPath, etcdctlPath])
      if (!existsSync(path)) throw new Error(`etcdBin: ${path} does not exist`);
    return { etcdPath, etcdctlPath };
  }
  const etcdPath = findExecutable("etcd");
  const etcdctlPath = findExecutable("etcdctl");
  if (etcdPath === null || etcdctlPath === null) {
    throw new Error("etcd/etcdctl not installed (apt-get install etcd-server etcd-client)");
  }
  return { etcdPath, etcdctlPath };
}

// Every live cluster's processes and dir, so the 'exit' hook can clean up after a crashed test.
const live = new Map<string, { children: () => ChildProcess[] }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanUp = (): void => {
    for (const [dir, cluster] of live) {
      for (const child of cluster.children()) if (isRunning(child)) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on("exit", cleanUp);
  // 'exit' does not fire when a signal kills the process: clean up, then die by the same signal.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      cleanUp();
      process.kill(process.pid, signal);
    });
  }
}

function isRunning(child: ChildProcess | undefined): boolean {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

async function assertPortsFree(ips: readonly string[], ports: readonly number[]): Promise<void> {
  for (const ip of ips) {
    for (const port of ports) {
      if (await isPortBusy(ip, port)) {
        throw new Error(
          `${ip}:${port} is already in use: another test run is using these IPs (pass other \`ips\`), ` +
            `or an etcd was left over by a crashed run (find it with \`ss -ltnp | grep ${ip}\` and stop it).`,
        );
      }
    }
  }
}

/** Copies saved data dirs into place; a plain copy keeps a bbolt file's free pages, so its fragmentation too. */
async function seedDataDirs(
  seeds: readonly string[] | undefined,
  ips: readonly string[],
  specs: ReadonlyMap<string, MemberSpec>,
): Promise<void> {
  if (seeds === undefined) return;
  if (seeds.length !== ips.length)
    throw new Error(`seedDataDirs: ${seeds.length} dirs for ${ips.length} IPs`);
  await Promise.all(
    ips.map((ip, i) =>
      cp(seeds[i] ?? "", specs.get(ip)?.dataDir ?? "", { recursive: true, force: false, errorOnExist: true }),
    ),
  );
}

/** What the real talosctl changes in a SimCluster: its path (the logging wrapper), env, call log, nodes. */
function realHandle(
  tools: ReturnType<typeof buildRealTools>,
  double: RunningDouble,
  config: SimConfig,
  configPath: string,
): Pick<SimCluster, "talosctlPath" | "env" | "callLog" | "setDefaultNodes" | "real"> {
  const callLogPath = join(config.dir, "talosctl-real-calls.jsonl");
  return {
    talosctlPath: tools.wrapper,
    env: {
      TALOS_SIM_CONFIG: configPath,
      TALOSCONFIG: double.talosconfig,
      TALOSCTL_REAL_BIN: tools.talosctl,
      TALOSCTL_REAL_CALL_LOG: callLogPath,
    },
    callLog: () => readRealCallLog(callLogPath, () => config.defaultNodes),
    setDefaultNodes: async (nodes: string[]) => {
      config.defaultNodes = [...nodes];
      await writeConfig(configPath, config);
      setTalosconfigNodes(tools, double, nodes);
    },
    real: { tag: tools.tag, talosctl: tools.talosctl, talosconfigOf: double.talosconfigOf },
  };
}

export async function startCluster(opts: ClusterOptions = {}): Promise<SimCluster> {
  const { etcdPath, etcdctlPath } = etcdExecutables(opts.etcdBin);
  const ips = opts.ips ?? (opts.learner ? [...DEFAULT_IPS, DEFAULT_LEARNER_IP] : [...DEFAULT_IPS]);
  const learnerIp = opts.learner ? (ips[ips.length - 1] ?? null) : null;
  const voterIps = learnerIp === null ? ips : ips.slice(0, -1);
  const learnerIdRank = opts.learnerIdRank ?? 2;
  if (learnerIp !== null && (voterIps.length === 0 || learnerIdRank < 1 || learnerIdRank > ips.length)) {
    throw new Error(`a learner needs at least one voter and a learnerIdRank in 1..${ips.length}`);
  }
  // TALOSCTL_REAL: the real talosctl in front of the Talos API double (sim/real-talosctl.ts), its era's release.
  const realTag = realTalosctlTag();
  const realTools = realTag === null ? null : buildRealTools(realTag);
  const release = realTag === null ? opts.release : releaseOfTag(realTag);
  await assertPortsFree(ips, realTag === null ? [2379, 2380] : [2379, 2380, 50000]);
  const parent = opts.dir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "talos-sim-"));
  const names = ips.map((_, i) => `talos-cp-${i + 1}`);
  const peerOf = (ip: string, i: number): string => `${names[i]}=http://${ip}:2380`;
  const baseToken = `sim-${Date.now().toString(36)}`;
  const token =
    learnerIp === null
      ? baseToken
      : chooseTokenForRank(
          voterIps.map((ip) => `http://${ip}:2380`),
          learnerIdRank,
          baseToken,
        );
  // The voters bootstrap the cluster; the learner joins it later, like Talos's joining node.
  const initialCluster = voterIps.map(peerOf).join(",");
  const specs = new Map<string, MemberSpec>(
    ips.map((ip, i) => [
      ip,
      {
        name: names[i] ?? ip,
        ip,
        dataDir: memberDataDir(dir, i),
        logPath: join(dir, `etcd-${i + 1}.log`),
        initialCluster: ip === learnerIp ? `${initialCluster},${peerOf(ip, i)}` : initialCluster,
        initialClusterState: ip === learnerIp ? "existing" : "new",
        clusterToken: token,
        quotaBytes: opts.quotaBytes ?? null,
      },
    ]),
  );
  const children = new Map<string, ChildProcess>();
  installExitHook();
  let double: RunningDouble | null = null;
  live.set(dir, { children: () => [...children.values(), ...(double === null ? [] : [double.process])] });

  const startMember = async (node: string): Promise<void> => {
    const spec = specs.get(node);
    if (spec === undefined) throw new Error(`unknown node ${node}`);
    if (isRunning(children.get(node))) return;
    children.set(node, spawnEtcd(etcdPath, spec));
  };
  const endpoint = (node: string): string => `http://${node}:2379`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await double?.stop();
      await Promise.all([...children.values()].map(stopEtcd));
      live.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const config = buildSimConfig({
    backend: "etcd",
    dir,
    ips,
    hostnames: names,
    ...(release === undefined ? {} : { release }),
    ...(opts.quotaBytes === undefined ? {} : { quotaBytes: opts.quotaBytes }),
    etcdctlPath,
    etcdutlPath: findEtcdutl(etcdctlPath),
  });
  const configPath = join(dir, "sim-config.json");

  try {
    await writeConfig(configPath, config);
    await seedDataDirs(opts.seedDataDirs, ips, specs);
    await Promise.all(voterIps.map(startMember));
    const voterRunning = (): boolean => voterIps.every((ip) => isRunning(children.get(ip)));
    await waitForLeader(voterIps.map(endpoint), 20_000, voterRunning);
    if (learnerIp !== null) {
      const seed = endpoint(voterIps[0] ?? "");
      const id = await addLearnerAtRank(seed, `http://${learnerIp}:2380`, learnerIdRank, 60_000);
      await startMember(learnerIp);
      await waitForLearnerJoined(seed, endpoint(learnerIp), id, 30_000);
    }
    if (realTools !== null) double = await startDouble(realTools.double, configPath);
  } catch (error) {
    const logs = await Promise.all(
      [...specs.values()].map((s) => readFile(s.logPath, "utf8").catch(() => "")),
    );
    await stop();
    const tail = logs.map((l) => l.split("\n").slice(-5).join("\n")).join("\n---\n");
    throw new Error(`${(error as Error).message}\netcd log tails:\n${tail}`);
  }

  const runningNodes = (): string[] => ips.filter((ip) => isRunning(children.get(ip)));
  const leaderNode = async (): Promise<string | null> => {
    const replies = await Promise.all(
      ips.map(async (ip) => ({ ip, reply: await readLeaderId(endpoint(ip)) })),
    );
    return replies.find((r) => r.reply !== null && r.reply.memberId === r.reply.leader)?.ip ?? null;
  };

  return {
    nodes: ips,
    learnerNode: learnerIp,
    voterNodes: voterIps,
    dir,
    backend: "etcd",
    release: config.release,
    ...configHandle(configPath, config, simTalosctlPath()),
    ...(realTools === null || double === null ? {} : realHandle(realTools, double, config, configPath)),
    endpoints: endpoint,
    stopMember: async (node: string) => {
      const child = children.get(node);
      if (child !== undefined) await stopEtcd(child);
    },
    signalMember: (node: string, signal: NodeJS.Signals) => {
      const child = children.get(node);
      return child !== undefined && isRunning(child) && child.kill(signal);
    },
    startMember: async (node: string) => {
      await startMember(node);
      await waitForLeader(runningNodes().map(endpoint), 20_000);
    },
    leaderNode,
    ...membershipHandle({ endpoint, runningNodes, voterNodes: voterIps, leaderNode }),
    stop,
  };
}
