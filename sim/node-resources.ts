/**
 * What a simulated node answers to `processes` and `mounts`. Real backend: etcd's row is read from the member's
 * actual etcd process (/proc/<pid>/status and stat), and the filesystem from statfs of its data dir. Model
 * backend: invented from the model state (RSS follows the db file, which etcd maps into memory). Every node
 * also shows a few made-up Talos processes and mounts, so parsers must pick the right row.
 */
import { readdir, readFile, statfs } from "node:fs/promises";
import { basename } from "node:path";
import type { SimConfig } from "./config.js";
import { readModelState } from "./model-backend.js";

export interface SimProcess {
  pid: number;
  state: string;
  threads: number;
  cpuSeconds: number;
  virtualBytes: number;
  residentBytes: number;
  label: string;
  command: string;
}

export interface SimMount {
  filesystem: string;
  sizeBytes: number;
  availableBytes: number;
  mountedOn: string;
}

export interface ResourceSource {
  /** The node's processes; no etcd row when its member is not running. */
  processes(node: string): Promise<SimProcess[]>;
  /** The node's mounts; `/var` holds the member's data dir. */
  mounts(node: string): Promise<SimMount[]>;
}

const ETCD_LABEL = "system_u:system_r:etcd_t:s0";
const CLOCK_TICKS = 100;

/** How Talos starts etcd, shortened; the real process here runs with the simulator's own flags. */
function talosEtcdCommand(node: string, hostname: string): string {
  return `/usr/local/bin/etcd --advertise-client-urls=https://${node}:2379 --data-dir=/var/lib/etcd --listen-client-urls=https://0.0.0.0:2379 --name=${hostname}`;
}

/** Talos's other processes; the shim names etcd in its arguments, a trap for a careless matcher. */
function otherProcesses(label: (l: string) => string): SimProcess[] {
  const p = (pid: number, rss: number, l: string, command: string, threads = 9): SimProcess => ({
    pid,
    state: "S",
    threads,
    cpuSeconds: pid / 40,
    virtualBytes: rss === 0 ? 0 : rss * 20 + 1_000_000_000,
    residentBytes: rss,
    label: label(l),
    command,
  });
  return [
    p(1, 61_200_000, "system_u:system_r:init_t:s0", "/sbin/init", 11),
    p(1310, 28_300_000, "system_u:system_r:apid_t:s0", "/apid"),
    p(
      1700,
      9_400_000,
      "system_u:system_r:pod_containerd_t:s0",
      "/usr/local/bin/containerd-shim-runc-v2 -namespace system -id etcd -address /system/run/containerd/containerd.sock",
    ),
    p(2, 0, "system_u:system_r:kernel_t:s0", "kthreadd", 1),
  ];
}

/** Talos's other mounts around the one holding etcd's data. */
function otherMounts(): SimMount[] {
  return [
    { filesystem: "/dev/loop0", sizeBytes: 78_774_272, availableBytes: 0, mountedOn: "/" },
    { filesystem: "tmpfs", sizeBytes: 1_044_434_944, availableBytes: 1_044_430_848, mountedOn: "/system" },
    {
      filesystem: "/dev/sda5",
      sizeBytes: 99_252_224,
      availableBytes: 93_323_264,
      mountedOn: "/system/state",
    },
  ];
}

function varMount(sizeBytes: number, availableBytes: number, override: number | undefined): SimMount[] {
  const available = override ?? availableBytes;
  const size = Math.max(sizeBytes, available);
  return [
    { filesystem: "/dev/sda6", sizeBytes: size, availableBytes: available, mountedOn: "/var" },
    { filesystem: "overlay", sizeBytes: size, availableBytes: available, mountedOn: "/etc/cni" },
  ];
}

/** A worker runs no etcd. */
function runsEtcd(config: SimConfig, node: string): boolean {
  return config.faults[node]?.worker !== true;
}

function diskOverride(config: SimConfig, node: string): number | undefined {
  const faults = config.faults[node];
  return faults?.commands?.mounts?.diskAvailableBytes ?? faults?.diskAvailableBytes;
}

/** v1.10 prints the LABEL column but (as on a node without SELinux labels) leaves it empty. */
function labeller(config: SimConfig): (label: string) => string {
  return config.release === "v1.10" ? () => "" : (label) => label;
}

export function createResourceSource(config: SimConfig): ResourceSource {
  return config.backend === "model" ? modelSource(config) : realSource(config);
}

interface EtcdProcess {
  pid: number;
  dataDir: string;
}

/** The member's etcd: an `etcd` whose client URL is the node's and whose data dir is inside this cluster. */
async function findEtcdProcess(config: SimConfig, node: string): Promise<EtcdProcess | null> {
  const clientUrl = config.nodes.find((n) => n.name === node)?.clientUrl;
  if (clientUrl === undefined) return null;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, "utf8").then(
      (text) => text.split("\0"),
      () => [] as string[],
    );
    if (basename(argv[0] ?? "") !== "etcd") continue;
    const flag = (name: string) => {
      const at = argv.indexOf(name);
      return at < 0 ? undefined : argv[at + 1];
    };
    const dataDir = flag("--data-dir") ?? "";
    if (flag("--listen-client-urls") === clientUrl && dataDir.startsWith(config.dir))
      return { pid: Number(entry), dataDir };
  }
  return null;
}

/** RSS, size, threads and state from /proc/<pid>/status; CPU time from /proc/<pid>/stat. */
async function readProcess(pid: number): Promise<Omit<SimProcess, "label" | "command"> | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(status)?.[1] ?? "0";
    // Fields after the parenthesised command name start with the state (field 3); utime and stime are 14, 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      pid,
      state: field("State"),
      threads: Number(field("Threads")),
      cpuSeconds: (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS,
      virtualBytes: Number(field("VmSize")) * 1024,
      residentBytes: Number(field("VmRSS")) * 1024,
    };
  } catch {
    return null; // it exited between the scan and the read
  }
}

function realSource(config: SimConfig): ResourceSource {
  const hostname = (node: string) => config.nodes.find((n) => n.name === node)?.hostname ?? node;
  return {
    async processes(node) {
      const label = labeller(config);
      const etcd = runsEtcd(config, node) ? await findEtcdProcess(config, node) : null;
      const proc = etcd === null ? null : await readProcess(etcd.pid);
      const rows = otherProcesses(label);
      if (proc !== null)
        rows.push({ ...proc, label: label(ETCD_LABEL), command: talosEtcdCommand(node, hostname(node)) });
      return rows;
    },
    async mounts(node) {
      const etcd = await findEtcdProcess(config, node);
      const fs = await statfs(etcd?.dataDir ?? config.dir);
      return [
        ...otherMounts(),
        ...varMount(fs.blocks * fs.bsize, fs.bavail * fs.bsize, diskOverride(config, node)),
      ];
    },
  };
}

/** etcd keeps its db mmapped: resident memory follows the file, plus the server's own heap. */
const MODEL_HEAP = 45_000_000;
const MODEL_DISK = 20_000_000_000;

function modelSource(config: SimConfig): ResourceSource {
  const member = (node: string) => {
    const path = config.modelStatePath;
    return path === undefined ? undefined : readModelState(path).members.find((m) => m.node === node);
  };
  return {
    async processes(node) {
      const label = labeller(config);
      const m = member(node);
      const rows = otherProcesses(label);
      if (m?.running === true && runsEtcd(config, node))
        rows.push({
          pid: 1888,
          state: "S",
          threads: 14,
          cpuSeconds: 304.07,
          virtualBytes: 11_800_000_000,
          residentBytes: MODEL_HEAP + m.dbSize,
          label: label(ETCD_LABEL),
          command: talosEtcdCommand(node, m.hostname),
        });
      return rows;
    },
    async mounts(node) {
      const used = 2_000_000_000 + (member(node)?.dbSize ?? 0);
      return [...otherMounts(), ...varMount(MODEL_DISK, MODEL_DISK - used, diskOverride(config, node))];
    },
  };
}
