/**
 * Test harness: a real 3-member etcd cluster on loopback IPs, one member per simulated Talos node,
 * plus the config file that the simulated talosctl (bin/talosctl) reads.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSimConfig, writeConfig } from "./config.js";
import { configHandle } from "./config-handle.js";
import { findExecutable, isPortBusy, type MemberSpec, spawnEtcd, stopEtcd } from "./etcd-process.js";
import { callGateway } from "./gateway.js";
import { type ClusterOptions, DEFAULT_IPS, type SimCluster } from "./types.js";

export type { CallLogEntry, ClusterOptions, SimCluster } from "./types.js";

/** test/sim/bin/talosctl, found from this file whether it runs from test/sim or dist-tools/test/sim. */
export function simTalosctlPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${join("dist-tools", "test", "sim")}`)
    ? resolve(here, "../../..")
    : resolve(here, "../..");
  return join(root, "test", "sim", "bin", "talosctl");
}

/** True when etcd and etcdctl are installed (Debian etcd-server and etcd-client). */
export function etcdAvailable(): boolean {
  return findExecutable("etcd") !== null && findExecutable("etcdctl") !== null;
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

interface StatusReply {
  header?: { member_id?: string };
  leader?: string;
}

async function readLeaderId(endpoint: string): Promise<{ memberId: string; leader: string } | null> {
  try {
    const reply = await callGateway<StatusReply>(endpoint, "maintenance/status", {}, { timeoutMs: 1000 });
    return { memberId: reply.header?.member_id ?? "0", leader: reply.leader ?? "0" };
  } catch {
    return null;
  }
}

async function waitForLeader(
  endpoints: string[],
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error("an etcd member exited during start-up");
    const replies = await Promise.all(endpoints.map(readLeaderId));
    const leaders = new Set(replies.map((r) => r?.leader ?? "0"));
    if (replies.every((r) => r !== null) && leaders.size === 1 && !leaders.has("0")) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd cluster at ${endpoints.join(", ")} did not elect a leader within ${timeoutMs} ms`);
}

async function assertPortsFree(ips: readonly string[]): Promise<void> {
  for (const ip of ips) {
    for (const port of [2379, 2380]) {
      if (await isPortBusy(ip, port)) {
        throw new Error(
          `${ip}:${port} is already in use: another test run is using these IPs (pass other \`ips\`), ` +
            `or an etcd was left over by a crashed run (find it with \`ss -ltnp | grep ${ip}\` and stop it).`,
        );
      }
    }
  }
}

export async function startCluster(opts: ClusterOptions = {}): Promise<SimCluster> {
  const etcdPath = findExecutable("etcd");
  const etcdctlPath = findExecutable("etcdctl");
  if (etcdPath === null || etcdctlPath === null) {
    throw new Error("etcd/etcdctl not installed (apt-get install etcd-server etcd-client)");
  }
  const ips = opts.ips ?? [...DEFAULT_IPS];
  await assertPortsFree(ips);
  const parent = opts.dir ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "talos-sim-"));
  const token = `sim-${Date.now().toString(36)}`;
  const names = ips.map((_, i) => `talos-cp-${i + 1}`);
  const initialCluster = ips.map((ip, i) => `${names[i]}=http://${ip}:2380`).join(",");
  const specs = new Map<string, MemberSpec>(
    ips.map((ip, i) => [
      ip,
      {
        name: names[i] ?? ip,
        ip,
        dataDir: join(dir, `member-${i + 1}`),
        logPath: join(dir, `etcd-${i + 1}.log`),
        initialCluster,
        clusterToken: token,
        quotaBytes: opts.quotaBytes ?? null,
      },
    ]),
  );
  const children = new Map<string, ChildProcess>();
  installExitHook();
  live.set(dir, { children: () => [...children.values()] });

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
    ...(opts.release === undefined ? {} : { release: opts.release }),
    ...(opts.quotaBytes === undefined ? {} : { quotaBytes: opts.quotaBytes }),
    etcdctlPath,
  });
  const configPath = join(dir, "sim-config.json");

  try {
    await writeConfig(configPath, config);
    await Promise.all(ips.map(startMember));
    await waitForLeader(ips.map(endpoint), 20_000, () => ips.every((ip) => isRunning(children.get(ip))));
  } catch (error) {
    const logs = await Promise.all(
      [...specs.values()].map((s) => readFile(s.logPath, "utf8").catch(() => "")),
    );
    await stop();
    const tail = logs.map((l) => l.split("\n").slice(-5).join("\n")).join("\n---\n");
    throw new Error(`${(error as Error).message}\netcd log tails:\n${tail}`);
  }

  return {
    nodes: ips,
    dir,
    backend: "etcd",
    release: config.release,
    ...configHandle(configPath, config, simTalosctlPath()),
    endpoints: endpoint,
    stopMember: async (node: string) => {
      const child = children.get(node);
      if (child !== undefined) await stopEtcd(child);
    },
    startMember: async (node: string) => {
      await startMember(node);
      await waitForLeader(ips.filter((ip) => isRunning(children.get(ip))).map(endpoint), 20_000);
    },
    leaderNode: async () => {
      const replies = await Promise.all(
        ips.map(async (ip) => ({ ip, reply: await readLeaderId(endpoint(ip)) })),
      );
      return replies.find((r) => r.reply !== null && r.reply.memberId === r.reply.leader)?.ip ?? null;
    },
    stop,
  };
}
