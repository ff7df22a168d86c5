/**
 * SIGINT/SIGTERM/SIGHUP during a run: the first asks the executor to stop after the running defrag is verified;
 * the second leaves at once and names the node whose defrag may still be running. SIGHUP (a closed terminal, a
 * dropped SSH session) is one of them: killed by it, a run left a defrag unverified, no report and its locks.
 */
import { EXIT } from "../errors.js";
import type { RunTerminal } from "./context.js";

export interface StopWatch {
  /** Aborted on the first signal. */
  signal: AbortSignal;
  unsubscribe(): void;
}

export function watchStopSignals(io: RunTerminal, running: () => string | undefined): StopWatch {
  const stop = new AbortController();
  let signals = 0;
  const unsubscribe = io.onStopSignal((signal) => {
    signals += 1;
    const node = running();
    if (signals === 1) {
      io.stderr(
        `\n${signal}: stopping after ${node ? `the defrag of ${node} finishes and is verified` : "the current step"} (press Ctrl-C again to exit at once)\n`,
      );
      stop.abort();
      return;
    }
    io.stderr(
      `\n${signal} again: exiting now.${node ? ` A defrag may still be running on ${node}: check it with \`talosctl -n ${node} etcd status\` before starting again.` : ""}\n`,
    );
    io.exitNow(EXIT.interrupted);
  });
  return { signal: stop.signal, unsubscribe };
}
