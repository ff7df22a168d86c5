/**
 * `processes` and `mounts` for the stateful in-process talosctl, as v1.13 prints them: processes laid out by
 * columnize (two-space gaps; any node down = the multierror and no table, exit 1), mounts by tabwriter (a node
 * down = WARNING, exit 0). etcd's RSS follows its db file (40 MB + dbSize), so a defrag visibly frees memory.
 */
import { formatSize } from "../../src/talos/size.js";
import type { ExecResult } from "../../src/talos/types.js";
import type { SimMember, StatefulCluster } from "./stateful-exec.js";
import { tabulate } from "./stateful-exec.js";

const HEAP = 40_000_000;
export const DEFAULT_DISK_AVAILABLE = 7_410_000_000;

export const rssOf = (member: SimMember) => HEAP + member.dbSize;

const result = (stdout: string, stderr = "", exitCode = 0): ExecResult => ({
  stdout,
  stderr,
  exitCode,
  timedOut: false,
  durationMs: 1,
});

function columnize(lines: string[][]): string {
  const widths: number[] = [];
  for (const line of lines)
    for (const [i, cell] of line.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return lines
    .map((l) => l.map((c, i) => (i === l.length - 1 ? c : `${c.padEnd(widths[i] ?? 0)}  `)).join(""))
    .join("\n");
}

export function answerProcesses(
  cluster: StatefulCluster,
  nodes: string[],
  down: (node: string) => boolean,
  unavailable: (node: string) => string,
): ExecResult {
  if (cluster.knobs.denyProcesses === true)
    return result("", "rpc error: code = PermissionDenied desc = not authorized\n", 1);
  const failed = nodes.filter(down);
  if (failed.length > 0) {
    const items = failed.map((n) => `\t* ${n}: ${unavailable(n)}\n`).join("");
    return result("", `${failed.length} error${failed.length === 1 ? "" : "s"} occurred:\n${items}\n\n`, 1);
  }
  const rows = nodes.flatMap((node) => {
    const member = cluster.members.find((m) => m.node === node);
    const etcd: string[][] = member
      ? [
          [
            node,
            "1888",
            "S",
            "14",
            "304.07",
            "12 GB",
            formatSize(rssOf(member)),
            "system_u:system_r:etcd_t:s0",
            `/usr/local/bin/etcd --name=${member.hostname}`,
          ],
        ]
      : [];
    const init = [
      node,
      "1",
      "S",
      "11",
      "57.82",
      "1.9 GB",
      "61 MB",
      "system_u:system_r:init_t:s0",
      "/sbin/init",
    ];
    return member !== undefined && rssOf(member) > 61_000_000 ? [...etcd, init] : [init, ...etcd];
  });
  const header = ["NODE", "PID", "STATE", "THREADS", "CPU-TIME", "VIRTMEM", "RESMEM", "LABEL", "COMMAND"];
  return result(`${columnize([header, ...rows])}\n`);
}

export function answerMounts(
  cluster: StatefulCluster,
  nodes: string[],
  down: (node: string) => boolean,
  unavailable: (node: string) => string,
): ExecResult {
  const failed = nodes.filter(down);
  const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
  const rows = nodes
    .filter((n) => !down(n))
    .map((node) => {
      const free = cluster.knobs.diskAvailableBytes?.[node] ?? DEFAULT_DISK_AVAILABLE;
      const size = Math.max(free, 9_890_000_000);
      return `${node}\t/dev/sda6\t${gb(size)}\t${gb(size - free)}\t${gb(free)}\t${((1 - free / size) * 100).toFixed(2)}%\t/var`;
    });
  const warning =
    failed.length === 0
      ? ""
      : `WARNING: ${failed.length} error${failed.length === 1 ? "" : "s"} occurred:\n${failed.map((n) => `\t* ${n}: ${unavailable(n)}\n`).join("")}\n\n`;
  return result(
    tabulate(["NODE\tFILESYSTEM\tSIZE(GB)\tUSED(GB)\tAVAILABLE(GB)\tPERCENT USED\tMOUNTED ON", ...rows]),
    warning,
  );
}
