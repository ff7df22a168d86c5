/**
 * The generated sweep over snapshot folders (issue 27, "The generated sweep"): random folders of verified,
 * tampered, adopted, foreign, unfinished and future-stamped snapshots, written to disk as the tool writes them,
 * judged by retention (`pruneSnapshots`, which deletes) and by check's recent-snapshot item
 * (`findNewestSnapshot`). The invariants, whatever the folder:
 * - retention never deletes the snapshot just taken, nor the newest verified snapshot of the cluster;
 * - it deletes only snapshots of this cluster that verify, never more than `--keep` leaves over, and reports
 *   every snapshot of the cluster that does not verify instead of counting it;
 * - a foreign, unmanaged or unfinished file is never deleted;
 * - check's newest snapshot is the cluster's (its manifest names a member), never an unfinished one, and it is
 *   called verified only when the file verifies against its manifest;
 * - neither depends on the label (which `--context` or the member hash gives).
 * The seed and runs are the sweep's (sweep-params.ts); a failure prints the seed and the shrunk folder.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findNewestSnapshot } from "../../src/run/recent-snapshot.js";
import { pruneSnapshots } from "../../src/run/retention.js";
import { formatSnapshotName, TAKING_SUFFIX } from "../../src/run/snapshot-file.js";
import { manifestFor, snapshotBytes } from "../run/manifest-files.js";
import { SWEEP_CEILING_MS, sweepParams } from "./sweep-params.js";

const CLUSTER = ["0b47fb33e59bf0e2", "a49c021e76e707db", "ecebb05b59a776f1"];
const REPLACED = ["0b47fb33e59bf0e2", "1111111111111111", "2222222222222222"]; // one member in common
const FOREIGN = ["3333333333333333", "4444444444444444", "5555555555555555"];
const NOW = Date.parse("2026-12-07T12:00:00Z");

type Kind = "verified" | "tampered" | "adopted-old" | "foreign" | "replaced" | "no-manifest" | "unfinished";

interface FileSpec {
  kind: Kind;
  /** Hours before NOW by the name's stamp; negative: a clock that ran ahead. */
  nameHoursAgo: number;
  /** Hours before NOW by the manifest's takenAt (may disagree with the name). */
  takenHoursAgo: number;
  label: "prod" | "homelab" | "a1b2c3d4";
}

const fileSpec = fc.record({
  kind: fc.constantFrom<Kind>(
    "verified",
    "verified",
    "tampered",
    "adopted-old",
    "foreign",
    "replaced",
    "no-manifest",
    "unfinished",
  ),
  nameHoursAgo: fc.integer({ min: -48, max: 24 * 30 }),
  takenHoursAgo: fc.integer({ min: 0, max: 24 * 30 }),
  label: fc.constantFrom<FileSpec["label"]>("prod", "homelab", "a1b2c3d4"),
});

const folderCase = fc.record({
  files: fc.array(fileSpec, { minLength: 0, maxLength: 9 }),
  keep: fc.integer({ min: 1, max: 4 }),
  /** Index into files of the one "just taken" (must be verified and ours), or none. */
  justTaken: fc.option(fc.nat(), { nil: null }),
});

interface Written {
  path: string;
  spec: FileSpec;
  ours: boolean;
  verifies: boolean;
  takenAt: number;
}

async function writeFolder(dir: string, files: readonly FileSpec[]): Promise<Written[]> {
  const written: Written[] = [];
  const used = new Set<string>();
  for (const spec of files) {
    let seq = 0;
    let name = formatSnapshotName(spec.label, new Date(NOW - spec.nameHoursAgo * 3_600_000));
    while (used.has(name))
      name = formatSnapshotName(spec.label, new Date(NOW - spec.nameHoursAgo * 3_600_000), ++seq);
    used.add(name);
    const finished = join(dir, name);
    const path = spec.kind === "unfinished" ? `${finished}${TAKING_SUFFIX}` : finished;
    const bytes = snapshotBytes(1);
    const takenAt = NOW - spec.takenHoursAgo * 3_600_000;
    const memberIds =
      spec.kind === "foreign"
        ? FOREIGN
        : spec.kind === "replaced"
          ? REPLACED
          : spec.kind === "adopted-old"
            ? []
            : CLUSTER;
    // Tampered: one byte of the body flipped, so the file never matches its manifest (or its own trailer).
    const stored = Buffer.from(bytes);
    if (spec.kind === "tampered") stored[100] = (stored[100] ?? 0) ^ 0xff;
    await writeFile(path, stored);
    if (spec.kind !== "no-manifest" && spec.kind !== "unfinished") {
      const manifest = manifestFor(name, bytes, {
        cluster: { label: spec.label, memberIds },
        takenAt: new Date(takenAt).toISOString(),
        adopted: spec.kind === "adopted-old",
      });
      await writeFile(`${finished}.json`, JSON.stringify(manifest));
    }
    const ours = spec.kind === "verified" || spec.kind === "tampered" || spec.kind === "replaced";
    written.push({ path, spec, ours, verifies: spec.kind !== "tampered", takenAt });
  }
  return written;
}

function describeCase(c: { files: FileSpec[]; keep: number; justTaken: number | null }): string {
  const rows = c.files.map(
    (f, i) => `  #${i} ${f.kind} label=${f.label} name -${f.nameHoursAgo}h takenAt -${f.takenHoursAgo}h`,
  );
  return [`keep ${c.keep}, just taken #${c.justTaken ?? "none"}`, ...rows].join("\n");
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "ted-folder-sweep-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each case writes a folder to disk: a share of the sweep's runs (300 of the default 2,000). */
const FOLDER_SHARE = 0.15;

describe("the generated sweep over snapshot folders (issue 27)", () => {
  it(
    "retention never deletes the just-taken or the newest verified snapshot, nor anything not ours and verified",
    async () => {
      await fc.assert(
        fc.asyncProperty(folderCase, async (c) =>
          withDir(async (dir) => {
            const written = await writeFolder(dir, c.files);
            const candidates = written.filter((w) => w.ours && w.verifies);
            const pick =
              c.justTaken === null || candidates.length === 0
                ? null
                : candidates[c.justTaken % candidates.length];
            const justTaken = pick?.path ?? null;
            const result = await pruneSnapshots(dir, { keep: c.keep, memberIds: CLUSTER, justTaken });
            const left = new Set((await readdir(dir)).map((n) => join(dir, n)));
            const removed = new Set(result.removed);
            const info = describeCase(c);
            for (const w of written) {
              if (!(w.ours && w.verifies)) {
                expect(left.has(w.path), `${info}\n${w.path} (${w.spec.kind}) was deleted`).toBe(true);
                expect(removed.has(w.path), info).toBe(false);
              }
            }
            if (justTaken !== null)
              expect(left.has(justTaken), `${info}\nthe just-taken snapshot was deleted`).toBe(true);
            const newest = [...candidates].sort((a, b) => b.takenAt - a.takenAt)[0];
            if (newest !== undefined) {
              const newestAt = newest.takenAt;
              const newestLeft = candidates.some((w) => w.takenAt === newestAt && left.has(w.path));
              expect(newestLeft, `${info}\nthe newest verified snapshot was deleted`).toBe(true);
            }
            const keptOurs = candidates.filter((w) => left.has(w.path)).length;
            expect(keptOurs, info).toBeGreaterThanOrEqual(Math.min(c.keep, candidates.length));
            expect(keptOurs, info).toBeLessThanOrEqual(c.keep + 2);
            const reported = new Set(result.unverified.map((u) => u.path));
            for (const w of written.filter((x) => x.ours && !x.verifies))
              expect(reported.has(w.path), `${info}\n${w.path} does not verify and was not reported`).toBe(
                true,
              );
          }),
        ),
        sweepParams(FOLDER_SHARE),
      );
    },
    SWEEP_CEILING_MS,
  );

  it(
    "check's newest snapshot is the cluster's, never unfinished, verified only when it verifies, whatever the label",
    async () => {
      await fc.assert(
        fc.asyncProperty(folderCase, async (c) =>
          withDir(async (dir) => {
            const written = await writeFolder(dir, c.files);
            const info = describeCase(c);
            const byLabel = await Promise.all(
              ["prod", "homelab", "a1b2c3d4"].map((label) => findNewestSnapshot(dir, label, CLUSTER)),
            );
            const [first] = byLabel;
            for (const other of byLabel)
              expect(other?.newest?.path ?? null, info).toBe(first?.newest?.path ?? null);
            const found = first?.newest ?? null;
            const ours = written.filter((w) => w.ours);
            if (found === null) {
              expect(ours, `${info}\ncheck found no snapshot of the cluster`).toHaveLength(0);
              return;
            }
            const w = written.find((x) => x.path === found.path);
            expect(w, `${info}\ncheck took ${found.path}, which is not a finished snapshot`).toBeDefined();
            if (w === undefined) return;
            expect(w.ours, `${info}\ncheck took ${w.spec.kind} ${w.path}`).toBe(true);
            expect(found.sha256Verified, info).toBe(w.verifies);
            const newestAt = Math.max(...ours.map((x) => x.takenAt));
            expect(w.takenAt, `${info}\ncheck did not take the newest of the cluster`).toBe(newestAt);
          }),
        ),
        sweepParams(FOLDER_SHARE),
      );
    },
    SWEEP_CEILING_MS,
  );
});

// The fixtures' own sanity: a tampered file differs from its manifest, a verified one matches it.
describe("the folder generator", () => {
  it("writes files whose manifests match unless tampered", async () => {
    await withDir(async (dir) => {
      const [good, bad] = await writeFolder(dir, [
        { kind: "verified", nameHoursAgo: 1, takenHoursAgo: 1, label: "prod" },
        { kind: "tampered", nameHoursAgo: 2, takenHoursAgo: 2, label: "prod" },
      ]);
      const result = await pruneSnapshots(dir, { keep: 5, memberIds: CLUSTER });
      expect(result.unverified.map((u) => u.path)).toEqual([bad?.path]);
      expect(result.removed).toEqual([]);
      expect(good?.verifies).toBe(true);
    });
  });
});
