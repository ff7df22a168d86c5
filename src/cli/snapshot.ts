/** `snapshot`: a verified snapshot with retention, from the node given with -n or from a healthy follower. */
import { EXIT, type ExitCode, UserError } from "../errors.js";
import { SnapshotError, takeSnapshot } from "../run/snapshot.js";
import { formatSize } from "../talos/size.js";
import { validateArgValue } from "../talos/validate.js";
import type { CommandContext } from "./context.js";
import { contextLabel, DEFAULT_SNAPSHOT_DIR } from "./defrag.js";
import { openReader } from "./rule-flags.js";
import { parseCount } from "./values.js";

export interface SnapshotFlags {
  snapshotDir?: string;
  keep?: string;
}

export async function runSnapshot(ctx: CommandContext, flags: SnapshotFlags): Promise<ExitCode> {
  const dir = validateArgValue(flags.snapshotDir ?? DEFAULT_SNAPSHOT_DIR, "--snapshot-dir");
  const keep = parseCount(flags.keep ?? "5", "--keep", 1);
  const reader = await openReader(ctx, {});
  const view = await reader.read();
  // One -n node means "take it from there"; otherwise a healthy, caught-up follower is chosen.
  const chosen = ctx.target.nodes.length === 1 ? ctx.target.nodes[0] : undefined;
  const options = {
    dir,
    keep,
    ...contextLabel(ctx),
    ...(chosen === undefined ? {} : { node: chosen }),
  };
  const result = await takeSnapshot(ctx.talosctl, view, options, Date.now).catch((error: unknown) => {
    if (!(error instanceof SnapshotError)) throw error;
    throw new UserError(
      error.message,
      "check free space and permissions of --snapshot-dir, and the node's health",
      EXIT.refused,
    );
  });
  for (const w of result.warnings) ctx.warn(w);
  if (ctx.output === "json") {
    ctx.io.stdout(
      `${JSON.stringify({ result: "ok", snapshot: result, warnings: result.warnings }, null, 2)}\n`,
    );
  } else {
    ctx.io.stdout(
      `snapshot saved to ${result.path} (${formatSize(result.bytes)}, ${result.bytes} bytes) from ${result.node}: sha256 verified, revision ${result.revision ?? "?"}, ${result.totalKeys ?? "?"} keys\n`,
    );
    if (result.pruned.length > 0)
      ctx.io.stdout(`removed older snapshots beyond --keep ${keep}: ${result.pruned.join(", ")}\n`);
  }
  return EXIT.ok;
}
