/**
 * The bench's one way to run a child process: argv array, no shell, a hard time limit, killed when the bench is
 * interrupted, and every stdout line stamped with the moment it arrived (etcdctl reports per member that way).
 */
import { spawn } from "node:child_process";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Epoch ms just before spawn and when the process exited. */
  startedAt: number;
  endedAt: number;
  /** Wall time measured with the monotonic clock. */
  durationMs: number;
  /** Each complete stdout line with the epoch ms at which it was read. */
  lines: { t: number; text: string }[];
}

export interface ProcessOptions {
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions,
): Promise<ProcessResult> {
  const startedAt = Date.now();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args], {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    const lines: ProcessResult["lines"] = [];
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const t = Date.now();
      stdout += chunk;
      pending += chunk;
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const text of parts) lines.push({ t, text });
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", (error) => {
      // An abort is reported as an error too: the caller sees the interruption, not a half result.
      reject(error);
    });
    child.once("close", (code) => {
      if (pending !== "") lines.push({ t: Date.now(), text: pending });
      resolve({
        code,
        stdout,
        stderr,
        startedAt,
        endedAt: Date.now(),
        durationMs: performance.now() - started,
        lines,
      });
    });
  });
}

/** Throws with the argv and the end of stderr when a step the bench depends on failed. */
export function assertSucceeded(what: string, result: ProcessResult): ProcessResult {
  if (result.code !== 0)
    throw new Error(`${what} exited with ${String(result.code)}: ${result.stderr.trim().slice(-2000)}`);
  return result;
}
