import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { UserError } from "../../src/errors.js";
import {
  checkMetricsTarget,
  tempPathFor,
  validateMetricsPath,
  writeMetricsFile,
} from "../../src/metrics/write-file.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ted-write-"));
  dirs.push(dir);
  return dir;
}

describe("writeMetricsFile", () => {
  test("the file appears whole, readable by others (0644 despite umask 077), and no temp file is left", async () => {
    const dir = await tempDir();
    const file = join(dir, "talos_etcd_defrag.prom");
    const previousUmask = process.umask(0o077);
    try {
      await writeMetricsFile(file, "talos_etcd_defrag_members 3\n");
    } finally {
      process.umask(previousUmask);
    }
    expect(await readFile(file, "utf8")).toBe("talos_etcd_defrag_members 3\n");
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(await readdir(dir)).toEqual(["talos_etcd_defrag.prom"]);
  });

  test("a reader polling during repeated rewrites only ever sees a complete old or new file", async () => {
    const dir = await tempDir();
    const file = join(dir, "big.prom");
    const versions = ["a", "b"].map(
      (tag) => `# ${tag}\n${`talos_etcd_defrag_members{x="${tag}"} 1\n`.repeat(20_000)}`,
    );
    await writeMetricsFile(file, versions[0] ?? "");
    let writing = true;
    const seen = new Set<string>();
    const reader = (async () => {
      // Bounded: at most 2000 reads, stops as soon as the writer is done.
      for (let i = 0; i < 2000 && writing; i++) {
        const text = await readFile(file, "utf8");
        seen.add(text === versions[0] ? "old" : text === versions[1] ? "new" : `torn:${text.length}`);
      }
    })();
    for (let round = 0; round < 10; round++) await writeMetricsFile(file, versions[round % 2] ?? "");
    writing = false;
    await reader;
    expect([...seen].filter((kind) => kind.startsWith("torn"))).toEqual([]);
    expect(await readdir(dir)).toEqual(["big.prom"]);
  });

  test("replaces an existing file and a stale temp file of the same pid", async () => {
    const dir = await tempDir();
    const file = join(dir, "m.prom");
    await writeFile(file, "old\n");
    await writeFile(tempPathFor(file), "half-written by a crashed run");
    await writeMetricsFile(file, "new\n");
    expect(await readFile(file, "utf8")).toBe("new\n");
    expect(await readdir(dir)).toEqual(["m.prom"]);
  });

  test.each(["metrics.txt", "talos.prom.bak", ".prom", "dir.prom/"])(
    "refuses %j with a hint about the textfile collector, writing nothing",
    async (name) => {
      const dir = await tempDir();
      const error = await writeMetricsFile(join(dir, name), "x 1\n").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).hint).toBe("node-exporter's textfile collector reads *.prom");
      expect(await readdir(dir)).toEqual([]);
    },
  );

  test("a missing directory is a user error naming the path, and leaves nothing behind", async () => {
    const dir = await tempDir();
    const file = join(dir, "absent", "m.prom");
    const error = await writeMetricsFile(file, "x 1\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(file);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("checkMetricsTarget (before the run)", () => {
  test("accepts a new file and an existing one in a writable directory, and leaves the directory as it was", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "old.prom"), "x 1\n");
    await expect(checkMetricsTarget(join(dir, "new.prom"))).resolves.toBeUndefined();
    await expect(checkMetricsTarget(join(dir, "old.prom"))).resolves.toBeUndefined();
    expect(await readdir(dir)).toEqual(["old.prom"]);
    expect(await readFile(join(dir, "old.prom"), "utf8")).toBe("x 1\n");
  });

  test.each([
    ["a missing directory", (dir: string) => join(dir, "absent", "m.prom"), /does not exist/],
    ["a directory at the path", (dir: string) => dir.concat("/d.prom"), /it is a directory/],
    ["a file as the directory", (dir: string) => join(dir, "f", "m.prom"), /is not a directory/],
    [
      "a name node-exporter ignores",
      (dir: string) => join(dir, "m.txt"),
      /must name a file ending in \.prom/,
    ],
  ])("refuses %s with a user error (exit 2) and a next step", async (_, pathIn, message) => {
    const dir = await tempDir();
    await mkdir(join(dir, "d.prom"));
    await writeFile(join(dir, "f"), "");
    const error = await checkMetricsTarget(pathIn(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).hint).toBeTruthy();
  });
});

describe("helpers", () => {
  test("the temp name is hidden, in the same directory, and not a *.prom name", () => {
    expect(tempPathFor("/var/lib/node_exporter/textfile_collector/t.prom", 4242)).toBe(
      "/var/lib/node_exporter/textfile_collector/.t.prom.4242.tmp",
    );
  });

  test("validateMetricsPath accepts *.prom", () => {
    expect(() => validateMetricsPath("/tmp/x.prom")).not.toThrow();
    expect(() => validateMetricsPath("/tmp/x.json")).toThrow(UserError);
  });
});
