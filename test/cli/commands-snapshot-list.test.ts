/**
 * `snapshot list` through main(): the snapshots in a directory newest first, with age, size, revision and whether
 * each verifies (its own check and its manifest's); what a restore would start from. No talosctl anywhere.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { SnapshotVerdict } from "../../src/run/snapshot-check.js";
import { listSnapshots } from "../../src/run/snapshot-check.js";
import { snapshotBytes, writeSnapshot } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import { recordIO } from "./fixture-exec.js";

const tempDir = useTempDir("ted-list-");
const name = (stamp: string, label = "prod") => `talos-etcd-defrag-${label}-${stamp}.db`;

async function list(args: string[], io: Partial<CliIO> = {}) {
  const rec = recordIO(
    () => async () => {
      throw new Error("snapshot list must never run talosctl");
    },
    io,
  );
  const code = await main(["snapshot", "list", ...args], rec.io);
  return { code, stdout: rec.stdout(), stderr: rec.stderr() };
}

/** Three of ours (one damaged), one from before manifests, and files that are not snapshots. */
async function folder(): Promise<string> {
  const dir = join(tempDir(), "snaps");
  await mkdir(dir);
  await writeSnapshot(dir, name("20261122T030000Z"), { takenAt: "2026-11-22T03:00:00.000Z", revision: 900 });
  await writeSnapshot(dir, name("20261121T030000Z"), { takenAt: "2026-11-21T03:00:00.000Z", revision: 800 });
  const damaged = snapshotBytes();
  await writeSnapshot(
    dir,
    name("20261120T030000Z"),
    { takenAt: "2026-11-20T03:00:00.000Z", revision: 700 },
    damaged,
  );
  damaged[10] = (damaged[10] ?? 0) ^ 1;
  await writeFile(join(dir, name("20261120T030000Z")), damaged);
  await writeSnapshot(dir, name("20200101T000000Z"), null);
  for (const other of ["notes.txt", `${name("20261119T030000Z")}.unverified`, "etcd-manual.db"])
    await writeFile(join(dir, other), "x");
  return dir;
}

describe("listSnapshots (what check --upgrade-to can reuse)", () => {
  it("gives every snapshot newest first, with its parsed manifest and verdict; other files are not snapshots", async () => {
    const dir = await folder();
    const listed = await listSnapshots(dir);
    expect(listed.map((l) => l.path.slice(dir.length + 1))).toEqual([
      name("20261122T030000Z"),
      name("20261121T030000Z"),
      name("20261120T030000Z"),
      name("20200101T000000Z"),
    ]);
    expect(listed.map((l) => [l.ok, l.revision, l.record?.cluster.label ?? null])).toEqual([
      [true, 900, "prod"],
      [true, 800, "prod"],
      [false, 700, "prod"],
      [true, null, null],
    ]);
  });
});

describe("snapshot list", () => {
  it("a table newest first: age, size, revision, whether it verifies, the file; exit 3 when one fails", async () => {
    const dir = await folder();
    const run = await list(["--snapshot-dir", dir]);
    expect(run.code, run.stderr).toBe(3);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ *AGE +SIZE +REVISION +VERIFIED +FILE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).at(-1))).toEqual([
      name("20261122T030000Z"),
      name("20261121T030000Z"),
      name("20261120T030000Z"),
      name("20200101T000000Z"),
    ]);
    expect(lines[1]).toMatch(/^ *\d+[smhd] +[\d.]+ kB +900 +ok +talos/);
    expect(lines[3]).toMatch(/ 700 +FAILED bad SHA-256 +talos/);
    // From before manifests: verified as any etcd snapshot, its revision unknown.
    expect(lines[4]).toMatch(/ - +ok \(no manifest\) +talos/);
  });

  it("-o wide: the source node and the whole path", async () => {
    const dir = await folder();
    const run = await list(["--snapshot-dir", dir, "-o", "wide"], { stdoutWidth: 80 });
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ *AGE +SIZE +REVISION +SOURCE +VERIFIED +PATH$/);
    expect(lines[1]).toMatch(new RegExp(` 900 +172\\.20\\.0\\.2 +ok +${dir}/${name("20261122T030000Z")}$`));
    expect(lines[4]).toMatch(/ - +- +ok \(no manifest\) +\//);
  });

  it("-o json: the directory and the same verdicts as snapshot verify, newest first", async () => {
    const dir = await folder();
    const run = await list(["--snapshot-dir", dir, "-o", "json"]);
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout) as { dir: string; snapshots: SnapshotVerdict[]; ok: boolean };
    expect(doc.dir).toBe(dir);
    expect(doc.ok).toBe(false);
    expect(doc.snapshots.map((s) => [s.revision, s.ok, s.takenAt])).toEqual([
      [900, true, "2026-11-22T03:00:00.000Z"],
      [800, true, "2026-11-21T03:00:00.000Z"],
      [700, false, "2026-11-20T03:00:00.000Z"],
      [null, true, null],
    ]);
    expect(Object.keys(doc.snapshots[0] ?? {}).sort()).toEqual(
      [
        "bytes",
        "cluster",
        "error",
        "manifest",
        "ok",
        "path",
        "revision",
        "sha256Verified",
        "source",
        "takenAt",
      ].sort(),
    );
  });

  it("fits 80 columns: a long file name loses its start, never its time stamp", async () => {
    const dir = join(tempDir(), "a-rather-long-directory-name-for-backups");
    await mkdir(dir);
    await writeSnapshot(dir, name("20261122T030000Z", "admin-at-a-homelab-with-a-long-name"), {
      cluster: { label: "admin-at-a-homelab-with-a-long-name", memberIds: [] },
    });
    const run = await list(["--snapshot-dir", dir], {
      stdoutIsTTY: true,
      stdoutWidth: 80,
      env: { NO_COLOR: "1" },
    });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/….*-20261122T030000Z\.db$/);
  });

  it("takes the directory given before the subcommand too, and says when there is nothing", async () => {
    const dir = join(tempDir(), "empty");
    await mkdir(dir);
    const rec = recordIO(() => async () => {
      throw new Error("no talosctl");
    });
    expect(await main(["snapshot", "--snapshot-dir", dir, "list"], rec.io)).toBe(0);
    expect(rec.stdout()).toBe(`no snapshots in ${dir}\n`);
  });

  it("a missing directory is a usage error (exit 2)", async () => {
    const run = await list(["--snapshot-dir", join(tempDir(), "nope")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read .*nope.*no such directory/);
  });
});

describe("an impossible time stamp in a name (issue 27 item 15)", () => {
  it("month 13 is not one of our names: no NaNd, the folder lists as without it", async () => {
    const dir = tempDir();
    await writeFile(join(dir, name("20261301T000000Z")), snapshotBytes());
    await writeSnapshot(dir, name("20261122T030000Z"), { takenAt: "2026-11-22T03:00:00.000Z" });
    const run = await list(["--snapshot-dir", dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("NaN");
    expect(run.stdout).not.toContain("20261301T000000Z");
  });
});
