/**
 * `snapshot verify FILE...` through main(): good and damaged files, paths that are not files, several files,
 * the JSON document and the exit codes. No talosctl anywhere: PATH is empty and every Exec call fails the test.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { HASH_CHUNK_BYTES } from "../../src/run/hash-file.js";
import type { SnapshotVerdict as FileVerdict } from "../../src/run/snapshot-check.js";
import type { SnapshotManifest } from "../../src/run/snapshot-manifest.js";
import { manifestFor } from "../run/manifest-files.js";
import { useTempDir } from "../support/temp-dir.js";
import { recordIO } from "./fixture-exec.js";

const tempDir = useTempDir("ted-verify-");

/** Whole pages of a repeating pattern (deterministic, and not all zeros), then their SHA-256. */
function snapshotBytes(bodyBytes: number): Buffer {
  const body = Buffer.alloc(bodyBytes);
  for (let i = 0; i < body.length; i++) body[i] = (i * 131 + (i >> 9)) & 0xff;
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

async function writeSnapshot(name: string, bytes: Buffer): Promise<string> {
  const path = join(tempDir(), name);
  await writeFile(path, bytes);
  return path;
}

async function verify(...args: string[]) {
  const rec = recordIO(() => async () => {
    throw new Error("snapshot verify must never run talosctl");
  });
  const code = await main(["snapshot", "verify", ...args], rec.io);
  return { code, stdout: rec.stdout(), stderr: rec.stderr(), calls: rec.calls };
}

async function verifyJson(...paths: string[]) {
  const run = await verify("-o", "json", ...paths);
  return { ...run, doc: JSON.parse(run.stdout) as { files: FileVerdict[]; ok: boolean } };
}

const GOOD = snapshotBytes(512 * 300);
/** A file without a manifest: verified as before manifests existed, the manifest fields null. */
const NO_MANIFEST = { manifest: null, cluster: null, revision: null, takenAt: null, source: null };
const LONG_NAME = "talos-etcd-defrag-cluster-3f9c1a2b-20261122T030000Z.db";
/** Larger than two hash chunks and not a multiple of one, so reads overlap hashing and end mid-chunk. */
const LARGE = snapshotBytes(2 * HASH_CHUNK_BYTES + 512 * 7);

describe("snapshot verify: one file", () => {
  it.each<[string, () => Buffer, number, RegExp]>([
    ["a good snapshot", () => GOOD, 0, /^ok {6}\d/],
    ["a good snapshot larger than two read chunks", () => LARGE, 0, /^ok /],
    ["a truncated snapshot", () => GOOD.subarray(0, GOOD.length - 100), 3, /^FAILED .* bad size /],
    ["one cut at a page boundary (trailer gone)", () => GOOD.subarray(0, GOOD.length - 32), 3, / bad size /],
    ["a flipped byte in the body", () => flip(GOOD, 1000), 3, /^FAILED .* bad SHA-256 /],
    ["a flipped byte in the second read chunk", () => flip(LARGE, HASH_CHUNK_BYTES + 5), 3, / bad SHA-256 /],
    ["a flipped byte in the trailer", () => flip(GOOD, GOOD.length - 1), 3, / bad SHA-256 /],
    ["a wrong size (one byte too many)", () => Buffer.concat([GOOD, Buffer.alloc(1)]), 3, / bad size /],
    ["an empty file", () => Buffer.alloc(0), 3, / bad size /],
  ])("%s", async (_, bytes, exitCode, line) => {
    const path = await writeSnapshot("s.db", bytes());
    const run = await verify(path);
    expect(run.code, run.stderr).toBe(exitCode);
    expect(run.stdout).toMatch(line);
    expect(run.stdout.trimEnd().endsWith(path)).toBe(true);
    expect(run.stdout.split("\n")).toHaveLength(2);
    expect(run.calls).toEqual([]);
  });

  it.each<[string, (dir: string) => Promise<string>, RegExp]>([
    ["a missing file", async (dir) => join(dir, "nope.db"), /^FAILED {2}- {2,}missing +\//],
    ["a directory", async (dir) => dir, /^FAILED {2}- {2,}directory +\//],
    ["a path through a file", async (_dir) => join(await writeSnapshot("f.db", GOOD), "x"), / missing /],
  ])("%s is a usage error (exit 2)", async (_, makePath, line) => {
    const run = await verify(await makePath(tempDir()));
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(line);
  });

  it("without FILE is a usage error (exit 2) with commander's message", async () => {
    const run = await verify();
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required argument 'file'/);
    expect(run.stdout).toBe("");
  });

  it("needs no talosctl: PATH is empty, TALOSCTL points nowhere, and it still passes", async () => {
    const path = await writeSnapshot("s.db", GOOD);
    const rec = recordIO(
      () => async () => {
        throw new Error("no talosctl call expected");
      },
      { env: { PATH: "", TALOSCTL: "/nonexistent/talosctl" } },
    );
    expect(await main(["snapshot", "verify", path], rec.io)).toBe(0);
    expect(rec.stderr()).toBe("");
  });
});

describe("snapshot verify: several files", () => {
  it("prints one line per file in the order given; one bad file makes exit 3", async () => {
    const a = await writeSnapshot("a.db", GOOD);
    const b = await writeSnapshot("b.db", flip(GOOD, 7));
    const c = await writeSnapshot("c.db", LARGE);
    const run = await verify(a, b, c);
    expect(run.code).toBe(3);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["ok", "FAILED", "ok"]);
    expect(lines.map((l) => l.slice(l.lastIndexOf(" ") + 1))).toEqual([a, b, c]);
  });

  it("a missing path among good and bad files makes exit 2, and every file still gets its line", async () => {
    const good = await writeSnapshot("a.db", GOOD);
    const bad = await writeSnapshot("b.db", GOOD.subarray(0, 600));
    const run = await verify(good, join(tempDir(), "gone.db"), bad);
    expect(run.code).toBe(2);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(3);
  });

  it("keeps the part before the path within 30 columns and never cuts a piped path", async () => {
    const dir = join(tempDir(), "d");
    await mkdir(dir);
    const paths = [
      await writeSnapshot(LONG_NAME, GOOD),
      await writeSnapshot("cut.db", GOOD.subarray(0, 513)),
      await writeSnapshot("bad.db", flip(GOOD, 3)),
      join(tempDir(), "missing.db"),
      dir,
    ];
    const run = await verify(...paths);
    const lines = run.stdout.trimEnd().split("\n");
    lines.forEach((line, i) => {
      const path = paths[i] ?? "";
      expect(line.endsWith(`  ${path}`)).toBe(true);
      expect(line.length - path.length).toBeLessThanOrEqual(30);
    });
  });

  it.each<[string, Partial<CliIO>]>([
    ["an 80-column stdout", { stdoutWidth: 80, env: { PATH: "" } }],
    ["an 80-column terminal", { stdoutIsTTY: true, stdoutWidth: 80, env: { PATH: "", NO_COLOR: "1" } }],
  ])("fits %s: a long path loses its start, never its end", async (_, io) => {
    const good = await writeSnapshot(LONG_NAME, GOOD);
    const bad = await writeSnapshot(LONG_NAME.replace("T0300", "T0400"), flip(GOOD, 3));
    const rec = recordIO(
      () => async () => {
        throw new Error("no talosctl call expected");
      },
      io,
    );
    expect(await main(["snapshot", "verify", good, bad], rec.io)).toBe(3);
    const lines = rec.stdout().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^ok {6}\d.*….*-20261122T030000Z\.db$/);
    expect(lines[1]).toMatch(/^FAILED .* bad SHA-256 +….*-20261122T040000Z\.db$/);
  });
});

describe("snapshot verify -o json", () => {
  it("is one document: files with path, bytes, ok, sha256Verified, error; and ok for all", async () => {
    const good = await writeSnapshot("a.db", GOOD);
    const bad = await writeSnapshot("b.db", flip(GOOD, 99));
    const missing = join(tempDir(), "none.db");
    const { code, doc } = await verifyJson(good, bad, missing);
    expect(code).toBe(2);
    expect(doc).toEqual({
      schemaVersion: 1,
      files: [
        { path: good, bytes: GOOD.length, ok: true, sha256Verified: true, error: null, ...NO_MANIFEST },
        {
          path: bad,
          bytes: GOOD.length,
          ok: false,
          sha256Verified: false,
          error: expect.stringMatching(/SHA-256 of the database does not match its trailer/),
          ...NO_MANIFEST,
        },
        {
          path: missing,
          bytes: null,
          ok: false,
          sha256Verified: false,
          error: "no such file",
          ...NO_MANIFEST,
        },
      ],
      ok: false,
    });
  });

  it("says ok: true and exits 0 when every file passes; -o may also follow the subcommand", async () => {
    const good = await writeSnapshot("a.db", GOOD);
    const run = await verify(good, "-o", "json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, files: [{ path: good, ok: true }] });
  });

  it("gives the full reason for a bad size", async () => {
    const cut = await writeSnapshot("a.db", GOOD.subarray(0, 1000));
    const { code, doc } = await verifyJson(cut);
    expect(code).toBe(3);
    expect(doc.files[0]?.error).toBe("size 1000 is not 512·k + 32 bytes (truncated?)");
  });
});

describe("snapshot verify: a file with its manifest (issue 22 §1)", () => {
  const NAME = "talos-etcd-defrag-prod-20261122T030000Z.db";
  async function withManifest(bytes: Buffer, over: Partial<SnapshotManifest> = {}) {
    const path = await writeSnapshot(NAME, bytes);
    await writeFile(`${path}.json`, JSON.stringify(manifestFor(NAME, GOOD, over)));
    return path;
  }

  it("a match: ok, and the line and the JSON show revision, time and source", async () => {
    const path = await withManifest(GOOD);
    const run = await verify(path);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok {6}\d+ kB +rev 53391 +2026-11-22T03:00Z +172\.20\.0\.2 +\/.*\.db\n$/);
    const { code, doc } = await verifyJson(path);
    expect(code).toBe(0);
    expect(doc.files).toEqual([
      {
        path,
        bytes: GOOD.length,
        ok: true,
        sha256Verified: true,
        error: null,
        manifest: `${path}.json`,
        cluster: "prod",
        revision: 53391,
        takenAt: "2026-11-22T03:00:00.000Z",
        source: { node: "172.20.0.2", memberId: "a49c021e76e707db" },
      },
    ]);
  });

  // [case, the file on disk, the manifest, the reason in JSON, the label in the line]
  it.each<[string, () => Buffer, Partial<SnapshotManifest>, RegExp, RegExp]>([
    [
      "another size than its manifest's",
      () => GOOD,
      { bytes: GOOD.length + 512 },
      /size .* differs from its manifest/,
      /≠ manifest/,
    ],
    [
      "another SHA-256 than its manifest's",
      () => GOOD,
      { sha256: "0".repeat(64) },
      /SHA-256 differs from its manifest/,
      /≠ manifest/,
    ],
    ["a manifest of another file", () => GOOD, { file: "x.db" }, /describes another file/, /bad manifest/],
  ])("a mismatch is a failure (exit 3): %s", async (_, bytes, over, reason, label) => {
    const path = await withManifest(bytes(), over);
    const run = await verify(path);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(new RegExp(`^FAILED .*${label.source}`));
    const { doc } = await verifyJson(path);
    expect(doc.ok).toBe(false);
    expect(doc.files[0]?.error).toMatch(reason);
  });

  it("another valid snapshot of the same size under its name: its own check passes, its manifest's fails (exit 3)", async () => {
    const body = Buffer.alloc(GOOD.length - 32, 7);
    const replaced = Buffer.concat([body, createHash("sha256").update(body).digest()]);
    const path = await withManifest(replaced);
    const { code, doc } = await verifyJson(path);
    expect(code).toBe(3);
    expect(doc.files[0]).toMatchObject({
      bytes: GOOD.length,
      ok: false,
      sha256Verified: true,
      error: "its SHA-256 differs from its manifest's",
    });
  });

  it("a manifest that is not JSON is a failure (exit 3), the file's own check aside", async () => {
    const path = await writeSnapshot(NAME, GOOD);
    await writeFile(`${path}.json`, "{");
    const { code, doc } = await verifyJson(path);
    expect(code).toBe(3);
    expect(doc.files[0]).toMatchObject({
      ok: false,
      sha256Verified: true,
      manifest: `${path}.json`,
      error: "its manifest is not JSON",
    });
  });

  it("a FAILED line with the manifest's columns fits 80 columns too (issue 27 item 17: it took 88)", async () => {
    const path = await withManifest(flip(GOOD, 3), {
      revision: 912_055_401,
      source: { node: "cp-01.example.internal", memberId: null },
    });
    const rec = recordIO(
      () => async () => {
        throw new Error("no talosctl call expected");
      },
      { stdoutIsTTY: true, stdoutWidth: 80, env: { PATH: "", NO_COLOR: "1" } },
    );
    expect(await main(["snapshot", "verify", path], rec.io)).toBe(3);
    const line = rec.stdout().trimEnd();
    expect(line.length, line).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^FAILED .*-20261122T030000Z\.db$/);
  });

  it("fits an 80-column terminal with the manifest's columns: the path loses its start, never its end", async () => {
    const path = await withManifest(GOOD);
    const rec = recordIO(
      () => async () => {
        throw new Error("no talosctl call expected");
      },
      { stdoutIsTTY: true, stdoutWidth: 80, env: { PATH: "", NO_COLOR: "1" } },
    );
    expect(await main(["snapshot", "verify", path], rec.io)).toBe(0);
    const line = rec.stdout().trimEnd();
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toMatch(/^ok .* rev 53391 .*-20261122T030000Z\.db$/);
  });
});
