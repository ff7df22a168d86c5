/**
 * `snapshot adopt FILE...`: gives a snapshot from before manifests its manifest, so that `--keep` counts (and in
 * time prunes) it like the others. Only a file with our name (its label and time come from the name) that
 * verifies is adopted; a file with a manifest is left as it is. Needs no talosctl.
 * Exit 0 when every file was adopted or had a manifest, 3 when one does not verify (or its manifest is not
 * valid), 2 when a path is missing, unreadable or not a name of ours.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { EXIT, type ExitCode } from "../errors.js";
import { parseSnapshotName, stampToIso, verifySnapshotFile } from "../run/snapshot-file.js";
import { adoptedManifest, manifestPathFor, readManifest, writeManifest } from "../run/snapshot-manifest.js";
import type { CliIO } from "./io.js";
import { printDocument } from "./json-output.js";
import { parseChoice } from "./values.js";
import { packageVersion } from "./version.js";

/** One file's outcome; the JSON document holds these as they are. */
export interface AdoptVerdict {
  path: string;
  /** A manifest was written now. */
  adopted: boolean;
  /** The manifest beside the file after the command (written now or already there); null when none. */
  manifest: string | null;
  /** Why it was not adopted (also "it has a manifest already"); null when adopted. */
  error: string | null;
}

type Outcome = AdoptVerdict & { verb: "adopted" | "kept" | "FAILED"; exit: ExitCode };

export async function runSnapshotAdopt(
  io: CliIO,
  paths: readonly string[],
  flags: { output?: string },
): Promise<ExitCode> {
  const output = parseChoice(flags.output ?? "table", "--output", ["table", "wide", "json"] as const);
  const outcomes: Outcome[] = [];
  for (const path of paths) outcomes.push(await adoptOne(path));
  const files = outcomes.map(({ path, adopted, manifest, error }) => ({ path, adopted, manifest, error }));
  const exit = outcomes.some((o) => o.exit === EXIT.usage)
    ? EXIT.usage
    : outcomes.some((o) => o.exit !== EXIT.ok)
      ? EXIT.refused
      : EXIT.ok;
  if (output === "json") printDocument(io, "snapshot-adopt", { files, ok: exit === EXIT.ok });
  else
    io.stdout(
      outcomes
        .map((o) => `${o.verb.padEnd(7)}  ${o.path}${o.error === null ? "" : `: ${o.error}`}\n`)
        .join(""),
    );
  return exit;
}

async function adoptOne(path: string): Promise<Outcome> {
  const failed = (error: string, exit: ExitCode, manifest: string | null = null): Outcome => ({
    path,
    adopted: false,
    manifest,
    error,
    verb: "FAILED",
    exit,
  });
  const name = parseSnapshotName(basename(path));
  if (name === null)
    return failed(
      "not a name of ours (talos-etcd-defrag-<label>-<UTC time>.db): --keep never counts it",
      EXIT.usage,
    );
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) return failed("no such file", EXIT.usage);
  const reading = await readManifest(path);
  if (reading.kind === "ok")
    return {
      path,
      adopted: false,
      manifest: reading.path,
      error: "it has a manifest already",
      verb: "kept",
      exit: EXIT.ok,
    };
  if (reading.kind === "invalid")
    return failed(`${reading.problem}; move it away to adopt the file`, EXIT.refused, reading.path);
  let check: Awaited<ReturnType<typeof verifySnapshotFile>>;
  try {
    check = await verifySnapshotFile(path);
  } catch (error) {
    return failed((error as Error).message, EXIT.usage);
  }
  if (!check.sha256Verified) return failed(check.problem ?? "it does not verify", EXIT.refused);
  const manifest = adoptedManifest({
    path,
    label: name.label,
    takenAt: new Date(stampToIso(name.stamp)),
    check,
    toolVersion: packageVersion(),
  });
  try {
    await writeManifest(path, manifest);
  } catch (error) {
    return failed(`cannot write ${manifestPathFor(path)}: ${(error as Error).message}`, EXIT.refused);
  }
  return {
    path,
    adopted: true,
    manifest: manifestPathFor(path),
    error: null,
    verb: "adopted",
    exit: EXIT.ok,
  };
}
