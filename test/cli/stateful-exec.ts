/**
 * An Exec-level talosctl for in-process CLI tests: a small mutable three-member cluster that answers with the
 * text talosctl v1.13 prints (tabwriter tables, WARNING blocks, the two snapshot lines), so the whole program,
 * parsers included, runs as in production. Defrag, forfeit, disarm and snapshot change the model; every argv
 * is recorded. Knobs script the awkward cases: forfeit denied, a defrag failing, alarms, a node down.
 */
import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { formatSize } from "../../src/talos/size.js";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import { expectCliJson } from "../support/json-documents.js";
import { ANY_EXECUTABLE, recordIO } from "./fixture-exec.js";
import { answerMounts, answerProcesses } from "./stateful-resources.js";

export interface SimMember {
  node: string;
  memberId: string;
  hostname: string;
  dbSize: number;
  dbSizeInUse: number;
  /** An etcd learner: answers status only; members, alarm list and defrag are refused as Talos relays etcd. */
  learner?: boolean;
}

export interface Knobs {
  /** forfeit-leadership answers PermissionDenied (the talosconfig lacks os:admin). */
  denyForfeit: boolean;
  /** Nodes whose defrag call fails (exit 1) and leaves the database as it was. */
  failDefrag: Set<string>;
  /** Nodes that answer nothing: left out of tables and named in a WARNING block (v1.13, exit 0). */
  unreachable: Set<string>;
  /** The snapshot file lands without its last 100 bytes while talosctl still reports success. */
  truncateSnapshot: boolean;
  /** quota-backend-bytes in the EtcdSpec; null = not set (etcd's default applies). */
  quotaBytes: number | null;
  /** The etcd version every member reports in PROTOCOL. */
  etcdVersion: string;
  /** Awaited before the snapshot's file is written (given the path talosctl was given): holds a snapshot streaming. */
  beforeSnapshot?: (path: string) => Promise<void>;
  /** Awaited before a defrag takes effect: lets a test hold a defrag "running". */
  beforeDefrag?: (node: string) => Promise<void>;
  /** `mounts`: free bytes on /var per node (default 7.41 GB); see stateful-resources.ts. */
  diskAvailableBytes?: Record<string, number>;
  /** `processes` answers PermissionDenied (a role that cannot list processes). */
  denyProcesses?: boolean;
}

export interface StatefulCluster {
  exec: Exec;
  calls: string[][];
  members: SimMember[];
  leaderId: string;
  alarms: { memberId: string; alarm: "NOSPACE" | "CORRUPT" }[];
  raftIndex: number;
  knobs: Knobs;
}

const MB = 1_000_000;

/** Every member fragmented enough for the default rule; 172.20.0.3 leads. Sizes print exactly (`1.5 GB`). */
export function fragmentedMembers(): SimMember[] {
  const rows: [string, string, number, number][] = [
    ["172.20.0.2", "a49c021e76e707db", 310, 48],
    ["172.20.0.3", "ecebb05b59a776f1", 420, 50],
    ["172.20.0.4", "0b47fb33e59bf0e2", 1500, 47],
  ];
  return rows.map(([node, memberId, size, inUse], i) => ({
    node,
    memberId,
    hostname: `talos-cp-${i + 1}`,
    dbSize: size * MB,
    dbSizeInUse: inUse * MB,
  }));
}

export const NODES = "172.20.0.2,172.20.0.3,172.20.0.4";

/** `defrag --yes -o json` on these nodes with a short wait, as most CLI flow tests run it. */
export const defragJsonArgs = (nodes: string, ...extra: string[]): string[] => [
  "-n",
  nodes,
  "-o",
  "json",
  "defrag",
  "--yes",
  "--wait-timeout",
  "2s",
  ...extra,
];
/** `snapshot -o json` from 172.20.0.4 into DIR, as the snapshot tests run it; global flags go before it. */
export const snapshotJsonArgs = (dir: string, ...extra: string[]): string[] => [
  "-n",
  "172.20.0.4",
  "-o",
  "json",
  "snapshot",
  "--snapshot-dir",
  dir,
  ...extra,
];

const UNAVAILABLE = (node: string) =>
  `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${node}:50000: connect: no route to host"`;

const QUIET = { denyForfeit: false, truncateSnapshot: false, quotaBytes: null, etcdVersion: "3.6.5" };

export function createStatefulCluster(members = fragmentedMembers(), leader = "172.20.0.3"): StatefulCluster {
  const cluster: StatefulCluster = {
    exec: async (_file, args) => answer(cluster, args),
    calls: [],
    members,
    leaderId: members.find((m) => m.node === leader)?.memberId ?? "",
    alarms: [],
    raftIndex: 53391,
    knobs: { ...QUIET, failDefrag: new Set(), unreachable: new Set() },
  };
  return cluster;
}

/** `etcd defrag`, `etcd snapshot /x.db`: the command words of an argv, global flags dropped. */
export function commandOf(argv: readonly string[]): string {
  return splitArgv(argv).words.join(" ");
}

/** The -n value of an argv, split. */
export function nodesOf(argv: readonly string[]): string[] {
  return splitArgv(argv).nodes;
}

const MUTATING = ["etcd defrag", "etcd snapshot", "etcd forfeit-leadership", "etcd alarm disarm"];
export const isMutating = (argv: readonly string[]) => MUTATING.some((m) => commandOf(argv).startsWith(m));

/** createTalosctl puts every global flag, each with its value, before the command words. */
function splitArgv(argv: readonly string[]): { nodes: string[]; words: string[] } {
  const n = argv.indexOf("-n");
  let start = 0;
  while (start < argv.length && (argv[start] ?? "").startsWith("-")) start += 2;
  return { nodes: n < 0 || n > start ? [] : (argv[n + 1] ?? "").split(","), words: argv.slice(start) };
}

function result(stdout: string, stderr = "", exitCode = 0): ExecResult {
  return { stdout, stderr, exitCode, timedOut: false, durationMs: 1 };
}
const fail = (stderr: string) => result("", stderr, 1);
const MULTIPLE = 'command "etcd defrag" is not supported with multiple nodes\n';
const DENIED = "error: rpc error: code = PermissionDenied desc = not authorized\n";
const DEFRAG_FAILED = "error defragmenting: rpc error: code = Unknown desc = etcdserver: request timed out\n";
/** What Talos relays when a learner's etcd refuses an RPC (docs/TALOSCTL.md "Learners"). */
const LEARNER_REFUSED: Record<string, string> = {
  members: "rpc error: code = Unknown desc = etcdserver: rpc not supported for learner",
  alarms:
    "rpc error: code = Unknown desc = failed to list etcd alarms: etcdserver: rpc not supported for learner",
  defrag:
    "rpc error: code = Unknown desc = failed to defragment etcd: etcdserver: rpc not supported for learner",
};
const BAD_TRANSFEREE =
  "error: rpc error: code = Unknown desc = failed to forfeit leadership: etcdserver: bad leader transferee\n";

async function answer(cluster: StatefulCluster, args: readonly string[]): Promise<ExecResult> {
  cluster.calls.push([...args]);
  const { nodes: asked, words } = splitArgv(args);
  const nodes = asked.length > 0 ? asked : [cluster.members[0]?.node ?? ""];
  const command = words.join(" ");
  if (command === "etcd status") return multi(cluster, nodes, "status", () => statusTable(cluster, nodes));
  if (command === "etcd members") return multi(cluster, nodes, "members", () => membersTable(cluster, nodes));
  if (command === "etcd alarm list") return multi(cluster, nodes, "alarms", () => alarmTable(cluster, nodes));
  if (command === "etcd alarm disarm") {
    const reply = multi(cluster, nodes, "alarms", () => alarmTable(cluster, nodes));
    if (reply.exitCode === 0) cluster.alarms = [];
    return reply;
  }
  const down = (n: string) => isDown(cluster, n);
  if (command === "processes") return answerProcesses(cluster, nodes, down, UNAVAILABLE);
  if (command === "mounts") return answerMounts(cluster, nodes, down, UNAVAILABLE);
  const node = nodes[0] ?? "";
  if (nodes.length !== 1 && command === "etcd defrag") return fail(MULTIPLE);
  if (isDown(cluster, node)) return fail(`error: ${UNAVAILABLE(node)}\n`);
  if (command.startsWith("get etcdspec etcd")) return result(etcdSpec(node, cluster.knobs.quotaBytes));
  if (command === "etcd forfeit-leadership") return forfeit(cluster, node);
  if (command === "etcd defrag" && isLearner(cluster, node))
    return fail(`error: ${LEARNER_REFUSED.defrag}\n`);
  if (command === "etcd defrag") return defrag(cluster, node);
  if (words[0] === "etcd" && words[1] === "snapshot" && words.length === 3)
    return snapshot(cluster, words[2] ?? "");
  return fail(`unknown command "${command}" for "talosctl"\n`);
}

/** v1.13: nodes that fail are left out and named in a WARNING block, exit 0; all failing is an error, exit 1. */
function multi(cluster: StatefulCluster, nodes: string[], what: string, table: () => string): ExecResult {
  const refused = (n: string) => what !== "status" && isLearner(cluster, n);
  const down = nodes.filter((n) => isDown(cluster, n) || refused(n));
  if (what === "status") cluster.raftIndex += 7;
  const why = (n: string) => (refused(n) ? (LEARNER_REFUSED[what] ?? "") : UNAVAILABLE(n));
  const list = `${down.length} error${down.length === 1 ? "" : "s"} occurred:\n${down.map((n) => `\t* ${n}: ${why(n)}\n`).join("")}\n`;
  if (down.length === nodes.length) return fail(`error getting ${what}: ${list}`);
  return result(table(), down.length === 0 ? "" : `WARNING: ${list}\n`);
}

function isLearner(cluster: StatefulCluster, node: string): boolean {
  return cluster.members.some((m) => m.node === node && m.learner === true);
}

function isDown(cluster: StatefulCluster, node: string): boolean {
  return cluster.knobs.unreachable.has(node) || !cluster.members.some((m) => m.node === node);
}

/** The leader answers first here: rows come in answer order, never in -n order. */
function answering(cluster: StatefulCluster, nodes: string[], learners = true): SimMember[] {
  const up = cluster.members.filter(
    (m) => nodes.includes(m.node) && !isDown(cluster, m.node) && (learners || m.learner !== true),
  );
  return up.sort((a, b) => Number(b.memberId === cluster.leaderId) - Number(a.memberId === cluster.leaderId));
}

// Written as talosctl does: one tab after every cell but the last, then one tabwriter flush.
const STATUS_HEADER =
  "NODE\tMEMBER\tDB SIZE\tIN USE\tLEADER\tRAFT INDEX\tRAFT TERM\tRAFT APPLIED INDEX\tLEARNER\tPROTOCOL\tSTORAGE\tERRORS";

function statusTable(cluster: StatefulCluster, nodes: string[]): string {
  const errors = cluster.alarms.map((a) => `memberID:${BigInt(`0x${a.memberId}`)} alarm:${a.alarm}`);
  const raft = cluster.raftIndex;
  const rows = answering(cluster, nodes).map((m) => {
    const inUse = `${formatSize(m.dbSizeInUse)} (${((m.dbSizeInUse / m.dbSize) * 100).toFixed(2)}%)`;
    const sizes = `${formatSize(m.dbSize)}\t${inUse}`;
    const learner = m.learner === true;
    return `${m.node}\t${m.memberId}\t${sizes}\t${cluster.leaderId}\t${raft}\t4\t${raft}\t${learner}\t${cluster.knobs.etcdVersion}\t3.6.0\t${errors.join(", ")}`;
  });
  return tabulate([STATUS_HEADER, ...rows]);
}

function membersTable(cluster: StatefulCluster, nodes: string[]): string {
  const rows = answering(cluster, nodes, false).flatMap((asked) =>
    cluster.members.map(
      (m) =>
        `${asked.node}\t${m.memberId}\t${m.hostname}\thttps://${m.node}:2380\thttps://${m.node}:2379\t${m.learner === true}`,
    ),
  );
  return tabulate(["NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER", ...rows]);
}

/** No alarms: nothing at all on stdout. Alarms are cluster-wide, so every node repeats them. */
function alarmTable(cluster: StatefulCluster, nodes: string[]): string {
  if (cluster.alarms.length === 0) return "";
  const up = answering(cluster, nodes, false);
  const rows = up.flatMap((m) => cluster.alarms.map((a) => `${m.node}\t${a.memberId}\t${a.alarm}`));
  return tabulate(["NODE\tMEMBER\tALARM", ...rows]);
}

/** Go text/tabwriter, padding 3: every cell but a line's last is padded to its column's widest cell + 3. */
export function tabulate(lines: string[]): string {
  const rows = lines.map((line) => line.split("\t"));
  const widths: number[] = [];
  for (const row of rows)
    for (const [i, cell] of row.slice(0, -1).entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  const pad = (row: string[]) => row.map((c, i) => (i < row.length - 1 ? c.padEnd((widths[i] ?? 0) + 3) : c));
  return rows.map((row) => `${pad(row).join("")}\n`).join("");
}

/** v1.13+ shape: each extra arg holds a list of values. */
function etcdSpec(node: string, quota: number | null): string {
  const extra = quota === null ? ["    extraArgs: {}"] : ["    extraArgs:", "        quota-backend-bytes:"];
  if (quota !== null) extra.push("            values:", `                - "${quota}"`);
  const head = [`node: ${node}`, "metadata:", "    namespace: etcd", "    type: EtcdSpecs.etcd.talos.dev"];
  return [...head, "    id: etcd", "spec:", "    name: talos-cp", ...extra, ""].join("\n");
}

/**
 * Like the server: a leader hands over to the first OTHER member in ascending member-ID order, learners included,
 * and etcd refuses a learner; a follower does nothing.
 */
function forfeit(cluster: StatefulCluster, node: string): ExecResult {
  if (cluster.knobs.denyForfeit) return fail(DENIED);
  const self = cluster.members.find((m) => m.node === node);
  if (self?.memberId !== cluster.leaderId) return result("");
  const [next] = cluster.members.filter((m) => m !== self).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  if (next?.learner === true) return fail(BAD_TRANSFEREE);
  if (next !== undefined) cluster.leaderId = next.memberId;
  return result("");
}

async function defrag(cluster: StatefulCluster, node: string): Promise<ExecResult> {
  await cluster.knobs.beforeDefrag?.(node);
  if (cluster.knobs.failDefrag.has(node)) return fail(DEFRAG_FAILED);
  for (const m of cluster.members) if (m.node === node) m.dbSize = m.dbSizeInUse;
  return result("");
}

/** Eight 512-byte pages + their SHA-256. talosctl writes PATH.part, renames it over PATH, prints two lines. */
async function snapshot(cluster: StatefulCluster, path: string): Promise<ExecResult> {
  await cluster.knobs.beforeSnapshot?.(path);
  const data = Buffer.alloc(8 * 512);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + cluster.raftIndex) % 251;
  let file = Buffer.concat([data, createHash("sha256").update(data).digest()]);
  if (cluster.knobs.truncateSnapshot) file = file.subarray(0, file.length - 100);
  await writeFile(`${path}.part`, file, { mode: 0o600 });
  await rename(`${path}.part`, path);
  const hash = createHash("sha256").update(data).digest("hex").slice(0, 8);
  return result(
    `etcd snapshot saved to ${JSON.stringify(path)} (${file.length} bytes)\nsnapshot info: hash ${hash}, revision ${cluster.raftIndex}, total keys 1187, total size ${data.length}\n`,
  );
}

export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs the whole CLI in-process against the cluster; a second Ctrl-C's exitNow is a no-op unless overridden. */
export async function runCli(
  cluster: StatefulCluster,
  args: string[],
  io: Partial<CliIO> = {},
): Promise<CliRun> {
  const rec = recordIO(() => cluster.exec, { onStopSignal: () => () => {}, exitNow: () => {}, ...io });
  const code = await main(["--talosctl", ANY_EXECUTABLE, ...args], rec.io);
  const stdout = rec.stdout();
  // The argv is known here: the command decides the schema (test/support/json-documents.ts).
  expectCliJson(args, stdout);
  return { code, stdout, stderr: rec.stderr() };
}
