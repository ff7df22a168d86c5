/**
 * The promise a chaos run measures, as checks over what was observed: what the clients' acknowledged writes
 * read back as, what the simulator saw the tool call and when, the tool's exit code and JSON report, and whether
 * the cluster came back once the fault was lifted. Pure: unit tests feed it observations by hand.
 */
import type { ChaosPlan } from "./plan.js";

export interface MemberInfo {
  node: string;
  memberId: string;
  isLearner: boolean;
}

/** One talosctl call as the simulator logged it. */
export interface CallSpan {
  command: string;
  node: string;
  start: number;
  end: number;
  exitCode: number;
}

/** Reading every acknowledged write back from one member. */
export interface AckCheck {
  node: string;
  checked: number;
  missing: number;
  mismatched: number;
  /** Set when the member could not be read at all. */
  error: string | null;
}

/** The parts of `defrag -o json` the checks read. */
export interface ReportLike {
  result: string;
  steps: { node: string; memberId: string; role: string; outcome: string; verified?: boolean }[];
}

export interface RunObservation {
  plan: ChaosPlan;
  /** When the fault was injected (epoch ms), null when its moment never came in this run. */
  injectedAt: number | null;
  /** The tool's exit code; null when the harness had to kill it. */
  exitCode: number | null;
  report: ReportLike | null;
  members: MemberInfo[];
  calls: CallSpan[];
  acks: AckCheck[];
  /** ms from lifting the fault until every member answered a linearizable read; null past the bound. */
  healthyAfterMs: number | null;
  healthBoundMs: number;
}

export interface Check {
  name: string;
  held: boolean;
  detail: string;
}

const MUTATING = new Set(["defrag", "forfeit-leadership", "alarm disarm"]);
const RESULT_OF_CODE: Record<number, readonly string[]> = {
  0: ["ok", "nothing-to-do"],
  1: ["failed"],
  3: ["refused"],
  130: ["interrupted"],
};

const check = (name: string, held: boolean, detail: string): Check => ({ name, held, detail });

export function checkRun(o: RunObservation): Check[] {
  const defrags = o.calls.filter((c) => c.command === "defrag").sort((a, b) => a.start - b.start);
  return [
    acknowledgedWrites(o),
    oneAtATime(defrags),
    atMostOnce(defrags),
    exitMatchesReport(o),
    reportNamesEveryMember(o),
    callsMatchSteps(o, defrags),
    nothingAfterFailure(o, defrags),
    refusedTouchesNothing(o),
    outcomeFitsFault(o, defrags),
    healthyAgain(o),
  ];
}

function acknowledgedWrites(o: RunObservation): Check {
  const name = "every acknowledged write is stored";
  const read = o.acks.filter((a) => a.error === null);
  const bad = o.acks.filter((a) => a.error !== null || a.missing > 0 || a.mismatched > 0);
  if (read.length === 0) return check(name, false, "no member could be read back");
  if (bad.length > 0)
    return check(
      name,
      false,
      bad
        .map(
          (a) => `${a.node}: ${a.error ?? `${a.missing} missing, ${a.mismatched} changed of ${a.checked}`}`,
        )
        .join("; "),
    );
  return check(name, true, `${read[0]?.checked ?? 0} writes on ${read.length} member(s)`);
}

function oneAtATime(defrags: readonly CallSpan[]): Check {
  const name = "no two defrags overlap";
  for (let i = 1; i < defrags.length; i++) {
    const [a, b] = [defrags[i - 1], defrags[i]];
    if (a !== undefined && b !== undefined && b.start < a.end)
      return check(name, false, `${b.node} started ${a.end - b.start} ms before ${a.node} ended`);
  }
  return check(name, true, `${defrags.length} defrag call(s)`);
}

function atMostOnce(defrags: readonly CallSpan[]): Check {
  const name = "no member defragmented twice";
  const seen = new Set<string>();
  for (const d of defrags) {
    if (seen.has(d.node)) return check(name, false, `${d.node} got a second defrag call`);
    seen.add(d.node);
  }
  return check(name, true, `${seen.size} member(s)`);
}

function exitMatchesReport(o: RunObservation): Check {
  const name = "exit code matches the report";
  if (o.exitCode === null) return check(name, false, "the tool did not exit by itself");
  const allowed = RESULT_OF_CODE[o.exitCode];
  if (allowed === undefined) return check(name, false, `exit ${o.exitCode} is not a run's exit code`);
  if (o.report === null) {
    // Only the second signal leaves without a report.
    const held = o.exitCode === 130 && o.plan.kind === "sigint" && o.plan.twice;
    return check(
      name,
      held,
      held ? "exit 130 at the second signal, no report" : `exit ${o.exitCode} without a report`,
    );
  }
  return check(name, allowed.includes(o.report.result), `exit ${o.exitCode}, result ${o.report.result}`);
}

function reportNamesEveryMember(o: RunObservation): Check {
  const name = "the report names every member";
  if (o.report === null) return check(name, true, "no report (second signal)");
  const named = new Set(o.report.steps.map((s) => s.memberId));
  const missing = o.members.filter((m) => !named.has(m.memberId));
  if (o.report.result === "refused" && o.report.steps.length === 0)
    return check(name, true, "refused before planning");
  return check(
    name,
    missing.length === 0,
    missing.length === 0 ? `${named.size} step(s)` : `missing ${missing.map((m) => m.node).join(", ")}`,
  );
}

/** Members reported done had their defrag call; members never reached had none. */
function callsMatchSteps(o: RunObservation, defrags: readonly CallSpan[]): Check {
  const name = "the report matches the calls";
  if (o.report === null) return check(name, true, "no report (second signal)");
  const called = new Set(defrags.map((d) => d.node));
  const wrong: string[] = [];
  for (const step of o.report.steps) {
    if (step.outcome === "done" && !called.has(step.node))
      wrong.push(`${step.node} done without a defrag call`);
    if (["not-touched", "skipped", "planned"].includes(step.outcome) && called.has(step.node))
      wrong.push(`${step.node} ${step.outcome} but defragmented`);
  }
  return check(name, wrong.length === 0, wrong.length === 0 ? "every step agrees" : wrong.join("; "));
}

function nothingAfterFailure(o: RunObservation, defrags: readonly CallSpan[]): Check {
  const name = "nothing after the first failure";
  if (o.report === null) return check(name, true, "no report (second signal)");
  const failedIndex = o.report.steps.findIndex((s) => s.outcome === "failed");
  if (failedIndex < 0) return check(name, true, "no step failed");
  const later = o.report.steps
    .slice(failedIndex + 1)
    .filter((s) => s.outcome !== "not-touched" && s.outcome !== "skipped");
  const failedNode = o.report.steps[failedIndex]?.node;
  const failedCall = defrags.find((d) => d.node === failedNode);
  const lastCall = defrags[defrags.length - 1];
  const laterCall = failedCall !== undefined && lastCall !== undefined && lastCall !== failedCall;
  const disarm = o.calls.some((c) => c.command === "alarm disarm");
  const problems = [
    ...later.map((s) => `${s.node} ${s.outcome} after ${failedNode} failed`),
    ...(laterCall ? [`a defrag of ${lastCall?.node} after ${failedNode}'s`] : []),
    ...(disarm ? ["alarm disarm after a failure"] : []),
  ];
  return check(
    name,
    problems.length === 0,
    problems.length === 0 ? `stopped at ${failedNode}` : problems.join("; "),
  );
}

function refusedTouchesNothing(o: RunObservation): Check {
  const name = "a refused run touches nothing";
  if (o.report?.result !== "refused") return check(name, true, "not refused");
  const touched = o.calls.filter((c) => MUTATING.has(c.command));
  return check(
    name,
    touched.length === 0,
    touched.length === 0 ? "no mutating call" : touched.map((c) => `${c.command} on ${c.node}`).join(", "),
  );
}

/** What the fault allows: the control group must succeed; a signal must interrupt unless nothing was left to do. */
function outcomeFitsFault(o: RunObservation, defrags: readonly CallSpan[]): Check {
  const name = "the outcome fits the fault";
  const result = o.report?.result ?? "(none)";
  if (o.plan.kind === "none" || o.injectedAt === null) {
    const held = o.exitCode === 0 && result === "ok";
    return check(
      name,
      held,
      `${o.injectedAt === null && o.plan.kind !== "none" ? "fault never fired; " : ""}exit ${o.exitCode}, ${result}`,
    );
  }
  if (o.plan.kind === "sigint") {
    const lastEnd = Math.max(0, ...defrags.map((d) => d.end));
    const allDone = o.report?.steps.every((s) => s.outcome !== "not-touched") === true;
    const late = o.injectedAt >= lastEnd && allDone;
    const held = o.exitCode === 130 || (late && o.exitCode === 0);
    return check(
      name,
      held,
      `signal ${late ? "after the last defrag" : "during the run"}: exit ${o.exitCode}, ${result}`,
    );
  }
  return check(name, o.exitCode !== 130, `exit ${o.exitCode}, ${result}`);
}

function healthyAgain(o: RunObservation): Check {
  const name = "healthy again after the fault";
  return o.healthyAfterMs === null
    ? check(name, false, `not within ${o.healthBoundMs} ms`)
    : check(name, true, `${o.healthyAfterMs} ms`);
}
