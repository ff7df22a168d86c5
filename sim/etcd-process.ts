/** Start and stop one etcd member process of a simulated cluster. */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, closeSync, constants, openSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, dirname, join } from "node:path";

export interface MemberSpec {
  name: string;
  ip: string;
  dataDir: string;
  logPath: string;
  initialCluster: string;
  clusterToken: string;
  quotaBytes: number | null;
  /** "existing" for a member joined with `member add` (the learner); default "new". */
  initialClusterState?: "new" | "existing";
}

/** An executable on PATH (or in /usr/bin, where Debian puts etcd), else null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * etcdutl of the same etcd as `etcdctlPath` (beside it, as etcd's release archives and scripts/etcd-build put
 * them), else the first on PATH, else null (etcd 3.4 has no etcdutl).
 */
export function findEtcdutl(etcdctlPath: string): string | null {
  const beside = join(dirname(etcdctlPath), "etcdutl");
  try {
    accessSync(beside, constants.X_OK);
    return beside;
  } catch {
    return findExecutable("etcdutl");
  }
}

export function buildEtcdArgs(spec: MemberSpec): string[] {
  const args = [
    "--name",
    spec.name,
    "--data-dir",
    spec.dataDir,
    "--listen-client-urls",
    `http://${spec.ip}:2379`,
    "--advertise-client-urls",
    `http://${spec.ip}:2379`,
    "--listen-peer-urls",
    `http://${spec.ip}:2380`,
    "--initial-advertise-peer-urls",
    `http://${spec.ip}:2380`,
    "--initial-cluster",
    spec.initialCluster,
    "--initial-cluster-token",
    spec.clusterToken,
    "--initial-cluster-state",
    spec.initialClusterState ?? "new",
    // Small snapshot count so raft snapshots happen during tests, like on a busy cluster.
    "--snapshot-count",
    "2000",
    // Loopback: fast heartbeats keep elections and leadership transfers quick.
    "--heartbeat-interval",
    "50",
    "--election-timeout",
    "500",
    // Compaction is the tests' job (fragmentCluster): automatic compaction would blur db sizes.
    "--auto-compaction-retention",
    "0",
    "--logger",
    "zap",
    "--log-outputs",
    "stderr",
  ];
  if (spec.quotaBytes !== null) args.push("--quota-backend-bytes", String(spec.quotaBytes));
  return args;
}

/** True when something already listens on ip:port (a previous crashed run, say). */
export function isPortBusy(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function spawnEtcd(etcdPath: string, spec: MemberSpec): ChildProcess {
  const logFd = openSync(spec.logPath, "a");
  try {
    const child = spawn(etcdPath, buildEtcdArgs(spec), { stdio: ["ignore", logFd, logFd] });
    // The test process must be able to exit while members run; the exit hook kills them.
    child.unref();
    return child;
  } finally {
    closeSync(logFd);
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function stopEtcd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  if (await waitForExit(child, 5000)) return;
  child.kill("SIGKILL");
  await waitForExit(child, 5000);
}
