/**
 * One racer of test/run/lock-race.test.ts, a process of its own (bundled by esbuild for the test). Reads lines on
 * stdin: `go <dir>` tries to take the lock of the test's cluster in <dir> and answers `won`, `refused` or
 * `error <message>` on stdout, holding a lock it won (this process stays alive, so the lock is not stale) until
 * `end`, which releases it and answers `ended`. stdin closed: exit.
 */
import { createInterface } from "node:readline";
import { acquireLock, type LockHandle } from "../../src/run/lock.js";

export const RACE_KEY = { memberIds: ["0b47fb33e59bf0e2"] };

let held: LockHandle | undefined;
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  void (async () => {
    if (line.startsWith("go ")) {
      try {
        held = await acquireLock(RACE_KEY, { dir: line.slice(3), releaseOnExit: false });
        process.stdout.write("won\n");
      } catch (err) {
        const exitCode = (err as { exitCode?: number }).exitCode;
        process.stdout.write(exitCode === 3 ? "refused\n" : `error ${String(err)}\n`);
      }
    } else if (line === "end") {
      await held?.release();
      held = undefined;
      process.stdout.write("ended\n");
    }
  })();
});
lines.on("close", () => process.exit(0));
