/** The two numbers that need no cluster: how fast the CLI starts, and how fast a snapshot is verified. */
import { createHash, randomBytes } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { verifySnapshotFile } from "../src/run/snapshot-file.js";
import { cliPath } from "./paths.js";
import { assertSucceeded, runProcess } from "./process.js";
import { round } from "./stats.js";

export interface ColdStart {
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** `node bin/talos-etcd-defrag.js --help`, as a user starts it; the median of `runs` runs. */
export async function measureColdStart(runs: number, signal: AbortSignal): Promise<ColdStart> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await runProcess(process.execPath, [cliPath(), "--help"], { timeoutMs: 30_000, signal });
    assertSucceeded("talos-etcd-defrag --help", result);
    times.push(result.durationMs);
  }
  return {
    runs,
    medianMs: round(median(times)),
    minMs: round(Math.min(...times)),
    maxMs: round(Math.max(...times)),
  };
}

export interface SnapshotThroughput {
  /** A snapshot taken by the tool during the bench, or a generated file of the same format. */
  source: "cluster snapshot" | "generated";
  bytes: number;
  runs: number;
  medianMs: number;
  mbPerSecond: number;
}

/** verifySnapshotFile over the same file `runs` times (the page cache is warm after the first). */
export async function measureSnapshotThroughput(
  path: string,
  source: SnapshotThroughput["source"],
  runs: number,
): Promise<SnapshotThroughput> {
  const { size } = await stat(path);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const check = await verifySnapshotFile(path);
    times.push(performance.now() - started);
    if (!check.sha256Verified) throw new Error(`${path} did not verify: ${check.problem ?? "?"}`);
  }
  const medianMs = median(times);
  return {
    source,
    bytes: size,
    runs,
    medianMs: round(medianMs),
    mbPerSecond: round(size / 1e6 / (medianMs / 1000)),
  };
}

/** etcd's snapshot format as far as verification cares: whole 512-byte pages, then their SHA-256. */
export async function writeSnapshotLikeFile(dir: string, bytes: number): Promise<string> {
  const path = join(dir, "generated-snapshot.db");
  const pages = Math.max(1, Math.floor(bytes / 512));
  const chunk = 1024 * 1024;
  const hash = createHash("sha256");
  const handle = await open(path, "w", 0o600);
  try {
    for (let written = 0; written < pages * 512; written += chunk) {
      const block = randomBytes(Math.min(chunk, pages * 512 - written));
      hash.update(block);
      await handle.write(block);
    }
    await handle.write(hash.digest());
  } finally {
    await handle.close();
  }
  return path;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  if (sorted.length === 0) return 0;
  return Number.isInteger(mid)
    ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
    : (sorted[Math.floor(mid)] ?? 0);
}
