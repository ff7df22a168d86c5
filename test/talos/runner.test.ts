/**
 * runProcess, the one process runner (node:child_process since execa left): what the rest of the program relies
 * on from it. Timeouts and a vanished binary are covered in test/faults/config.test.ts, argv verbatim in
 * test/faults/hostile.test.ts.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { runProcess } from "../../src/talos/runner.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-runner-");
const node = (script: string, timeoutMs = 20_000) =>
  runProcess(process.execPath, ["-e", script], { timeoutMs });

describe("runProcess", () => {
  it.each<[string, string, { stdout?: string; stderr?: string; exitCode: number | undefined }]>([
    [
      "exit 0 with both streams",
      "process.stdout.write('out\\n'); process.stderr.write('err\\n')",
      { stdout: "out\n", stderr: "err\n", exitCode: 0 },
    ],
    ["a non-zero exit code as it is", "process.exit(7)", { exitCode: 7 }],
    ["no exit code when a signal killed it", "process.kill(process.pid, 'SIGKILL')", { exitCode: undefined }],
    ["no trailing newline stripped", "process.stdout.write('a\\n\\n')", { stdout: "a\n\n", exitCode: 0 }],
  ])("returns %s", async (_, script, expected) => {
    const result = await node(script);
    expect(result).toMatchObject({ timedOut: false, ...expected });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("collects large output whole, multi-byte characters split across chunks included", async () => {
    const result = await node("process.stdout.write('é€😀'.repeat(100000))");
    expect(result.stdout).toBe("é€😀".repeat(100_000));
  });

  it("gives stdin nothing: a child reading it sees end of input at once", async () => {
    const result = await node(
      "let n = 0; process.stdin.on('data', (d) => { n += d.length; }); process.stdin.on('end', () => process.stdout.write(String(n)))",
    );
    expect(result).toMatchObject({ stdout: "0", exitCode: 0 });
  });

  it("passes our environment on (talosctl finds TALOSCONFIG and HOME as the operator set them)", async () => {
    process.env.TED_RUNNER_TEST = "kept";
    try {
      expect((await node("process.stdout.write(process.env.TED_RUNNER_TEST ?? '')")).stdout).toBe("kept");
    } finally {
      delete process.env.TED_RUNNER_TEST;
    }
  });

  it("kills a child that ignores SIGTERM with SIGKILL after the grace period, and says it timed out", async () => {
    const result = await node("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", 200);
    expect(result).toMatchObject({ timedOut: true, exitCode: undefined });
  });

  it("refuses a file that is not executable with the install hint", async () => {
    const path = join(tempDir(), "talosctl");
    await writeFile(path, "#!/bin/sh\n");
    await chmod(path, 0o600);
    const error = await runProcess(path, ["version"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/permission denied/);
  });

  it("kills a running child when our process exits (as execa's cleanup did)", async () => {
    // A parent that starts a long child through the built runner, waits for its pid file, then exits.
    const pidFile = join(tempDir(), "child.pid");
    const runner = new URL("../../dist/talos/runner.js", import.meta.url).href;
    const child = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    const parent = [
      `const { runProcess } = await import(${JSON.stringify(runner)});`,
      `void runProcess(process.execPath, ["-e", ${JSON.stringify(child)}]);`,
      `const fs = await import("node:fs");`,
      `for (let i = 0; i < 200 && !fs.existsSync(${JSON.stringify(pidFile)}); i++) await new Promise((r) => setTimeout(r, 50));`,
      "process.exit(0);",
    ].join("\n");
    const result = await runProcess(process.execPath, ["--input-type=module", "-e", parent], {
      timeoutMs: 20_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const pid = Number(await readFile(pidFile, "utf8"));
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    if (alive) process.kill(pid, "SIGKILL");
    expect(alive).toBe(false);
  });
});
