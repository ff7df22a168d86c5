/**
 * `snapshot adopt FILE...`: makes snapshots this cluster's (src/run/snapshot-adopt.ts): reads the cluster
 * (through talosctl, like `status`) for its member IDs, verifies each file and writes its manifest, renaming a
 * file named by hand to our name scheme. A file with a manifest naming members is left as it is.
 * Exit 0 when every file was adopted or had a manifest, 3 when one does not verify (or its manifest is not
 * valid), 2 when a path is missing or unreadable.
 */
import { EXIT, type ExitCode } from "../errors.js";
import type { AdoptOutcome } from "../run/snapshot-adopt.js";
import { adoptSnapshots } from "../service/snapshot.js";
import type { CommandContext } from "./context.js";
import { printDocument } from "./json-output.js";

/** One file's outcome; the JSON document holds these as they are. */
export type AdoptVerdict = Omit<AdoptOutcome, "kind">;

const VERB: Record<AdoptOutcome["kind"], string> = {
  adopted: "adopted",
  kept: "kept",
  usage: "FAILED",
  refused: "FAILED",
};

export async function runSnapshotAdopt(ctx: CommandContext, paths: readonly string[]): Promise<ExitCode> {
  const outcomes = await adoptSnapshots(ctx, paths);
  const files: AdoptVerdict[] = outcomes.map(({ kind: _kind, ...verdict }) => verdict);
  const exit = outcomes.some((o) => o.kind === "usage")
    ? EXIT.usage
    : outcomes.some((o) => o.kind === "refused")
      ? EXIT.refused
      : EXIT.ok;
  if (ctx.output === "json") printDocument(ctx.io, "snapshot-adopt", { files, ok: exit === EXIT.ok });
  else
    ctx.io.stdout(
      outcomes
        .map((o) => {
          const where = o.renamedTo === null ? o.path : `${o.path} -> ${o.renamedTo}`;
          return `${VERB[o.kind].padEnd(7)}  ${where}${o.error === null ? "" : `: ${o.error}`}\n`;
        })
        .join(""),
    );
  return exit;
}
