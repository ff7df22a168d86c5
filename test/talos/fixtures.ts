/** Loads the hand-written talosctl outputs under fixtures/ (see fixtures/README.md for the layout). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");

export const SUBCOMMANDS = [
  "status",
  "members",
  "alarm-list",
  "alarm-disarm",
  "snapshot",
  "etcdspec",
  "processes",
  "mounts",
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export interface Fixture {
  release: string;
  scenario: string;
  sub: Subcommand;
  stdout: string;
  stderr: string;
  exitCode: number;
}

function readOptional(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Throws when the fixture has no .stdout file: a typo in a test should fail loudly. */
export function loadFixture(release: string, scenario: string, sub: Subcommand): Fixture {
  const base = join(FIXTURE_ROOT, release, scenario, sub);
  const stdout = readFileSync(`${base}.stdout`, "utf8");
  const exitText = readOptional(`${base}.exit`)?.trim();
  const exitCode = exitText === undefined ? 0 : Number(exitText);
  if (!Number.isInteger(exitCode)) throw new Error(`${base}.exit does not hold an exit code`);
  return { release, scenario, sub, stdout, stderr: readOptional(`${base}.stderr`) ?? "", exitCode };
}

export function hasFixture(release: string, scenario: string, sub: Subcommand): boolean {
  return existsSync(join(FIXTURE_ROOT, release, scenario, `${sub}.stdout`));
}

function subdirectories(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Every fixture on disk, optionally only one subcommand's, sorted by release, scenario, subcommand. */
export function listFixtures(sub?: Subcommand): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const release of subdirectories(FIXTURE_ROOT)) {
    for (const scenario of subdirectories(join(FIXTURE_ROOT, release))) {
      for (const candidate of SUBCOMMANDS) {
        if ((sub === undefined || sub === candidate) && hasFixture(release, scenario, candidate)) {
          fixtures.push(loadFixture(release, scenario, candidate));
        }
      }
    }
  }
  return fixtures;
}
