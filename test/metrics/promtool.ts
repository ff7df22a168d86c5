/**
 * promtool (Debian package `prometheus`) validates our output the way Prometheus will read it. It is optional
 * on a workstation, so its tests skip loudly without it; CI sets REQUIRE_PROMTOOL=1 to turn the skip into a
 * failure, so a missing install can never pass silently there.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { test } from "vitest";

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** $<envVar> if set, else the first executable called `name` on PATH. */
export async function locateExecutable(envVar: string, name: string): Promise<string | undefined> {
  const explicit = process.env[envVar];
  if (explicit) return (await isExecutable(explicit)) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** $PROMTOOL if set, else the first promtool on PATH. */
export const locatePromtool = (): Promise<string | undefined> => locateExecutable("PROMTOOL", "promtool");

const promtool = await locatePromtool();
const required = process.env.REQUIRE_PROMTOOL === "1";

/**
 * Registers a test that needs promtool: runs it, fails it (REQUIRE_PROMTOOL=1) or skips it loudly. `options` is
 * vitest's (a longer timeout for `promtool test rules`, which is slow on a loaded machine).
 */
export function testWithPromtool(
  name: string,
  ...args:
    | [body: (promtool: string) => Promise<void>]
    | [options: { timeout: number }, body: (promtool: string) => Promise<void>]
): void {
  const [options, body] = args.length === 1 ? [{}, args[0]] : args;
  if (promtool !== undefined) {
    test(name, options, () => body(promtool));
    return;
  }
  if (required) {
    test(name, () => {
      throw new Error("promtool not found on PATH but REQUIRE_PROMTOOL=1: apt-get install -y prometheus");
    });
    return;
  }
  console.warn(
    `\n*** SKIPPING "${name}": promtool not found on PATH (apt-get install -y prometheus). ` +
      "Set REQUIRE_PROMTOOL=1 to make this a failure. ***\n",
  );
  test.skip(name, () => undefined);
}

export interface PromtoolResult {
  exitCode: number | undefined;
  output: string;
}

/** argv only; the text to check goes on stdin, as `promtool check metrics` expects. */
export async function runPromtool(
  promtoolPath: string,
  args: readonly string[],
  input?: string,
): Promise<PromtoolResult> {
  const result = await execa(promtoolPath, args, {
    reject: false,
    timeout: 100_000,
    ...(input === undefined ? { stdin: "ignore" as const } : { input }),
  });
  return { exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}`.trim() };
}
