/**
 * Progress on stderr while a run goes: one plain line per thing that happened; on a terminal, a live line with
 * the elapsed time while a defrag runs (a large one takes minutes and must not look hung). With a width (the
 * terminal's), a long line wraps at spaces under an indent, and the live line is cut to fit: it is redrawn in
 * place, which only works on one terminal row.
 */
import type { PlanStep } from "../plan/types.js";
import type { RunEvent, StepRef } from "../run/types.js";
import { formatSize } from "../talos/size.js";
import type { Style } from "./style.js";
import { cutText, wrapText } from "./text.js";

export interface ProgressOptions {
  write: (text: string) => void;
  live: boolean;
  style: Style;
  now?: () => number;
  /** Columns of stderr; undefined = unlimited (not a terminal, a pipe). */
  width?: number | undefined;
  /**
   * The closing report follows on the same screen (stdout and stderr are one terminal): the snapshot's path is
   * left to the report, which names it, so that no line is printed twice.
   */
  reportFollows?: boolean;
}

/** The run's warnings as progress said them, for the closing report (see renderRunWarnings). */
export interface SaidWarnings {
  /** The warnings progress printed (or said with an earlier brief line). */
  above: ReadonlySet<string>;
  /** Warnings said another way than `warning: <message>`: the brief line, or null (said by an earlier one). */
  brief: ReadonlyMap<string, string | null>;
  /** The refusal reasons progress printed (`refused: <reason>`), which a report on the same screen leaves out. */
  refusals?: ReadonlySet<string>;
}

export interface Progress {
  onEvent(event: RunEvent): void;
  /** The node whose defrag is running right now, if any (for the second Ctrl-C message). */
  running(): string | undefined;
  /** What was said of the warnings so far. */
  said(): SaidWarnings;
  close(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** A wrapped step line continues under the text after its `[i/n] `; any other line two spaces in. */
const continuation = (text: string) => " ".repeat(/^\[\d+\/\d+\] /.exec(text)?.[0].length ?? 2);
const prefix = (s: StepRef) => `[${s.index}/${s.total}] ${s.node} ${s.role}`;

/** How the plan line names the leader's step: under auto with followers first, the run decides when there. */
function leaderNote(step: PlanStep, followersFirst: boolean): string {
  const decision = step.leaderDecision;
  if (decision === null) return step.leaderMove ? ", leadership moves first" : "";
  if (decision.basis === "estimate" && followersFirst) return ", move decided from the followers' rate";
  return decision.move ? ", leadership moves first" : ", in place";
}

export function createProgress(options: ProgressOptions): Progress {
  const { write, style } = options;
  const now = options.now ?? Date.now;
  let ticker: NodeJS.Timeout | undefined;
  let snapshotTicking = false;
  let runningNode: string | undefined;
  let lastUnmet = "";
  const above = new Set<string>();
  const brief = new Map<string, string | null>();
  const refusals = new Set<string>();
  /** One event's line; `paint` colours each wrapped part, so no colour runs across a line break. */
  const line = (text: string, paint: (t: string) => string = (t) => t) => {
    for (const part of wrapText(text, options.width, continuation(text))) write(`${paint(part)}\n`);
  };
  const redraw = (text: string) =>
    write(`\r\u001b[2K${options.width === undefined ? text : cutText(text, options.width - 1)}`);
  const stopTicker = () => {
    if (ticker === undefined) return;
    clearInterval(ticker);
    ticker = undefined;
    write("\r\u001b[2K");
  };

  const onEvent = (event: RunEvent): void => {
    // The snapshot's live line ends with whatever the run says next (done, or a refusal when it failed).
    if (snapshotTicking && event.type !== "snapshot-started") {
      snapshotTicking = false;
      stopTicker();
    }
    switch (event.type) {
      case "gate":
        for (const reason of event.reasons) {
          line(`refused: ${reason}`, style.bad);
          refusals.add(reason);
        }
        return;
      case "plan": {
        const steps = event.plan.steps;
        const todo = steps.filter((s) => s.action === "defrag");
        const followers = todo.some((s) => s.role === "follower");
        // Every member the run steps through, as `[i/n]` numbers them; a skipped one says so.
        const names = steps.map((s) =>
          s.action === "defrag"
            ? `${s.node} (${s.role}${leaderNote(s, followers)})`
            : `${s.node} (${s.role}, skip)`,
        );
        line(
          todo.length === 0
            ? "plan: nothing to defragment"
            : `plan: ${steps.length} member(s), in order: ${names.join(", ")}`,
        );
        return;
      }
      case "snapshot-started": {
        line(`snapshot: taking it from ${event.node}`);
        if (!options.live) return;
        // On a terminal, the time it has been streaming (a big member's snapshot takes minutes).
        const startedAt = now();
        ticker = setInterval(
          () => redraw(`snapshot: taking it from ${event.node} ${seconds(now() - startedAt)}`),
          250,
        );
        ticker.unref();
        snapshotTicking = true;
        return;
      }
      case "snapshot-done": {
        const s = event.snapshot;
        const said = `snapshot: ${formatSize(s.bytes)} from ${s.node}, revision ${s.revision ?? "?"}, sha256 verified`;
        // The path last: where a narrow terminal breaks the line, it goes whole onto the next.
        line(options.reportFollows === true ? said : `${said}: ${s.path}`);
        if (s.pruned.length > 0) line(`snapshot: removed ${s.pruned.length} older snapshot(s) beyond --keep`);
        return;
      }
      case "step-refused":
        line(style.bad(`${prefix(event.step)}: not touched: ${event.reason}`));
        return;
      case "step-skipped":
        line(`${prefix(event.step)}: skipped (${event.reason})`);
        return;
      case "leader-decision":
        line(`${prefix(event.step)}: ${event.decision.reason}`);
        return;
      case "leader-forfeit":
        line(`${prefix(event.step)}: moving leadership away (etcd forfeit-leadership)`);
        return;
      case "leader-moved":
        line(`${prefix(event.step)}: leadership moved to ${event.to.node}`);
        return;
      case "defrag-started":
        runningNode = event.step.node;
        lastUnmet = "";
        if (!options.live) {
          line(`${prefix(event.step)}: defragmenting`);
          return;
        }
        ticker = setInterval(
          () => redraw(`${prefix(event.step)}: defragmenting ${seconds(now() - event.startedAt)}`),
          250,
        );
        ticker.unref();
        return;
      case "defrag-done":
        runningNode = undefined;
        stopTicker();
        if (event.error !== null)
          line(
            `${prefix(event.step)}: the defrag call failed (${event.error}); not re-issued, verifying`,
            style.warn,
          );
        return;
      case "verify-waiting": {
        const unmet = event.unmet.join("; ");
        if (unmet !== lastUnmet) line(`${prefix(event.step)}: waiting: ${unmet}`, style.dim);
        lastUnmet = unmet;
        return;
      }
      case "catch-up-waiting": {
        const unmet = event.unmet.join("; ");
        if (unmet !== lastUnmet)
          line(style.dim(`${prefix(event.step)}: waiting for every member to catch up: ${unmet}`));
        lastUnmet = unmet;
        return;
      }
      case "verified": {
        const { before, after } = event;
        const shrink = event.shrunk ? "" : style.warn(" (did not shrink)");
        line(
          `${prefix(event.step)}: defrag ${formatSize(before.dbSize)} -> ${formatSize(after.dbSize)} in ${seconds(event.durationMs)}, ${style.ok("verified")}${shrink}`,
        );
        return;
      }
      case "verify-failed":
        line(`${prefix(event.step)}: verification failed: ${event.reason}`, style.bad);
        return;
      case "alarms-disarmed":
        line(`alarms: disarmed ${event.alarms.map((a) => `${a.alarm} on ${a.memberId}`).join(", ")}`);
        return;
      case "stopping":
        line(`stopping: ${event.reason}`, style.warn);
        return;
      case "warning":
        above.add(event.message);
        if (event.brief === undefined) line(`warning: ${event.message}`, style.warn);
        else {
          brief.set(event.message, event.brief);
          if (event.brief !== null) line(event.brief, style.warn);
        }
        return;
      case "finished":
        stopTicker();
        return;
    }
  };
  return { onEvent, running: () => runningNode, said: () => ({ above, brief, refusals }), close: stopTicker };
}
