/**
 * Which nodes failed, from talosctl's stderr. Two shapes:
 * - up to v1.13 (hashicorp/go-multierror list), as a warning with exit 0 when some nodes answered, or as
 *   the returned error with exit 1 when none did:
 *     WARNING: 2 errors occurred:            error getting status: 1 error occurred:
 *     \t* 172.20.0.4: rpc error: ...           \t* 172.20.0.4: rpc error: ...
 * - v1.14: one `error from node 172.20.0.4: rpc error: ...` line per node (exit 1).
 * Lines of any other shape (usage text, a plain `rpc error` with no node) are left to the caller.
 */
import { classifyFailure } from "./error-kinds.js";
import type { NodeFailure } from "./types.js";

const LIST_START = /\b\d+ errors? occurred:\s*$/;
const LIST_ITEM = /^\t\* (.*)$/;
const FROM_NODE = /^error from node (\S+?): (.*)$/;

/** `172.20.0.4: rpc error: ...` -> node and error. The first ": " ends the node, IPv6 included (`fd00::1: `). */
function splitNodeError(item: string): NodeFailure | null {
  const at = item.indexOf(": ");
  if (at <= 0) return null;
  const node = item.slice(0, at);
  if (/\s/.test(node)) return null;
  const error = item.slice(at + 2).trim();
  return { node, kind: classifyFailure(error), error };
}

export function parseNodeFailures(stderr: string): NodeFailure[] {
  const failures: NodeFailure[] = [];
  let inList = false;
  for (const raw of stderr.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const fromNode = FROM_NODE.exec(line);
    if (fromNode?.[1] !== undefined && fromNode[2] !== undefined) {
      const error = fromNode[2].trim();
      failures.push({ node: fromNode[1], kind: classifyFailure(error), error });
      inList = false;
      continue;
    }
    if (LIST_START.test(line)) {
      inList = true;
      continue;
    }
    const item = inList ? LIST_ITEM.exec(line) : null;
    if (item?.[1] !== undefined) {
      const failure = splitNodeError(item[1]);
      if (failure !== null) failures.push(failure);
      continue;
    }
    // A blank line ends the list; a continuation line of a multi-line error does not.
    if (line.trim() === "") inList = false;
  }
  return failures;
}
