/**
 * The generated sweep (issue 27): random clusters (generated-cluster.ts: 1-7 members, learners, no leader, sizes
 * around the quota and the reclaim floor, NOSPACE and CORRUPT, members down, hung, answering only some calls,
 * member lists that disagree) × random selections (any subset via -n, learners only, strangers, with and without
 * --context) × every command, run in-process through main(). It asserts invariants, not outputs:
 * - nothing mutating (etcd defrag, snapshot, forfeit-leadership, alarm disarm) while any member's state is
 *   unknown: a voter's for defrag, forfeit and a run's snapshot; any member's, learners included, for a disarm
 *   (a learner is never touched, but may be the member at the quota); `snapshot` alone takes one from a voter that
 *   answered. Never a defrag or a disarm while CORRUPT is raised;
 * - never "healthy", "no alarms" or GO about members that did not answer;
 * - learners never change a verdict (a learner's size, and whether a learner that answers is asked);
 * - check, plan and defrag agree on whether a defrag would run;
 * - the lock never depends on -n or --context: the lock files a mutating run holds are the cluster's members'.
 * A fixed seed runs in `npm test`; SWEEP_SEED and SWEEP_RUNS explore further. A failure prints the seed, the
 * shrunk case (the cluster as a table and the argv) and what the CLI printed.
 *
 * Each property is one `it`; a generator of another kind (the snapshot folders of retention and check) is one
 * more property of the same shape: an arbitrary with a readable toString, a run, the invariants.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { lockPaths } from "../../src/run/lock.js";
import { ANY_EXECUTABLE, recordIO } from "../cli/fixture-exec.js";
import { commandOf, isMutating, nodesOf } from "../cli/stateful-exec.js";
import {
  argvOf,
  type Command,
  caseArb,
  describeCase,
  type GenCase,
  type GenCluster,
  type GenMember,
  readable,
  talosctlFor,
} from "./generated-cluster.js";
import { SWEEP_CEILING_MS, SWEEP_RUNS, SWEEP_SEED, sweepParams } from "./sweep-params.js";

const SEED = SWEEP_SEED;
const RUNS = SWEEP_RUNS;
const ROOT = mkdtempSync(join(tmpdir(), "ted-gen-sweep-"));
const LOCKS = join(ROOT, "locks");
let savedLockDir: string | undefined;
beforeAll(() => {
  // The run lock lives in $TALOS_ETCD_DEFRAG_LOCK_DIR: a folder of this file's own, so the lock files a run holds can be read.
  savedLockDir = process.env.TALOS_ETCD_DEFRAG_LOCK_DIR;
  process.env.TALOS_ETCD_DEFRAG_LOCK_DIR = LOCKS;
  mkdirSync(LOCKS, { recursive: true });
});
afterAll(() => {
  if (savedLockDir === undefined) delete process.env.TALOS_ETCD_DEFRAG_LOCK_DIR;
  else process.env.TALOS_ETCD_DEFRAG_LOCK_DIR = savedLockDir;
  rmSync(ROOT, { recursive: true, force: true });
});

/** The contract's exit codes per command (1 also covers what the tool cannot parse). */
const EXIT_CODES: Record<Command, number[]> = {
  status: [0, 1],
  check: [0, 1, 3, 4],
  "check --upgrade-to": [0, 1, 3, 4],
  plan: [0, 1, 3],
  "defrag --yes": [0, 1, 3],
  snapshot: [0, 1, 3],
  "alarms list": [0, 1],
  "alarms disarm": [0, 1, 3],
};

/** The mutating calls each command may send at all. */
const MAY_SEND: Record<Command, string[]> = {
  status: [],
  check: [],
  "check --upgrade-to": [],
  plan: [],
  "defrag --yes": ["etcd snapshot", "etcd defrag", "etcd forfeit-leadership", "etcd alarm disarm"],
  snapshot: ["etcd snapshot"],
  "alarms list": [],
  "alarms disarm": ["etcd alarm disarm"],
};

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[][];
  /** The lock files present when the first mutating call was sent (null: none was sent). */
  locksAtFirstMutation: string[] | null;
  doc: Record<string, unknown> | undefined;
}

let runNumber = 0;

async function run(
  cluster: GenCluster,
  c: Pick<GenCase, "selection" | "flags">,
  command: Command,
): Promise<Outcome> {
  const talosctl = talosctlFor(cluster);
  const dir = join(ROOT, `s${runNumber++}`);
  let locks: string[] | null = null;
  const answer = talosctl.exec;
  talosctl.exec = (file, args, options) => {
    if (locks === null && isMutating(args)) locks = lockFiles();
    return answer(file, args, options);
  };
  const rec = recordIO(() => talosctl.exec, { onStopSignal: () => () => {}, exitNow: () => {} });
  const code = await main(["--talosctl", ANY_EXECUTABLE, ...argvOf(c, command, dir)], rec.io);
  rmSync(dir, { recursive: true, force: true });
  const stdout = rec.stdout();
  const doc = stdout.trim() === "" ? undefined : (JSON.parse(stdout) as Record<string, unknown>);
  return { code, stdout, stderr: rec.stderr(), calls: talosctl.calls, locksAtFirstMutation: locks, doc };
}

function lockFiles(): string[] {
  try {
    return readdirSync(LOCKS)
      .map((f) => join(LOCKS, f))
      .sort();
  } catch {
    return [];
  }
}

// What the generated cluster's truth says, whatever the tool concludes.
const isVoter = (m: GenMember) => !m.learner;
const answersStatus = (m: GenMember) => m.state === "up" && !m.fails.includes("etcd status");
/** A member whose state a run can know: asked, and it answered status. */
const known = (c: GenCase, m: GenMember) => c.selection.nodes.includes(m.node) && answersStatus(m);
/** An asked voter that answered status and its member list: the tool reads the members from such voters. */
const lister = (c: GenCase, v: GenMember) => isVoter(v) && known(c, v) && !v.fails.includes("etcd members");
/**
 * The members a run can learn of: those asked, and those in the member list of a voter that answered it. A
 * member every such list leaves out (a stale list) cannot be known to exist, so it is not held against the tool.
 */
function visible(c: GenCase): GenMember[] {
  return c.cluster.members.filter((m) => c.selection.nodes.includes(m.node) || listed(c, m));
}
function listed(c: GenCase, m: GenMember): boolean {
  const d = c.cluster.disagreeing;
  const drops = (v: GenMember) => d !== null && d.node === v.node && d.drops === m.memberId;
  return c.cluster.members.some((v) => lister(c, v) && !drops(v));
}
/** The members a run can count: in a member list it read, or reporting status (a silent address in no list could be anything). */
const countable = (c: GenCase) => c.cluster.members.filter((m) => listed(c, m) || known(c, m));
/** Every voter the run can learn of answered, and some voter told the member list. */
const votersKnown = (c: GenCase) =>
  c.cluster.members.some((v) => lister(c, v)) &&
  visible(c)
    .filter(isVoter)
    .every((m) => known(c, m));
const allKnown = (c: GenCase) => votersKnown(c) && visible(c).every((m) => known(c, m));
/** Whether a voter that was asked answered both status and the alarm list: only then are the alarms known. */
const alarmsAnswerable = (c: GenCase) =>
  c.cluster.members.some((m) => isVoter(m) && known(c, m) && !m.fails.includes("etcd alarm list"));
const corrupt = (cluster: GenCluster) => cluster.alarms.some((a) => a.alarm === "CORRUPT");

const why = (c: GenCase, command: Command, o: Outcome) =>
  `${describeCase(c)}command ${command}: exit ${o.code}\n${o.stdout}\n${o.stderr}\ncalls:\n${o.calls.map((a) => a.join(" ")).join("\n")}`;

function assertInvariants(c: GenCase, command: Command, o: Outcome): void {
  const w = why(c, command, o);
  const member = (node: string) => c.cluster.members.find((m) => m.node === node);
  // Exit codes follow the contract's table; never an internal error.
  expect(EXIT_CODES[command], w).toContain(o.code);
  expect(o.stderr, w).not.toMatch(/internal error/);

  // Mutating calls: only those the command may send, only to members whose state is known.
  const mutating = o.calls.filter(isMutating);
  for (const call of mutating) {
    const what = commandOf(call);
    expect(
      MAY_SEND[command].some((m) => what.startsWith(m)),
      `${what}\n${w}`,
    ).toBe(true);
    for (const node of nodesOf(call)) {
      const m = member(node);
      expect(m !== undefined && known(c, m) && isVoter(m), `${what} to ${node}\n${w}`).toBe(true);
    }
  }
  const sent = (prefix: string) => mutating.some((call) => commandOf(call).startsWith(prefix));
  // Nothing mutating while a voter's state is unknown (but `snapshot` from a voter that answered); no disarm
  // while any member's is; no defrag or disarm while CORRUPT is raised.
  if (!votersKnown(c) && command !== "snapshot") expect(mutating.map(commandOf), w).toEqual([]);
  if (!allKnown(c)) expect(sent("etcd alarm disarm"), w).toBe(false);
  if (corrupt(c.cluster)) {
    expect(sent("etcd defrag"), w).toBe(false);
    expect(sent("etcd alarm disarm"), w).toBe(false);
  }

  // Never "healthy", GO or a run about voters that did not answer.
  const doc = o.doc;
  if (!votersKnown(c)) {
    if (command === "status") expect(doc?.healthy, w).not.toBe(true);
    if (command === "check" || command === "check --upgrade-to") {
      expect([0, 4], w).not.toContain(o.code);
      expect(doc?.verdict, w).not.toBe("go");
    }
    if (command === "plan" || command === "defrag --yes") {
      expect(o.code, w).not.toBe(0);
      if (doc !== undefined) expect(doc.result, w).toBe("refused");
    }
  }
  // Never "no alarms" when no voter told, nor when there are some.
  if (!alarmsAnswerable(c)) {
    expect(`${o.stdout}${o.stderr}`, w).not.toMatch(/no alarms|nothing to disarm/i);
    if (command === "alarms list" || command === "alarms disarm") expect(o.code, w).toBe(1);
  }
  if (c.cluster.alarms.length > 0) {
    expect(`${o.stdout}${o.stderr}`, w).not.toMatch(/no alarms|nothing to disarm/i);
    if (command === "alarms list" && o.code === 0) expect(doc?.alarms, w).not.toEqual([]);
  }

  // The verdict and the exit code say the same.
  if ((command === "check" || command === "check --upgrade-to") && doc !== undefined)
    expect(o.code, w).toBe({ go: 0, "defrag-recommended": 4, "no-go": 3 }[doc.verdict as string]);
  if (command === "plan" && doc !== undefined) expect(o.code, w).toBe(doc.result === "refused" ? 3 : 0);
  if (command === "status" && doc !== undefined) {
    const voters = (doc.members as { isLearner: boolean }[]).filter((m) => !m.isLearner);
    expect(o.code, w).toBe(voters.length === 0 ? 1 : 0);
  }
  // "rolling reboots" counts the cluster's voting members, not the ones that answered (issue 27 item 13).
  const upgrade = doc?.upgrade as { votingMembers: number } | undefined;
  const listed = c.cluster.members.some((v) => lister(c, v));
  if (upgrade !== undefined && listed && c.cluster.disagreeing?.ghost !== true)
    expect(upgrade.votingMembers, w).toBe(countable(c).filter(isVoter).length);
  // A learner is never planned for a defrag.
  if (doc !== undefined && Array.isArray(doc.steps))
    for (const step of doc.steps as { node: string; action: string }[])
      if (member(step.node)?.learner === true) expect(step.action, w).toBe("skip");

  // The lock is the cluster's members', whatever -n and --context said.
  if (o.locksAtFirstMutation !== null && command === "defrag --yes") {
    const ids = c.cluster.members.map((m) => m.memberId);
    expect(o.locksAtFirstMutation, w).toEqual(lockPaths({ memberIds: ids }, LOCKS).sort());
  }
}

const caseOf = caseArb.map(readable);
const params = sweepParams();
const CEILING_MS = SWEEP_CEILING_MS;

/** At the full sweep's size (RUNS >= 2000), every outcome the sweep is meant to reach was reached. */
function expectReached(reached: readonly string[], seen: ReadonlySet<string>): void {
  if (RUNS >= 2000)
    expect(
      reached.filter((r) => !seen.has(r)),
      [...seen].sort().join("\n"),
    ).toEqual([]);
}

describe("generated sweep: random clusters, selections and commands", () => {
  it(
    `every command keeps the invariants (seed ${SEED}, ${RUNS} cases)`,
    async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(caseOf, async (c) => {
          const o = await run(c.cluster, c, c.command);
          assertInvariants(c, c.command, o);
          seen.add(`${c.command} exit ${o.code}`);
          for (const call of o.calls.filter(isMutating)) seen.add(`sent ${commandOf(call).split(" /")[0]}`);
          if (c.selection.context !== null && o.locksAtFirstMutation !== null)
            seen.add(`${c.command} with --context, locked`);
        }),
        params,
      );
      // The draws reach every outcome that matters, so the invariants above are not kept vacuously.
      const reached = [
        "status exit 0",
        "status exit 1",
        "check exit 0",
        "check exit 3",
        "check exit 4",
        "check --upgrade-to exit 3",
        "plan exit 0",
        "plan exit 3",
        "defrag --yes exit 0",
        "defrag --yes exit 1",
        "defrag --yes exit 3",
        "snapshot exit 0",
        "alarms list exit 0",
        "alarms list exit 1",
        "alarms disarm exit 0",
        "alarms disarm exit 3",
        "sent etcd defrag",
        "sent etcd snapshot",
        "sent etcd forfeit-leadership",
        "sent etcd alarm disarm",
        "defrag --yes with --context, locked",
      ];
      expectReached(reached, seen);
    },
    CEILING_MS,
  );
});

/** A case of every kind but one command: check, plan and defrag (or the learner variants) run on it in turn. */
const clusterCaseOf = caseArb.map((c) => readable({ ...c, command: "plan" as Command }));

interface Step {
  node: string;
  action: string;
}

describe("generated sweep: check, plan and defrag agree on whether a defrag would run", () => {
  it(
    `check's verdict, the plan and the defrags sent say the same (seed ${SEED})`,
    async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(clusterCaseOf, async (c) => {
          const check = await run(c.cluster, c, "check");
          const plan = await run(c.cluster, c, "plan");
          const defrag = await run(c.cluster, c, "defrag --yes");
          assertInvariants(c, "check", check);
          assertInvariants(c, "plan", plan);
          assertInvariants(c, "defrag --yes", defrag);
          const w = `${why(c, "check", check)}\n--- plan:\n${plan.stdout}\n--- defrag:\n${defrag.stdout}`;
          const result = plan.doc?.result;
          const planned = ((plan.doc?.steps ?? []) as Step[])
            .filter((s) => s.action === "defrag")
            .map((s) => s.node);
          if (check.code === 4) expect(result, w).toBe("ok");
          if (check.code === 0) expect(result, w).toBe("nothing-to-do");
          if (result === "refused") expect([1, 3], w).toContain(check.code);
          if (result === "ok") expect([3, 4], w).toContain(check.code);
          if (result === "nothing-to-do") expect([0, 3], w).toContain(check.code);
          const defragged = defrag.calls.filter((a) => commandOf(a) === "etcd defrag").flatMap(nodesOf);
          for (const node of defragged) expect(planned, w).toContain(node);
          if (result !== "ok") expect(defragged, w).toEqual([]);
          if (result === "nothing-to-do") expect(defrag.doc?.result, w).toBe("nothing-to-do");
          if (result === "refused") expect(defrag.code, w).toBe(3);
          seen.add(
            `check ${check.code}, plan ${String(result)}, ${defragged.length > 0 ? "defragged" : "untouched"}`,
          );
        }),
        sweepParams(1 / 5),
      );
      const reached = [
        "check 0, plan nothing-to-do, untouched",
        "check 4, plan ok, defragged",
        "check 3, plan refused, untouched",
      ];
      expectReached(reached, seen);
    },
    CEILING_MS,
  );
});

const MB = 1_000_000; // sizes as talosctl prints them
/** The learners' own sizes, far past every rule: fragmented, and at the quota with live data. */
const BLOATS = [
  (quota: number) => ({ dbSize: 1500 * MB, dbSizeInUse: 47 * MB, quota }),
  (quota: number) => ({ dbSize: Math.round(1.02 * quota), dbSizeInUse: Math.round(0.97 * quota), quota }),
];

const JUDGING: Command[] = ["status", "check", "plan", "defrag --yes"];

/**
 * The verdict a run gave: what a script acts on. A refusal and a failure before anything was touched are one
 * verdict (nothing was done): `check` and `plan` exit 1 when no node answered at all and 3 when only a learner did.
 */
function verdictOf(command: Command, o: Outcome): string {
  const untouched = !o.calls.some(isMutating);
  if (command === "check") return o.code === 0 ? "go" : o.code === 4 ? "defrag recommended" : "not go";
  if (command === "plan" || command === "defrag --yes")
    return o.code === 0 ? `ran: ${String(o.doc?.result)}` : untouched ? "nothing done" : `exit ${o.code}`;
  return `exit ${o.code}`;
}
const learnerCaseOf = caseArb
  .filter((c) => c.cluster.members.some((m) => m.learner))
  .chain((c) =>
    fc
      .record({ command: fc.constantFrom(...JUDGING), bloat: fc.nat(BLOATS.length - 1) })
      .map(({ command, bloat }) => readable({ ...c, command, bloat })),
  );

describe("generated sweep: learners never change a verdict", () => {
  it(
    `the same verdict whatever a learner's size, and without a learner that answers (seed ${SEED})`,
    async () => {
      await fc.assert(
        fc.asyncProperty(learnerCaseOf, async (c) => {
          const base = await run(c.cluster, c, c.command);
          const quota = c.cluster.quotaBytes ?? 2 * 1024 ** 3;
          const bloat = BLOATS[c.bloat] ?? BLOATS[0];
          const bloated: GenCluster = {
            ...c.cluster,
            members: c.cluster.members.map((m) => {
              if (!m.learner || bloat === undefined) return m;
              const { dbSize, dbSizeInUse } = bloat(quota);
              return { ...m, dbSize, dbSizeInUse };
            }),
          };
          const big = await run(bloated, c, c.command);
          expect(
            verdictOf(c.command, big),
            `${why(c, c.command, base)}\n--- learners bloated:\n${big.stdout}\n${big.stderr}`,
          ).toBe(verdictOf(c.command, base));
          // A learner that answers every call, left out of -n: never asked, never touched, the same verdict.
          const quiet = (node: string) => {
            const m = c.cluster.members.find((x) => x.node === node);
            return m?.learner === true && m.state === "up" && m.fails.length === 0;
          };
          const nodes = c.selection.nodes.filter((n) => !quiet(n));
          const votersAsked = c.cluster.members.some((m) => !m.learner && nodes.includes(m.node));
          if (nodes.length === c.selection.nodes.length || !votersAsked) return;
          const without = await run(c.cluster, { ...c, selection: { ...c.selection, nodes } }, c.command);
          expect(
            verdictOf(c.command, without),
            `${why(c, c.command, base)}\n--- without the learners:\n${without.stdout}\n${without.stderr}`,
          ).toBe(verdictOf(c.command, base));
        }),
        sweepParams(1 / 5),
      );
    },
    CEILING_MS,
  );
});

describe("the generated cluster's talosctl shows what the generator drew", () => {
  // Else the properties above could pass over a double whose faults never reach the tool.
  const member = (i: number, extra: Partial<GenMember> = {}): GenMember => ({
    node: `172.20.0.${i + 2}`,
    memberId: `00000000000000a${i}`,
    learner: false,
    dbSize: 300 * MB,
    dbSizeInUse: 200 * MB,
    state: "up",
    fails: [],
    ...extra,
  });
  const base: GenCluster = {
    members: [member(0), member(1), member(2)],
    leaderId: "00000000000000a0",
    quotaBytes: null,
    alarms: [],
    disagreeing: null,
    odd: null,
    etcdVersion: "3.6.5",
  };
  const statusOf = async (cluster: GenCluster, nodes = cluster.members.map((m) => m.node)) => {
    const c = { cluster, selection: { nodes, context: null }, flags: { minReclaim: null, rule: null } };
    return (await run(cluster, c, "status")).doc as {
      healthy: boolean;
      problems: { kind: string; node?: string }[];
    };
  };
  const kinds = (doc: { problems: { kind: string }[] }) => doc.problems.map((p) => p.kind);

  it("a healthy cluster is healthy", async () => {
    expect((await statusOf(base)).healthy).toBe(true);
  });
  it("a lagging member, a member naming itself leader, and no leader", async () => {
    expect(
      kinds(await statusOf({ ...base, odd: { node: "172.20.0.3", selfLeader: false, lag: 6000 } })),
    ).toEqual(["applied-lag"]);
    expect(kinds(await statusOf({ ...base, odd: { node: "172.20.0.3", selfLeader: true, lag: 0 } }))).toEqual(
      ["leader-disagreement"],
    );
    expect(kinds(await statusOf({ ...base, leaderId: null }))).toEqual(["no-leader"]);
  });
  it("a member down, hung, or failing status alone; a member list that leaves one out or lists a removed one", async () => {
    const down = { ...base, members: [member(0), member(1, { state: "down" }), member(2)] };
    expect(kinds(await statusOf(down))).toEqual(["unreachable"]);
    const hung = { ...base, members: [member(0), member(1, { state: "hung" }), member(2)] };
    expect((await statusOf(hung)).problems).toMatchObject([{ kind: "unreachable", node: "172.20.0.3" }]);
    const silent = { ...base, members: [member(0), member(1, { fails: ["etcd status"] }), member(2)] };
    expect(kinds(await statusOf(silent))).toEqual(["unreachable"]);
    const ghost = { ...base, disagreeing: { node: "172.20.0.2", drops: null, ghost: true } };
    expect(kinds(await statusOf(ghost))).toEqual(["missing-status"]);
    const drops = { ...base, disagreeing: { node: "172.20.0.2", drops: "00000000000000a2", ghost: false } };
    // Asked alone, .2 lists .3 (not asked: missing) but not .4, which nothing shows.
    expect((await statusOf(drops, ["172.20.0.2"])).problems).toMatchObject([
      { kind: "missing-status", node: "172.20.0.3" },
    ]);
  });
});
