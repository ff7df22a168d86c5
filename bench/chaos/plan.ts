/**
 * What one chaos run does, drawn from its seed: which fault, at which moment of the tool's run, on which member,
 * for how long. Pure and deterministic, so a failing run is replayed from the seed the summary prints.
 */

export const FAULT_KINDS = ["none", "kill", "pause", "move-leader", "talosctl", "nospace", "sigint"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Moments of a run, each recognised from the simulator's start log or the tool's progress on stderr. */
export const MOMENTS = [
  "before-first-defrag",
  "during-defrag",
  "during-verification",
  "between-members",
  "during-leader-move",
] as const;
export type Moment = (typeof MOMENTS)[number];

export interface ChaosPlan {
  /** The seed this run was drawn from: `npm run chaos -- --seed S --runs 1` replays it. */
  seed: number;
  kind: FaultKind;
  /** null for the control group (kind none). */
  moment: Moment | null;
  /** Run against 3 voters and a learner. */
  learner: boolean;
  /** Which defrag (1-based, in the order the tool runs them) the moment refers to. */
  defragNumber: number;
  /** 0..1: which member the fault hits (resolved against the members when it fires). */
  targetPick: number;
  /** With during-defrag / during-verification: hit the member being defragmented (else another one). */
  hitsDefragged: boolean;
  /** Wait after the moment is seen before injecting, ms. */
  delayMs: number;
  /** How long a pause / talosctl fault lasts, or after how long a killed member restarts, ms. */
  durationMs: number;
  /** kill: start the member again after durationMs (else only after the tool exits). */
  restart: boolean;
  /** sigint: a second SIGINT follows (exit at once). */
  twice: boolean;
  /** talosctl: the node's calls take longer than --timeout (delay) or it does not answer (unreachable). */
  talosctlMode: "delay" | "unreachable";
}

/** mulberry32: small, fast and good enough to spread faults; the same seed gives the same sequence. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of run `index` (0-based) of a chaos run started with `seed`. */
export function runSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 2654435761) + index * 40503 + 1) >>> 0;
}

const pick = <T>(next: () => number, items: readonly T[]): T => {
  const item = items[Math.floor(next() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
};
const between = (next: () => number, low: number, high: number): number =>
  Math.round(low + next() * (high - low));

/** Moments at which a fault kind makes sense: leadership cannot be moved "during the move" by SIGINT alone, etc. */
export function momentsFor(kind: FaultKind): readonly Moment[] {
  if (kind === "none") return [];
  if (kind === "nospace") return ["before-first-defrag", "during-defrag", "between-members"];
  return MOMENTS;
}

/** Draws one run; `kind` forces the fault (the fixed CI set runs one of each). */
export function planRun(seed: number, kind?: FaultKind): ChaosPlan {
  const next = random(seed);
  const chosen = kind ?? pick(next, FAULT_KINDS);
  const moments = momentsFor(chosen);
  const moment = moments.length === 0 ? null : pick(next, moments);
  const learner = next() < 0.2;
  const defragNumber = between(next, 1, 3);
  return {
    seed,
    kind: chosen,
    moment,
    learner,
    // "Between members" is after member N's verification and before member N+1: never after the last of three
    // voters, where the tool may already have exited when the fault is due (the fault would never fire).
    defragNumber: moment === "between-members" ? Math.min(defragNumber, 2) : defragNumber,
    targetPick: next(),
    hitsDefragged: next() < 0.5,
    delayMs: between(next, 0, 150),
    durationMs: between(next, 500, 6000),
    restart: next() < 0.6,
    twice: next() < 0.3,
    talosctlMode: next() < 0.5 ? "delay" : "unreachable",
  };
}

/** One line for a person: what this run does. */
export function describePlan(plan: ChaosPlan): string {
  if (plan.kind === "none") return `no fault${plan.learner ? ", with a learner" : ""}`;
  const at =
    plan.moment === "during-defrag" ||
    plan.moment === "during-verification" ||
    plan.moment === "between-members"
      ? `${plan.moment} #${plan.defragNumber}`
      : (plan.moment ?? "");
  const what: Record<FaultKind, string> = {
    none: "",
    kill: `SIGKILL a member's etcd${plan.restart ? `, restart after ${plan.durationMs} ms` : ", restart after the run"}`,
    pause: `SIGSTOP a member's etcd for ${plan.durationMs} ms`,
    "move-leader": "move leadership behind the tool's back",
    talosctl: `talosctl calls to one node ${plan.talosctlMode === "delay" ? "slower than --timeout" : "unreachable"} for ${plan.durationMs} ms`,
    nospace: "raise NOSPACE (fill up to the quota)",
    sigint: plan.twice ? "SIGINT the tool twice" : "SIGINT the tool once",
  };
  return `${what[plan.kind]} at ${at}${plan.learner ? ", with a learner" : ""}`;
}
