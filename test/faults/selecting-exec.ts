/**
 * A fixture replay that answers for the nodes asked, as talosctl does: `fixtureExec` replays a scenario whatever
 * `-n` says, which cannot show a partial selection. Here a multi-node call keeps the fixture's rows and failures of
 * the nodes asked, a node the fixture does not know answers like an address nobody listens on, and the failures
 * are printed the way the scenario's release prints them (v1.14: `error from node` lines, exit 1; before: a
 * WARNING block with exit 0 while some node answered, else an error with exit 1). Single-node calls answer from
 * the fixture when the node answered status there. `etcd snapshot PATH` writes a small valid snapshot.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import { commandOf, nodesOf, tabulate } from "../cli/stateful-exec.js";
import { FIXTURE_ROOT } from "../talos/fixtures.js";

type Table = "status" | "members" | "alarm-list" | "alarm-disarm" | "processes" | "mounts";
const TABLES: Record<string, Table> = {
  "etcd status": "status",
  "etcd members": "members",
  "etcd alarm list": "alarm-list",
  "etcd alarm disarm": "alarm-disarm",
  processes: "processes",
  mounts: "mounts",
};

interface Failure {
  node: string;
  error: string;
}

interface Replay {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One scenario as the double sees it: which nodes it knows, and how each answered status. */
export interface Scenario {
  release: string;
  name: string;
  /** Every node the scenario names (status rows, failures, member client URLs). */
  nodes: string[];
  /** Nodes with a status row. */
  answeredStatus: string[];
  /**
   * The member list's nodes (from client URLs), learners included. A scenario whose members fixture lists nobody
   * (recorded for a worker node only) gets the members that answered status, and the double answers
   * `etcd members` for them as a voter would.
   */
  memberNodes: string[];
  learnerNodes: string[];
  /** Members as their status rows show them: what a synthesized member list holds. */
  statusMembers: { node: string; memberId: string; learner: boolean }[];
}

/** Without a node anywhere in the scenario (an error naming none), the usual three addresses are asked. */
const DEFAULT_NODES = ["172.20.0.2", "172.20.0.3", "172.20.0.4"];

const read = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, "utf8") : undefined;

function replayOf(release: string, name: string, sub: string): Replay | undefined {
  const base = join(FIXTURE_ROOT, release, name, sub);
  const stdout = read(`${base}.stdout`);
  if (stdout === undefined) return undefined;
  return {
    stdout,
    stderr: read(`${base}.stderr`) ?? "",
    exitCode: Number(read(`${base}.exit`)?.trim() ?? 0),
  };
}

/** Node failures as both talosctl shapes print them. */
function failuresOf(stderr: string): Failure[] {
  const found: Failure[] = [];
  for (const line of stderr.split("\n")) {
    const m = /^(?:error from node |\t\* )(\S+?): (.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) found.push({ node: m[1], error: m[2] });
  }
  return found;
}

const firstToken = (line: string) => line.split(/\s+/)[0] ?? "";

export function loadScenario(release: string, name: string): Scenario | undefined {
  const status = replayOf(release, name, "status");
  if (status === undefined) return undefined;
  const rows = status.stdout
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "");
  const answeredStatus = rows.map(firstToken).filter((n) => /^[\d.:a-f]+$/.test(n));
  const members = replayOf(release, name, "members");
  const memberLines = (members?.stdout ?? "")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "");
  const memberNodes = new Set<string>();
  const learnerNodes = new Set<string>();
  for (const line of memberLines) {
    const url = /https?:\/\/([\d.]+):2379/.exec(line)?.[1];
    if (url === undefined) continue;
    memberNodes.add(url);
    if (/\strue\s*$/.test(line)) learnerNodes.add(url);
  }
  const statusMembers = rows
    .filter((l) => answeredStatus.includes(firstToken(l)))
    .map((l) => {
      const cells = l.split(/\s+/);
      return { node: cells[0] ?? "", memberId: cells[1] ?? "", learner: cells.includes("true") };
    });
  for (const m of statusMembers) if (m.learner) learnerNodes.add(m.node);
  if (memberNodes.size === 0) for (const m of statusMembers) memberNodes.add(m.node);
  const nodes = new Set([...answeredStatus, ...failuresOf(status.stderr).map((f) => f.node), ...memberNodes]);
  return {
    release,
    name,
    nodes: nodes.size === 0 ? DEFAULT_NODES : [...nodes].sort(),
    answeredStatus,
    memberNodes: [...memberNodes].sort(),
    learnerNodes: [...learnerNodes].sort(),
    statusMembers,
  };
}

const UNAVAILABLE = (node: string) =>
  `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${node}:50000: connect: no route to host"`;

function ok(stdout: string, stderr = "", exitCode = 0): ExecResult {
  return { stdout, stderr, exitCode, timedOut: false, durationMs: 1 };
}

/** Renders failures the way the release prints them. */
function withFailures(
  release: string,
  what: string,
  rows: string,
  failures: Failure[],
  anyAnswered: boolean,
): ExecResult {
  if (failures.length === 0) return ok(rows);
  if (release === "v1.14")
    return ok(rows, failures.map((f) => `error from node ${f.node}: ${f.error}\n`).join(""), 1);
  const list = `${failures.length} error${failures.length === 1 ? "" : "s"} occurred:\n${failures.map((f) => `\t* ${f.node}: ${f.error}\n`).join("")}\n`;
  return anyAnswered ? ok(rows, `WARNING: ${list}\n`) : ok("", `error getting ${what}: ${list}`, 1);
}

/** `rewrite`: changes a fixture's text before it is replayed (a test's variant of the scenario). */
export function selectingExec(
  scenario: Scenario,
  calls: string[][],
  rewrite: (table: string, stdout: string) => string = (_, stdout) => stdout,
): Exec {
  const { release, name } = scenario;
  const known = new Set(scenario.nodes);
  return async (_file, args) => {
    calls.push([...args]);
    const asked = nodesOf(args);
    const command = commandOf(args);
    const table = TABLES[command];
    if (table !== undefined) {
      const original = replayOf(release, name, table) ?? { stdout: "", stderr: "", exitCode: 0 };
      const replay = { ...original, stdout: rewrite(table, original.stdout) };
      const fixtureFailures = failuresOf(replay.stderr);
      // A failure of the whole call that names no node (a usage error, garbage): replayed as it is.
      if (replay.exitCode !== 0 && fixtureFailures.length === 0)
        return ok(replay.stdout, replay.stderr, replay.exitCode);
      const lines = replay.stdout.split("\n");
      const header = lines[0] ?? "";
      const body = lines.slice(1).filter((l) => l.trim() !== "");
      const kept = body.filter((l) => !known.has(firstToken(l)) || asked.includes(firstToken(l)));
      const synthesized =
        table === "members" && !header.startsWith("NODE") ? membersOf(scenario, asked) : null;
      if (synthesized !== null) kept.push(...synthesized.rows);
      const head = synthesized?.header ?? header;
      const rows =
        kept.length === 0
          ? head.startsWith("NODE")
            ? ""
            : replay.stdout
          : `${[head, ...kept].join("\n")}\n`;
      const failures = [
        ...fixtureFailures.filter((f) => asked.includes(f.node)),
        ...asked.filter((n) => !known.has(n)).map((n) => ({ node: n, error: UNAVAILABLE(n) })),
      ];
      const anyAnswered = asked.some((n) => known.has(n) && !failures.some((f) => f.node === n));
      return withFailures(release, table === "status" ? "status" : table, rows, failures, anyAnswered);
    }
    const node = asked[0] ?? "";
    if (!scenario.answeredStatus.includes(node)) return ok("", `error: ${UNAVAILABLE(node)}\n`, 1);
    if (command.startsWith("get etcdspec")) {
      const spec = replayOf(release, name, "etcdspec");
      return spec === undefined
        ? ok("", "error: rpc error: code = NotFound desc = no etcdspec\n", 1)
        : ok(spec.stdout);
    }
    const words = command.split(" ");
    if (words[0] === "etcd" && words[1] === "snapshot" && words[2] !== undefined) return snapshot(words[2]);
    if (command === "etcd defrag" || command === "etcd forfeit-leadership") return ok("");
    return ok("", `unknown command "${command}" for "talosctl"\n`, 1);
  };
}

/** `etcd members` as the voters asked would print it, from the status rows (a learner answers no member list). */
function membersOf(scenario: Scenario, asked: readonly string[]): { header: string; rows: string[] } {
  const voters = asked.filter((n) => scenario.statusMembers.some((m) => m.node === n && !m.learner));
  const lines = tabulate([
    "NODE\tID\tHOSTNAME\tPEER URLS\tCLIENT URLS\tLEARNER",
    ...voters.flatMap((v) =>
      scenario.statusMembers.map(
        (m, i) =>
          `${v}\t${m.memberId}\ttalos-cp-${i + 1}\thttps://${m.node}:2380\thttps://${m.node}:2379\t${m.learner}`,
      ),
    ),
  ]).split("\n");
  return { header: lines[0] ?? "", rows: lines.slice(1).filter((l) => l.trim() !== "") };
}

async function snapshot(path: string): Promise<ExecResult> {
  const data = Buffer.alloc(4 * 512, 7);
  const file = Buffer.concat([data, createHash("sha256").update(data).digest()]);
  await writeFile(`${path}.part`, file, { mode: 0o600 });
  await rename(`${path}.part`, path);
  return ok(
    `etcd snapshot saved to ${JSON.stringify(path)} (${file.length} bytes)\nsnapshot info: hash 0badc0de, revision 53391, total keys 1187, total size ${data.length}\n`,
  );
}
