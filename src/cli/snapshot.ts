/** `snapshot`: a verified snapshot with retention, from the node given with -n or from a healthy follower. */

import { formatDurationMs } from "../cluster/snapshot-item.js";
import { EXIT, type ExitCode } from "../errors.js";
import { DEFAULT_SNAPSHOT_KEEP } from "../policy.js";
import { DEFAULT_SNAPSHOT_DIR, snapshotCluster, snapshotOptions } from "../service/snapshot.js";
import { formatSize } from "../talos/size.js";
import { validateArgValue } from "../talos/validate.js";
import type { CommandContext } from "./context.js";
import { printDocument } from "./json-output.js";
import { parseCount, parseSnapshotTimeout } from "./values.js";

export interface SnapshotFlags {
  snapshotDir?: string;
  keep?: string;
  snapshotTimeout?: string;
}

export async function runSnapshot(ctx: CommandContext, flags: SnapshotFlags): Promise<ExitCode> {
  const dir = validateArgValue(flags.snapshotDir ?? DEFAULT_SNAPSHOT_DIR, "--snapshot-dir");
  const keep = parseCount(flags.keep ?? String(DEFAULT_SNAPSHOT_KEEP), "--keep", 1);
  const timeoutMs = parseSnapshotTimeout(flags.snapshotTimeout);
  // One -n node means "take it from there"; otherwise a healthy, caught-up follower is chosen.
  const chosen = ctx.target.nodes.length === 1 ? ctx.target.nodes[0] : undefined;
  const live = liveLine(ctx);
  const result = await snapshotCluster(
    ctx,
    snapshotOptions(ctx.target, {
      dir,
      keep,
      ...(chosen === undefined ? {} : { node: chosen }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(live === undefined ? {} : { progress: live.draw }),
    }),
  ).finally(() => live?.clear());
  for (const w of result.warnings) ctx.warn(w);
  if (ctx.output === "json") {
    printDocument(ctx.io, "snapshot", { result: "ok", snapshot: result, warnings: result.warnings });
  } else {
    ctx.io.stdout(
      `snapshot saved to ${result.path} (${formatSize(result.bytes)}, ${result.bytes} bytes) from ${result.node}: sha256 verified, revision ${result.revision ?? "?"}, ${result.totalKeys ?? "?"} keys\n`,
    );
    if (result.pruned.length > 0)
      ctx.io.stdout(`removed older snapshots beyond --keep ${keep}: ${result.pruned.join(", ")}\n`);
  }
  return EXIT.ok;
}

/**
 * On a terminal only: one line on stderr, redrawn every few seconds while the snapshot streams (elapsed time and
 * bytes so far), cleared when the call ends. A pipe or a log gets nothing: the result line says it all, and a
 * line every 5 s would only fill a CronJob's log.
 */
function liveLine(ctx: CommandContext) {
  if (!ctx.io.stderrIsTTY) return undefined;
  let drawn = false;
  const width = ctx.io.stderrWidth;
  return {
    draw: (p: { node: string; elapsedMs: number; bytes: number | null }) => {
      const text = `snapshot from ${p.node}: ${formatDurationMs(p.elapsedMs)}${p.bytes === null ? "" : `, ${formatSize(p.bytes)} so far`}`;
      ctx.io.stderr(
        `\r\u001b[2K${width === undefined || text.length < width ? text : text.slice(0, width - 1)}`,
      );
      drawn = true;
    },
    clear: () => {
      if (drawn) ctx.io.stderr("\r\u001b[2K");
    },
  };
}
