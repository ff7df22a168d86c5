/**
 * A barrier across simulator invocations (each is a process of its own): every invocation of a listed command
 * waits until each listed command has arrived at least once, then answers. A caller that sends those calls at
 * once passes it however slow the machine is; a caller that sends them one after another never fills it (the
 * first waits for the others, which come only after it returns) and its calls fail or are killed by its own
 * timeout. Tests prove that calls overlap this way, with no clock. Once filled it stays open: later calls of
 * those commands (a run's status polls) pass at once. Arrivals are files, one per command, in `dir`.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SimCommand } from "./config.js";
import { sleep } from "./fan-out.js";

export interface Barrier {
  commands: SimCommand[];
  /** Where arrivals are recorded; the harness makes a fresh one per barrier. */
  dir: string;
  /** Fail an arrival after waiting this long (exit 1, saying so); unset: wait until killed. */
  timeoutMs?: number;
}

/** null when the barrier let the call through; else the error a waiting call ends with. */
export async function waitAtBarrier(
  barrier: Barrier | undefined,
  command: SimCommand,
): Promise<string | null> {
  if (barrier === undefined || !barrier.commands.includes(command)) return null;
  mkdirSync(barrier.dir, { recursive: true });
  writeFileSync(join(barrier.dir, command.replace(/\W+/g, "-")), "");
  const deadline =
    barrier.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + barrier.timeoutMs;
  for (;;) {
    const missing = barrier.commands.filter((c) => !existsSync(join(barrier.dir, c.replace(/\W+/g, "-"))));
    if (missing.length === 0) return null;
    if (Date.now() >= deadline)
      return `simulator barrier: ${command} waited ${barrier.timeoutMs} ms for ${missing.join(", ")}, which never came while it ran`;
    await sleep(10);
  }
}

/** The commands that arrived at the barrier so far (tests: the round was asked). */
export function barrierArrivals(barrier: Barrier): SimCommand[] {
  return barrier.commands.filter((c) => existsSync(join(barrier.dir, c.replace(/\W+/g, "-"))));
}
