/**
 * The fixture sweep (issue 18): every command × every recorded fixture scenario × node selections × output modes,
 * run in-process through main() over a fixture replay that answers for the nodes asked (selecting-exec.ts). The
 * generated sweep (generated-sweep.test.ts, issue 27) covers random clusters in v1.13's text; this one keeps what
 * only recordings give: the text and partial-failure shapes of v1.10, v1.13 and v1.14 as talosctl printed them
 * (permission denied, garbage, v1.14's `error from node` lines). It asserts the same invariants, not outputs:
 * - nothing mutating is sent (defrag, disarm, forfeit; a snapshot only from a voting member that answered) when
 *   any member's state is unknown, and the read-only commands never send anything mutating at all;
 * - a command never says "no alarms" / "healthy" / go about members that did not answer;
 * - exit codes follow the contract's table, and `-o json` prints one document or nothing.
 * Learners never changing a verdict is the generated sweep's (random learner sizes and selections).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { clusterMemberIds } from "../../src/cluster/identity.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { lockPaths } from "../../src/run/lock.js";
import { defaultSnapshotLabel } from "../../src/run/snapshot.js";
import { ANY_EXECUTABLE, recordIO } from "../cli/fixture-exec.js";
import { commandOf, isMutating, nodesOf } from "../cli/stateful-exec.js";
import { FIXTURE_ROOT } from "../talos/fixtures.js";
import { loadScenario, type Scenario, selectingExec } from "./selecting-exec.js";

const SNAPSHOTS = mkdtempSync(join(tmpdir(), "ted-sweep-"));
afterAll(() => rmSync(SNAPSHOTS, { recursive: true, force: true }));

const COMMANDS = {
  status: ["status"],
  check: ["check"],
  plan: ["plan"],
  "defrag --dry-run": ["defrag", "--dry-run"],
  "alarms list": ["alarms", "list"],
  "alarms disarm": ["alarms", "disarm"],
  snapshot: ["snapshot", "--snapshot-dir", SNAPSHOTS],
} as const;
type Command = keyof typeof COMMANDS;

/** The contract's exit codes per command (1 also covers talosctl output the tool cannot parse). */
const EXIT_CODES: Record<Command, number[]> = {
  status: [0, 1],
  check: [0, 1, 3, 4],
  plan: [0, 1, 3],
  "defrag --dry-run": [0, 1, 3],
  "alarms list": [0, 1],
  "alarms disarm": [0, 1, 3],
  snapshot: [0, 1, 3],
};

const NOT_A_MEMBER = "172.20.0.99";

const scenarios: Scenario[] = readdirSync(FIXTURE_ROOT)
  .filter((release) => /^v\d/.test(release))
  .flatMap((release) => readdirSync(join(FIXTURE_ROOT, release)).map((name) => loadScenario(release, name)))
  .filter((s): s is Scenario => s !== undefined);

interface Selection {
  label: string;
  nodes: string[];
}

function selectionsOf(s: Scenario): Selection[] {
  const all = s.nodes;
  const list: Selection[] = [{ label: "all", nodes: all }];
  if (all.length >= 2) list.push({ label: "subset", nodes: all.slice(0, -1) });
  list.push({ label: "not-a-member", nodes: [...all, NOT_A_MEMBER] });
  list.push({ label: "only-a-stranger", nodes: [NOT_A_MEMBER] });
  if (s.learnerNodes.length > 0)
    list.push({ label: "voters", nodes: all.filter((n) => !s.learnerNodes.includes(n)) });
  return list;
}

/**
 * Whether the double answers with every member's state: every node asked answered status and every member was
 * asked. `voters`: learners may be left out (a learner is never touched, so its absence changes no verdict);
 * otherwise every member, learners included (a disarm needs every member's size).
 */
function complete(s: Scenario, nodes: readonly string[], members: "all" | "voters"): boolean {
  const needed = s.memberNodes.filter((m) => members === "all" || !s.learnerNodes.includes(m));
  if (needed.length === 0) return false;
  return nodes.every((n) => s.answeredStatus.includes(n)) && needed.every((m) => nodes.includes(m));
}

/** Whether a voting member answered, so that the cluster-wide alarm list can be known. */
function anyVoterAnswered(s: Scenario, nodes: readonly string[]): boolean {
  return nodes.some((n) => s.answeredStatus.includes(n) && !s.learnerNodes.includes(n));
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[][];
}

async function run(
  s: Scenario,
  nodes: readonly string[],
  output: string,
  command: Command,
  rewrite?: (table: string, stdout: string) => string,
): Promise<Outcome> {
  const rec = recordIO((calls) => selectingExec(s, calls, rewrite));
  const code = await main(
    ["--talosctl", ANY_EXECUTABLE, "-n", nodes.join(","), "-o", output, ...COMMANDS[command]],
    rec.io,
  );
  return { code, stdout: rec.stdout(), stderr: rec.stderr(), calls: rec.calls };
}

const json = (o: Outcome): Record<string, unknown> | undefined =>
  o.stdout.trim() === "" ? undefined : (JSON.parse(o.stdout) as Record<string, unknown>);

const cases = scenarios.flatMap((s) =>
  selectionsOf(s).flatMap((sel) =>
    (["table", "json"] as const).flatMap((output) =>
      (Object.keys(COMMANDS) as Command[]).map((command) => ({ s, sel, output, command })),
    ),
  ),
);

describe("invariant sweep over the fixtures", () => {
  it("covers every scenario with a status fixture, every command and both output modes", () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(25);
    expect(cases.length).toBeGreaterThan(1000);
  });

  it.each(
    cases.map(
      (c) => [`${c.s.release}/${c.s.name} -n ${c.sel.label} -o ${c.output} ${c.command}`, c] as const,
    ),
  )("%s", async (_, { s, sel, output, command }) => {
    const o = await run(s, sel.nodes, output, command);
    const why = `exit ${o.code}\n${o.stdout}\n${o.stderr}`;
    const whole = complete(s, sel.nodes, "all");
    const wholeVoters = complete(s, sel.nodes, "voters");
    const voterAnswered = anyVoterAnswered(s, sel.nodes);

    // Exit codes follow the contract's table; never an internal error.
    expect(EXIT_CODES[command], why).toContain(o.code);
    expect(o.stderr, why).not.toMatch(/internal error/);
    // -o json: exactly one document, or nothing when the command ended in an error.
    const doc = output === "json" ? json(o) : undefined;

    // Nothing mutating from a read-only command; defrag and forfeit never on a dry run.
    const mutating = o.calls.filter(isMutating).map(commandOf);
    const allowed =
      command === "alarms disarm" ? ["etcd alarm disarm"] : command === "snapshot" ? ["etcd snapshot"] : [];
    for (const m of mutating)
      expect(
        allowed.some((a) => m.startsWith(a)),
        `${m}\n${why}`,
      ).toBe(true);
    // Nothing mutating while any member's state is unknown; a snapshot only from a voter that answered.
    if (!whole && command !== "snapshot") expect(mutating, why).toEqual([]);
    for (const c of o.calls.filter((c) => commandOf(c).startsWith("etcd snapshot"))) {
      const node = nodesOf(c)[0] ?? "";
      expect(s.answeredStatus.includes(node) && !s.learnerNodes.includes(node), why).toBe(true);
    }

    // Never "healthy", go or "no alarms" about members that did not answer.
    if (!wholeVoters) {
      if (command === "status") {
        if (doc !== undefined) expect(doc.healthy, why).toBe(false);
        expect(o.stdout, why).not.toMatch(/^healthy:/m);
      }
      if (command === "check") {
        expect(o.code, why).not.toBe(0);
        expect(o.code, why).not.toBe(4);
        expect(o.stdout, why).not.toMatch(/^GO/m);
      }
      if (command === "plan" || command === "defrag --dry-run") {
        expect(o.code, why).not.toBe(0);
        if (doc !== undefined) expect(doc.result, why).toBe("refused");
      }
    }
    if (!voterAnswered) {
      expect(`${o.stdout}${o.stderr}`, why).not.toMatch(/no alarms|nothing to disarm/i);
      if (command === "alarms list" || command === "alarms disarm") expect(o.code, why).toBe(1);
      if (command === "alarms list") expect(o.stdout, why).toBe("");
      if (command === "check" && doc !== undefined)
        for (const item of doc.items as { name: string; status: string; detail: string }[])
          if (/alarm|errors|leader|caught up/.test(item.name))
            expect(item, why).not.toMatchObject({ status: "pass" });
    }

    // alarms list fails exactly when nobody could tell (or talosctl's text could not be read).
    if (command === "alarms list" && !/cannot parse/.test(o.stderr))
      expect(o.code, why).toBe(voterAnswered ? 0 : 1);
    // The verdict and the exit code say the same.
    if (command === "check" && doc !== undefined)
      expect(o.code, why).toBe({ go: 0, "defrag-recommended": 4, "no-go": 3 }[doc.verdict as string]);
    if ((command === "plan" || command === "defrag --dry-run") && doc !== undefined)
      expect(o.code, why).toBe(doc.result === "refused" ? 3 : 0);
    if (command === "status" && doc !== undefined) {
      const voters = (doc.members as { isLearner: boolean }[]).filter((m) => !m.isLearner);
      expect(o.code, why).toBe(voters.length === 0 ? 1 : 0);
    }

    // A learner is never planned for a defrag.
    if (doc !== undefined && Array.isArray(doc.steps))
      for (const step of doc.steps as { node: string; role: string; action: string }[])
        if (s.learnerNodes.includes(step.node)) expect(step.action, why).toBe("skip");
  });
});

// Same cluster, same lock key and snapshot label, whatever the selection: both come from the cluster's member
// IDs (src/cluster/identity.ts), never from the nodes asked or how the cluster was named (issue 18 items 2 and 5).
describe("same cluster, same lock key and snapshot label whatever the selection", () => {
  const identity = async (s: Scenario, nodes: readonly string[]) => {
    const view = json(await run(s, nodes, "json", "status")) as unknown as ClusterView | undefined;
    if (view === undefined || clusterMemberIds(view).length === 0) return undefined;
    return {
      label: defaultSnapshotLabel(view),
      locks: lockPaths({ memberIds: clusterMemberIds(view) }, "/run/lock"),
    };
  };
  it.each(scenarios.map((s) => [`${s.release}/${s.name}`, s] as const))("%s", async (_, s) => {
    const whole = await identity(s, s.nodes);
    for (const sel of selectionsOf(s)) {
      const seen = await identity(s, sel.nodes);
      // A selection that learned no member list (nobody answered) gets no label or lock: the tool refuses it.
      if (seen === undefined || whole === undefined) continue;
      expect(seen, `${sel.label}: ${sel.nodes.join(",")}`).toEqual(whole);
    }
  });
});
