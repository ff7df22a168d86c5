/**
 * Random clusters for the generated sweep (generated-sweep.test.ts): fast-check arbitraries for a cluster, a
 * selection (-n, --context) and a command line, and an in-process talosctl for one generated cluster. The
 * talosctl is the stateful cluster of test/cli/stateful-exec.ts (v1.13's text: tabwriter tables, WARNING blocks,
 * learner refusals), which changes as defrag, forfeit, disarm and snapshot run, with the generated faults on top:
 * members down (no route to host), hung (every call that includes them times out), answering only some calls,
 * member lists that disagree (a voter that misses a member, or lists a removed one), no leader.
 *
 * Every case has a toString (fast-check prints it with the seed and the shrunk case when a property fails): the
 * cluster as a table and the argv, readable as they are.
 */
import fc from "fast-check";
import type { Exec, ExecResult } from "../../src/talos/types.js";
import {
  commandOf,
  createStatefulCluster,
  nodesOf,
  type StatefulCluster,
  tabulate,
} from "../cli/stateful-exec.js";

const MB = 1_000_000;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** talosctl calls a node can fail while it answers the others ("answering only some calls"). */
export const FAILABLE = [
  "etcd status",
  "etcd members",
  "etcd alarm list",
  "processes",
  "mounts",
  "get etcdspec",
  "etcd snapshot",
  "etcd defrag",
  "etcd forfeit-leadership",
  "etcd alarm disarm",
] as const;
export type FailableCall = (typeof FAILABLE)[number];

export interface GenMember {
  node: string;
  memberId: string;
  learner: boolean;
  dbSize: number;
  dbSizeInUse: number;
  /** up; down (no route to host); hung (every call that includes it times out). */
  state: "up" | "down" | "hung";
  /** Calls this node fails although it answers the others. */
  fails: FailableCall[];
  /** Free bytes on /var (default when absent): a few MB make a defrag's copy impossible. */
  diskAvailable?: number;
}

export interface GenCluster {
  members: GenMember[];
  /** The leader's member ID (a voter), or null: no member knows a leader. */
  leaderId: string | null;
  /** quota-backend-bytes in the etcdspec; null: etcd's default 2 GiB. */
  quotaBytes: number | null;
  alarms: { memberId: string; alarm: "NOSPACE" | "CORRUPT" }[];
  /** Member lists that disagree: this voter's list leaves out `drops` and adds a removed member `ghost`. */
  disagreeing: { node: string; drops: string | null; ghost: boolean } | null;
  /** The etcd every member reports (PROTOCOL): some with a known defrag hazard (catch-up margin, advisories). */
  etcdVersion: string;
  /** A member whose status names itself as leader (a partition), or whose applied index trails by `lag`. */
  odd: { node: string; selfLeader: boolean; lag: number } | null;
}

export const GHOST = { node: "172.20.0.60", memberId: "deadbeefdeadbeef" };
/** Addresses that are no member of any generated cluster. */
export const STRANGERS = ["172.20.0.99", "10.9.9.9"];

const hex16 = (n: bigint) => n.toString(16).padStart(16, "0");

/** dbSize and dbSizeInUse around the points where verdicts change: the quota headroom and the reclaim floors. */
function sizes(quota: number): fc.Arbitrary<{ dbSize: number; dbSizeInUse: number }> {
  const free = fc.oneof(
    fc.constantFrom(0, 16 * MiB, 31 * MiB, 33 * MiB, 99 * MiB, 101 * MiB, 150 * MB, 199 * MiB, 201 * MiB),
    fc.integer({ min: 0, max: 1500 * MB }),
  );
  const size = fc.oneof(
    fc.integer({ min: 20 * MB, max: 400 * MB }),
    fc.integer({ min: Math.round(0.7 * quota), max: Math.round(1.02 * quota) }),
    fc.constantFrom(Math.round(0.8 * quota), Math.round(0.79 * quota), Math.round(0.81 * quota)),
    fc.integer({ min: 400 * MB, max: 1600 * MB }),
  );
  return fc.tuple(size, free).map(([dbSize, f]) => ({ dbSize, dbSizeInUse: Math.max(MB, dbSize - f) }));
}

const failures = fc.oneof(
  { weight: 6, arbitrary: fc.constant<FailableCall[]>([]) },
  { weight: 1, arbitrary: fc.subarray([...FAILABLE], { minLength: 1, maxLength: 3 }) },
);

const memberState = fc.oneof(
  { weight: 10, arbitrary: fc.constant("up" as const) },
  { weight: 1, arbitrary: fc.constant("down" as const) },
  { weight: 1, arbitrary: fc.constant("hung" as const) },
);

export const clusterArb: fc.Arbitrary<GenCluster> = fc
  .record({
    n: fc.integer({ min: 1, max: 7 }),
    quotaBytes: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(1 * GiB, 4 * GiB) },
    ),
  })
  .chain(({ n, quotaBytes }) => {
    const quota = quotaBytes ?? 2 * GiB;
    return fc
      .record({
        ids: fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }), { minLength: n, maxLength: n }),
        learners: fc.array(
          fc.nat(4).map((x) => x === 0),
          { minLength: n, maxLength: n },
        ),
        sizes: fc.array(sizes(quota), { minLength: n, maxLength: n }),
        states: fc.array(memberState, { minLength: n, maxLength: n }),
        fails: fc.array(failures, { minLength: n, maxLength: n }),
        disk: fc.array(fc.option(fc.constantFrom(5 * MB, 900 * MB), { freq: 12 }), {
          minLength: n,
          maxLength: n,
        }),
        leader: fc.option(fc.nat(n - 1), { freq: 8 }),
        nospace: fc.option(fc.nat(n - 1), { freq: 3 }),
        corrupt: fc.option(fc.nat(n - 1), { freq: 8 }),
        // Two clusters in five are calm (no fault at all, sizes still drawn): else nearly every draw has some
        // fault, and the verdicts a calm cluster gets (go, a defrag run) would be reached too rarely to test.
        calm: fc.nat(4).map((x) => x < 2),
        etcdVersion: fc.constantFrom("3.6.5", "3.6.5", "3.6.4", "3.5.21", "3.5.26", "3.4.23"),
        odd: fc.option(
          fc.record({
            member: fc.nat(n - 1),
            selfLeader: fc.boolean(),
            lag: fc.constantFrom(0, 90, 150, 999, 1001, 6000),
          }),
          { freq: 6 },
        ),
        disagreeing: fc.option(
          fc.record({ voter: fc.nat(n - 1), drops: fc.option(fc.nat(n - 1)), ghost: fc.boolean() }),
          {
            freq: 8,
          },
        ),
      })
      .map((drawn): GenCluster => {
        const r = drawn.calm ? calmed(drawn) : drawn;
        const members: GenMember[] = r.ids.map((id, i) => ({
          node: `172.20.0.${i + 2}`,
          memberId: hex16(id),
          learner: r.learners[i] === true,
          ...(r.sizes[i] ?? { dbSize: 50 * MB, dbSizeInUse: 40 * MB }),
          state: r.states[i] ?? "up",
          fails: r.fails[i] ?? [],
          ...(r.disk[i] == null ? {} : { diskAvailable: r.disk[i] as number }),
        }));
        // etcd has at least one voter; the first member is one when the draw made none.
        if (members.every((m) => m.learner)) (members[0] as GenMember).learner = false;
        const voters = members.filter((m) => !m.learner);
        const leader = r.leader === null ? null : (voters[r.leader % voters.length] ?? null);
        const at = (i: number | null) => (i === null ? undefined : members[i]);
        const alarms: GenCluster["alarms"] = [];
        const nospace = at(r.nospace);
        if (nospace !== undefined) alarms.push({ memberId: nospace.memberId, alarm: "NOSPACE" });
        const corrupt = at(r.corrupt);
        if (corrupt !== undefined) alarms.push({ memberId: corrupt.memberId, alarm: "CORRUPT" });
        const d = r.disagreeing;
        const lister = d === null ? undefined : voters[d.voter % voters.length];
        const dropped = d === null ? undefined : at(d.drops);
        const disagreeing =
          d === null || lister === undefined || (dropped === undefined && !d.ghost)
            ? null
            : { node: lister.node, drops: dropped?.memberId ?? null, ghost: d.ghost };
        const oddOne = r.odd === null ? undefined : at(r.odd.member);
        const odd =
          r.odd === null || oddOne === undefined || (!r.odd.selfLeader && r.odd.lag === 0)
            ? null
            : { node: oddOne.node, selfLeader: r.odd.selfLeader, lag: r.odd.lag };
        return {
          members,
          leaderId: leader?.memberId ?? null,
          quotaBytes,
          alarms,
          disagreeing,
          odd,
          etcdVersion: r.etcdVersion,
        };
      });
  });

/** Calls that change the cluster: a calm cluster may still fail them, mid-run. */
const CHANGING: readonly FailableCall[] = [
  "etcd snapshot",
  "etcd defrag",
  "etcd forfeit-leadership",
  "etcd alarm disarm",
];

/**
 * The same draw without the faults a run reads before it decides: every member up and answering, a leader, no
 * alarms, lists that agree. Failing calls that change the cluster are kept: they happen mid-run.
 */
function calmed<T extends { states: unknown[]; fails: FailableCall[][]; disk: unknown[] }>(r: T): T {
  return {
    ...r,
    states: r.states.map(() => "up"),
    fails: r.fails.map((f) => f.filter((call) => CHANGING.includes(call))),
    disk: r.disk.map(() => null),
    leader: 0,
    nospace: null,
    corrupt: null,
    disagreeing: null,
    odd: null,
  };
}

export interface Selection {
  nodes: string[];
  context: string | null;
}

/** Any subset of the members (in any order), learners only, strangers beside members or alone; with or without --context. */
export function selectionArb(cluster: GenCluster): fc.Arbitrary<Selection> {
  const all = cluster.members.map((m) => m.node);
  const learners = cluster.members.filter((m) => m.learner).map((m) => m.node);
  const nodes = fc.oneof(
    { weight: 5, arbitrary: fc.constant(all) },
    { weight: 3, arbitrary: fc.shuffledSubarray(all, { minLength: 1 }) },
    {
      weight: 1,
      arbitrary: learners.length > 0 ? fc.shuffledSubarray(learners, { minLength: 1 }) : fc.constant(all),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.shuffledSubarray(all), fc.subarray(STRANGERS, { minLength: 1 }))
        .map(([members, strangers]) => [...members, ...strangers]),
    },
  );
  return fc.record({ nodes, context: fc.option(fc.constantFrom("homelab", "prod-eu"), { freq: 2 }) });
}

export const COMMANDS = [
  "status",
  "check",
  "check --upgrade-to",
  "plan",
  "defrag --yes",
  "snapshot",
  "alarms list",
  "alarms disarm",
] as const;
export type Command = (typeof COMMANDS)[number];

/** The flags that decide whether a defrag runs: the same for check, plan and defrag in one case. */
export interface RuleFlags {
  minReclaim: string | null;
  rule: string | null;
}

export const ruleFlagsArb: fc.Arbitrary<RuleFlags> = fc.record({
  minReclaim: fc.option(fc.constantFrom("0", "16MiB", "200MiB", "1GiB"), { freq: 2 }),
  rule: fc.option(fc.constantFrom("dbSizeFree > 150*MB", "dbQuotaUsage > 0.5", "dbSize < 0"), { freq: 4 }),
});

export interface GenCase {
  cluster: GenCluster;
  selection: Selection;
  command: Command;
  flags: RuleFlags;
}

export const caseArb: fc.Arbitrary<GenCase> = clusterArb.chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    selection: selectionArb(cluster),
    command: fc.constantFrom(...COMMANDS),
    flags: ruleFlagsArb,
  }),
);

/** The CLI's argv for a command of a case (without --talosctl); `snapshotDir` for snapshot, defrag and check. */
export function argvOf(
  c: Pick<GenCase, "selection" | "flags">,
  command: Command,
  snapshotDir: string,
): string[] {
  const global = [
    ...(c.selection.context === null ? [] : ["--context", c.selection.context]),
    "-n",
    c.selection.nodes.join(","),
    "-o",
    "json",
  ];
  const rule = c.flags.rule === null ? [] : ["--rule", c.flags.rule];
  const floor = c.flags.minReclaim === null ? [] : ["--min-reclaim", c.flags.minReclaim];
  const dir = ["--snapshot-dir", snapshotDir];
  switch (command) {
    case "status":
      return [...global, "status", ...rule];
    case "check":
      return [...global, "check", ...rule, ...floor, ...dir];
    case "check --upgrade-to":
      return [...global, "check", "--upgrade-to", "v1.11.3", ...rule, ...floor, ...dir];
    case "plan":
      return [...global, "plan", ...rule, ...floor];
    case "defrag --yes":
      return [...global, "defrag", "--yes", "--wait-timeout", "300ms", ...rule, ...floor, ...dir];
    case "snapshot":
      return [...global, "snapshot", ...dir];
    case "alarms list":
      return [...global, "alarms", "list"];
    case "alarms disarm":
      return [...global, "alarms", "disarm"];
  }
}

/** The cluster as a person reads it: one line per member, then the cluster-wide facts. */
export function describeCluster(cluster: GenCluster): string {
  const mb = (b: number) => `${(b / MB).toFixed(0)}MB`;
  const lines = cluster.members.map((m) =>
    [
      m.node,
      m.memberId,
      m.learner ? "learner" : m.memberId === cluster.leaderId ? "leader" : "voter",
      `size ${mb(m.dbSize)} inUse ${mb(m.dbSizeInUse)} free ${mb(m.dbSize - m.dbSizeInUse)}`,
      m.state,
      m.fails.length > 0 ? `fails [${m.fails.join(", ")}]` : "",
      m.diskAvailable === undefined ? "" : `disk ${mb(m.diskAvailable)}`,
    ]
      .filter((c) => c !== "")
      .join("  "),
  );
  const alarms = cluster.alarms.map((a) => `${a.alarm}@${a.memberId}`).join(", ") || "none";
  const d = cluster.disagreeing;
  return [
    ...lines,
    `leader: ${cluster.leaderId ?? "none"}; quota: ${cluster.quotaBytes ?? "default"}; alarms: ${alarms}; etcd ${cluster.etcdVersion}`,
    d === null
      ? "member lists agree"
      : `${d.node}'s member list drops ${d.drops ?? "nobody"}${d.ghost ? ", adds a removed member" : ""}`,
  ].join("\n");
}

export function describeCase(c: GenCase): string {
  return `\n${describeCluster(c.cluster)}\nargv: ${argvOf(c, c.command, "DIR").join(" ")}\n`;
}

/** Cases print readably in fast-check's failure report. */
export function readable<T extends GenCase>(c: T): T {
  Object.defineProperty(c, fc.toStringMethod, { value: () => describeCase(c), enumerable: false });
  return c;
}

const TIMED_OUT: ExecResult = {
  stdout: "",
  stderr: "",
  exitCode: undefined,
  signal: "SIGKILL",
  timedOut: true,
  durationMs: 1,
};

/** Which FAILABLE call an argv is, if any. */
function failableOf(argv: readonly string[]): FailableCall | undefined {
  const command = commandOf(argv);
  return FAILABLE.find((f) => command === f || command.startsWith(`${f} `));
}

/** A fresh in-process talosctl for the generated cluster (each run gets its own: defrag and disarm change it). */
export function talosctlFor(gen: GenCluster): StatefulCluster {
  const cluster = createStatefulCluster(
    gen.members.map((m, i) => ({
      node: m.node,
      memberId: m.memberId,
      hostname: `talos-cp-${i + 1}`,
      dbSize: m.dbSize,
      dbSizeInUse: m.dbSizeInUse,
      ...(m.learner ? { learner: true } : {}),
    })),
  );
  cluster.leaderId = gen.leaderId ?? "0000000000000000";
  cluster.alarms = gen.alarms.map((a) => ({ ...a }));
  cluster.knobs.quotaBytes = gen.quotaBytes;
  cluster.knobs.etcdVersion = gen.etcdVersion;
  cluster.knobs.diskAvailableBytes = Object.fromEntries(
    gen.members.flatMap((m) => (m.diskAvailable === undefined ? [] : [[m.node, m.diskAvailable]])),
  );
  for (const m of gen.members) if (m.state === "down") cluster.knobs.unreachable.add(m.node);
  const hung = new Set(gen.members.filter((m) => m.state === "hung").map((m) => m.node));
  const real = cluster.exec;
  const exec: Exec = (file, args, options) => {
    const asked = nodesOf(args);
    if (asked.some((n) => hung.has(n))) {
      cluster.calls.push([...args]);
      return Promise.resolve(TIMED_OUT);
    }
    const call = failableOf(args);
    const failing = gen.members
      .filter((m) => call !== undefined && m.fails.includes(call))
      .map((m) => m.node);
    // The stateful cluster reads its unreachable set synchronously when the call starts: these nodes fail
    // this call alone, in the release's shape (WARNING block, or the error when every node asked failed).
    const saved = cluster.knobs.unreachable;
    cluster.knobs.unreachable = new Set([...saved, ...failing]);
    const answer = real(file, args, options);
    cluster.knobs.unreachable = saved;
    const odd = gen.odd;
    if (commandOf(args) === "etcd status" && odd !== null) return answer.then((r) => oddRow(r, odd));
    if (commandOf(args) !== "etcd members" || gen.disagreeing === null) return answer;
    return answer.then((r) => disagree(r, gen.disagreeing as NonNullable<GenCluster["disagreeing"]>));
  };
  cluster.exec = exec;
  return cluster;
}

/** One voter's member list leaves out a member and/or lists a removed one; the other voters' lists are as they are. */
function disagree(result: ExecResult, d: NonNullable<GenCluster["disagreeing"]>): ExecResult {
  const lines = result.stdout.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return result;
  const [header = [], ...rows] = lines.map((l) => l.split(/ {3,}/).map((c) => c.trim()));
  const kept = rows.filter((r) => !(r[0] === d.node && r[1] === d.drops));
  if (d.ghost && rows.some((r) => r[0] === d.node))
    kept.push([
      d.node,
      GHOST.memberId,
      "talos-cp-old",
      `https://${GHOST.node}:2380`,
      `https://${GHOST.node}:2379`,
      "false",
    ]);
  return { ...result, stdout: tabulate([header, ...kept].map((r) => r.join("\t"))) };
}

/** Re-lays a tabwriter table after changing cells (columns are 3+ spaces apart; no cell holds 3 spaces). */
function relay(stdout: string, change: (row: string[]) => string[]): string {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) return stdout;
  const rows = lines.map((l) => l.split(/ {3,}/));
  const width = rows[0]?.length ?? 0;
  const padded = rows.map((r) =>
    r.length < width ? [...r, ...Array<string>(width - r.length).fill("")] : r,
  );
  return tabulate([padded[0] ?? [], ...padded.slice(1).map(change)].map((r) => r.join("\t")));
}

/** The odd member's status row: itself as leader (a minority partition), and/or its applied index behind. */
function oddRow(result: ExecResult, odd: NonNullable<GenCluster["odd"]>): ExecResult {
  const stdout = relay(result.stdout, (row) => {
    if (row[0] !== odd.node) return row;
    const next = [...row];
    if (odd.selfLeader) next[4] = row[1] ?? "";
    next[7] = String(Math.max(0, Number(row[7]) - odd.lag));
    return next;
  });
  return { ...result, stdout };
}
