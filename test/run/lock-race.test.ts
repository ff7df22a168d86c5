import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockPaths } from "../../src/run/lock.js";
import { RACE_KEY } from "./lock-race-worker.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const RACERS = 8;
const ROUNDS = 25;

interface Racer {
  child: ChildProcess;
  lines: Interface;
  next(): Promise<string>;
}

let work: string;
let racers: Racer[] = [];

function startRacer(script: string): Racer {
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => {
    const wake = waiting.shift();
    if (wake) wake(line);
    else queued.push(line);
  });
  const next = () => {
    const line = queued.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise<string>((r) => waiting.push(r));
  };
  return { child, lines, next };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "ted-lock-race-"));
  const script = join(work, "racer.mjs");
  await build({
    entryPoints: [join(HERE, "lock-race-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: script,
    logLevel: "silent",
  });
  racers = Array.from({ length: RACERS }, () => startRacer(script));
});

afterAll(async () => {
  for (const racer of racers) racer.child.stdin?.end();
  await Promise.all(
    racers.map(
      (r) => new Promise((done) => (r.child.exitCode !== null ? done(null) : r.child.on("exit", done))),
    ),
  );
  await rm(work, { recursive: true, force: true });
});

describe("taking over a stale lock (issue 27 item 7)", () => {
  it("lets at most one of many processes racing on one stale lock hold it, every round", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // Given a stale lock (its holder ran before the last reboot), and RACERS processes that all find it stale
      const dir = await mkdtemp(join(work, `round-${round}-`));
      const [path] = lockPaths(RACE_KEY, dir);
      await writeFile(
        path ?? "",
        JSON.stringify({
          pid: 4242,
          startedAt: "2026-11-22T10:00:00.000Z",
          procStart: "100",
          bootId: "gone",
        }),
      );
      // When they all try to take it at once (each stays alive, holding what it won)
      for (const racer of racers) racer.child.stdin?.write(`go ${dir}\n`);
      const answers = await Promise.all(racers.map((r) => r.next()));
      // Then exactly one holds it, the others are refused, none failed otherwise
      expect(answers.filter((a) => !["won", "refused"].includes(a))).toEqual([]);
      expect({ round, winners: answers.filter((a) => a === "won").length }).toEqual({ round, winners: 1 });
      for (const racer of racers) racer.child.stdin?.write("end\n");
      expect(await Promise.all(racers.map((r) => r.next()))).toEqual(Array(RACERS).fill("ended"));
      // And nothing is left behind once the winner released it
      expect(await readdir(dir)).toEqual([]);
    }
  }, 120_000);
});
