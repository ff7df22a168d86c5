/** The call log: one JSON line per simulator invocation, read back by tests. */
import { appendFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { CallLogEntry } from "./types.js";

/** Synchronous so that it still lands when the process exits right after. */
export function appendCall(path: string, entry: CallLogEntry): void {
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}

export async function readCallLog(path: string): Promise<CallLogEntry[]> {
  return readJsonLines<CallLogEntry>(path);
}

/** A log of one JSON document a line (the simulator's, the real talosctl wrapper's); none yet is an empty log. */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}
