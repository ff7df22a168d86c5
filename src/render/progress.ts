/**
 * Progress on stderr while a run goes: one plain line per thing that happened; on a terminal, a live line with
 * the elapsed time while a defrag runs (a large one takes minutes and must not look hung).
 */
import type { RunEvent, Sizes, StepRef } from "../run/types.js";
import { formatSize } from "../talos/size.js";
import type { Style } from "./style.js";

export interface ProgressOptions {
  write: (text: string) => void;
  live: boolean;
  style: Style;
  now?: () => number;
}

export interface Progress {
  onEvent(event: RunEvent): void;
  /** The node whose defrag is running right now, if any (for the second Ctrl-C message). */
  running(): string | undefined;
  close(): void;
}

/** `, memory 1.7 GB -> 95 MB` (etcd's RSS), `?` for a side not read, nothing when neither was. */
export function memoryChange(before: Sizes, after: Sizes): string {
  const known = (bytes: number | null | undefined) =>
    bytes === null || bytes === undefined ? "?" : formatSize(bytes);
  if (known(before.rssBytes) === "?" && known(after.rssBytes) === "?") return "";
  return `, memory ${known(before.rssBytes)} -> ${known(after.rssBytes)}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const prefix = (s: StepRef) => `[${s.index}/${s.total}] ${s.node} ${s.role}`;

export function createProgress(options: ProgressOptions): Progress {
  const { write, style } = options;
  const now = options.now ?? Date.now;
  let ticker: NodeJS.Timeout | undefined;
  let runningNode: string | undefined;
  let lastUnmet = "";
  const line = (text: string) => write(`${text}\n`);
  const stopTicker = () => {
    if (ticker === undefined) return;
    clearInterval(ticker);
    ticker = undefined;
    write("\r\u001b[2K");
  };

  const onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "gate":
        for (const reason of event.reasons) line(style.bad(`refused: ${reason}`));
        return;
      case "plan": {
        const todo = event.plan.steps.filter((s) => s.action === "defrag");
        const names = todo.map(
          (s) => `${s.node} (${s.role}${s.leaderMove ? ", leadership moves first" : ""})`,
        );
        line(
          todo.length === 0
            ? "plan: nothing to defragment"
            : `plan: ${todo.length} member(s), in order: ${names.join(", ")}`,
        );
        return;
      }
      case "snapshot-started":
        line(`snapshot: taking it from ${event.node}`);
        return;
      case "snapshot-done": {
        const s = event.snapshot;
        line(
          `snapshot: ${s.path} (${formatSize(s.bytes)}, sha256 verified, revision ${s.revision ?? "?"}, from ${s.node})`,
        );
        if (s.pruned.length > 0) line(`snapshot: removed ${s.pruned.length} older snapshot(s) beyond --keep`);
        return;
      }
      case "step-refused":
        line(style.bad(`${prefix(event.step)}: not touched: ${event.reason}`));
        return;
      case "step-skipped":
        line(`${prefix(event.step)}: skipped (${event.reason})`);
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
          () => write(`\r\u001b[2K${prefix(event.step)}: defragmenting ${seconds(now() - event.startedAt)}`),
          250,
        );
        ticker.unref();
        return;
      case "defrag-done":
        runningNode = undefined;
        stopTicker();
        if (event.error !== null)
          line(
            style.warn(
              `${prefix(event.step)}: the defrag call failed (${event.error}); not re-issued, verifying`,
            ),
          );
        return;
      case "verify-waiting": {
        const unmet = event.unmet.join("; ");
        if (unmet !== lastUnmet) line(style.dim(`${prefix(event.step)}: waiting: ${unmet}`));
        lastUnmet = unmet;
        return;
      }
      case "verified": {
        const { before, after } = event;
        const shrink = event.shrunk ? "" : style.warn(" (did not shrink)");
        line(
          `${prefix(event.step)}: defrag ${formatSize(before.dbSize)} -> ${formatSize(after.dbSize)}${memoryChange(before, after)} in ${seconds(event.durationMs)}, ${style.ok("verified")}${shrink}`,
        );
        return;
      }
      case "verify-failed":
        line(style.bad(`${prefix(event.step)}: verification failed: ${event.reason}`));
        return;
      case "alarms-disarmed":
        line(`alarms: disarmed ${event.alarms.map((a) => `${a.alarm} on ${a.memberId}`).join(", ")}`);
        return;
      case "stopping":
        line(style.warn(`stopping: ${event.reason}`));
        return;
      case "warning":
        line(style.warn(`warning: ${event.message}`));
        return;
      case "finished":
        stopTicker();
        return;
    }
  };
  return { onEvent, running: () => runningNode, close: stopTicker };
}
