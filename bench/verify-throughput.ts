/**
 * `npm run bench:verify -- [--file PATH | --size 1GB] [--runs N]`: how fast a snapshot file is verified, next to
 * `openssl dgst -sha256` over the same file in the same rounds. The page cache is warmed first, so both read
 * memory, not disk; every round runs each method once, interleaved. Methods: verifySnapshotFile (what `defrag`,
 * `snapshot` and `snapshot verify` run), the CLI's `snapshot verify` as a whole process, the read stream with
 * 64 KiB chunks the check used before (for comparison), and node's SHA-256 over a buffer already in memory (the
 * ceiling for any reading strategy). Nothing here asserts a speed: it measures and prints.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { verifySnapshotFile } from "../src/run/snapshot-file.js";
import { median, writeSnapshotLikeFile } from "./extras.js";
import { markdownTable } from "./markdown-table.js";
import { cliPath } from "./paths.js";
import { runProcess } from "./process.js";
import { round } from "./stats.js";

interface Method {
  name: string;
  /** Bytes it hashes (the whole file, or the body before the trailer). */
  run(path: string): Promise<void>;
}

async function opensslDgst(path: string): Promise<void> {
  const result = await runProcess("openssl", ["dgst", "-sha256", path], { timeoutMs: 300_000 });
  if (result.code !== 0) throw new Error(`openssl dgst failed: ${result.stderr}`);
}

/** The check as it was before double-buffered reads: a read stream (64 KiB chunks) piped into the hash. */
async function streamHash(path: string): Promise<void> {
  const { size } = await stat(path);
  const hash = createHash("sha256");
  await pipeline(createReadStream(path, { start: 0, end: size - 33 }), hash);
  hash.digest();
}

async function toolCheck(path: string): Promise<void> {
  const check = await verifySnapshotFile(path);
  if (!check.sha256Verified) throw new Error(`${path} did not verify: ${check.problem ?? "?"}`);
}

async function cliVerify(path: string): Promise<void> {
  const result = await runProcess(process.execPath, [cliPath(), "snapshot", "verify", path], {
    timeoutMs: 300_000,
  });
  if (result.code !== 0) throw new Error(`snapshot verify exited ${String(result.code)}: ${result.stdout}`);
}

/** SHA-256 of a 64 MiB buffer already in memory, scaled: the hash's own speed, no reading at all. */
async function inMemory(): Promise<void> {
  const hash = createHash("sha256");
  const block = IN_MEMORY_BLOCK;
  for (let i = 0; i < 16; i++) hash.update(block);
  hash.digest();
}
const IN_MEMORY_BLOCK = Buffer.alloc(4 * 1024 * 1024, 0x5a);
const IN_MEMORY_BYTES = 16 * IN_MEMORY_BLOCK.length;

const METHODS: Method[] = [
  { name: "openssl dgst -sha256 (process)", run: opensslDgst },
  { name: "verifySnapshotFile (the tool's check)", run: toolCheck },
  { name: "talos-etcd-defrag snapshot verify (process)", run: cliVerify },
  { name: "read stream, 64 KiB chunks (the check before)", run: streamHash },
];

export interface ThroughputRow {
  name: string;
  bytes: number;
  medianMs: number;
  mbPerSecond: number;
  /** mbPerSecond over openssl's in the same rounds. */
  ofOpenssl: number;
}

export async function measureVerify(path: string, runs: number): Promise<ThroughputRow[]> {
  const { size } = await stat(path);
  await toolCheck(path); // warms the page cache and fails early on a bad file
  const times = new Map<string, number[]>([...METHODS.map((m) => [m.name, []] as [string, number[]])]);
  const memoryTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const method of METHODS) {
      const started = performance.now();
      await method.run(path);
      times.get(method.name)?.push(performance.now() - started);
    }
    const started = performance.now();
    await inMemory();
    memoryTimes.push(performance.now() - started);
  }
  const rate = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
  const opensslRate = rate(size, median(times.get(METHODS[0]?.name ?? "") ?? []));
  const rows = METHODS.map((m) => {
    const ms = median(times.get(m.name) ?? []);
    return { name: m.name, bytes: size, medianMs: round(ms), mbPerSecond: round(rate(size, ms), 0) };
  });
  const memoryMs = median(memoryTimes);
  rows.push({
    name: "node SHA-256 of a buffer in memory (no reads)",
    bytes: IN_MEMORY_BYTES,
    medianMs: round(memoryMs),
    mbPerSecond: round(rate(IN_MEMORY_BYTES, memoryMs), 0),
  });
  return rows.map((r) => ({ ...r, ofOpenssl: round(r.mbPerSecond / opensslRate, 2) }));
}

/** Whether this CPU has the SHA extensions, and which OpenSSL each side uses: the numbers depend on both. */
export function describeCrypto(): string {
  const flags = (() => {
    try {
      return readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return "";
    }
  })();
  const shaNi = /\bsha_ni\b/.test(flags) ? "yes" : "no";
  const openssl = (() => {
    try {
      return execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
    } catch {
      return "not found";
    }
  })();
  return `CPU SHA extensions (sha_ni): ${shaNi}; node ${process.version} with OpenSSL ${process.versions.openssl}; ${openssl}`;
}

const SIZES: Record<string, number> = { mb: 1e6, gb: 1e9, mib: 2 ** 20, gib: 2 ** 30 };
const USAGE =
  "usage: npm run bench:verify -- [--file SNAPSHOT | --size 1GB (default)] [--runs N (default 5)]\n";

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: "string" },
      size: { type: "string", default: "1GB" },
      runs: { type: "string", default: "5" },
    },
  });
  const runs = Number(values.runs);
  const sizeMatch = /^(\d+(?:\.\d+)?)\s*(mb|gb|mib|gib)$/i.exec(values.size ?? "");
  const bytes = sizeMatch ? Number(sizeMatch[1]) * (SIZES[(sizeMatch[2] ?? "").toLowerCase()] ?? 0) : 0;
  if (!Number.isInteger(runs) || runs < 1 || runs > 50 || bytes < 1e6 || bytes > 8e9) {
    process.stderr.write(USAGE);
    return 2;
  }
  const dir = values.file === undefined ? await mkdtemp(join(tmpdir(), "ted-verify-bench-")) : undefined;
  try {
    const path = values.file ?? (await writeSnapshotLikeFile(dir ?? "", bytes));
    process.stderr.write(`${describeCrypto()}\nfile: ${path}\n`);
    const loadBefore = loadavg()[0] ?? 0;
    const rows = await measureVerify(path, runs);
    const load = `load average ${loadBefore.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`;
    process.stdout.write(
      `${markdownTable(
        [
          `method (median of ${runs}, interleaved, page cache warm)`,
          "MB hashed",
          "median ms",
          "MB/s",
          "× openssl",
        ],
        rows.map((r) => [r.name, round(r.bytes / 1e6, 0), r.medianMs, r.mbPerSecond, r.ofOpenssl]),
        ["left", "right", "right", "right", "right"],
      ).join("\n")}\n\n${new Date().toISOString()}, ${load}\n`,
    );
    return 0;
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
