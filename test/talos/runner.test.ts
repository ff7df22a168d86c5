/**
 * runProcess, the one process runner (execa): what the rest of the program relies on from it. Timeouts and a vanished binary are covered in test/faults/config.test.ts, argv verbatim in
 * test/faults/hostile.test.ts.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CommandError, UserError } from "../../src/errors.js";
import { runProcess } from "../../src/talos/runner.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-runner-");
const node = (script: string, timeoutMs = 20_000) =>
  runProcess(process.execPath, ["-e", script], { timeoutMs });

describe("runProcess", () => {
  it.each<
    [string, string, { stdout?: string; stderr?: string; exitCode: number | undefined; signal?: string }]
  >([
    [
      "exit 0 with both streams",
      "process.stdout.write('out\\n'); process.stderr.write('err\\n')",
      { stdout: "out\n", stderr: "err\n", exitCode: 0 },
    ],
    ["a non-zero exit code as it is", "process.exit(7)", { exitCode: 7 }],
    [
      "no exit code, and the signal, when a signal killed it",
      "process.kill(process.pid, 'SIGKILL')",
      { exitCode: undefined, signal: "SIGKILL" },
    ],
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
    // SIGTERM ignored from the shell's first instruction on (node would need longer to install a handler), and
    // inherited by `sleep`: only the SIGKILL after the grace period can end it.
    const result = await runProcess("/bin/sh", ["-c", "trap '' TERM; exec sleep 60"], { timeoutMs: 1000 });
    expect(result).toMatchObject({ timedOut: true, exitCode: undefined, signal: "SIGKILL" });
  });

  it("a timeout ends the whole process group: a wrapper that does not exec, and its hung child (issue 27 item 8)", async () => {
    // Given a talosctl wrapper script that runs the real call as a child (no exec), and that child hangs for far
    // longer than this test may take, after writing its pid
    const pidFile = join(tempDir(), "grandchild.pid");
    const wrapper = join(tempDir(), "talosctl");
    await writeFile(
      wrapper,
      `#!/bin/sh\n/bin/sh -c 'echo $$ > "$1"; exec sleep 3600' grandchild ${JSON.stringify(pidFile)}\n`,
    );
    await chmod(wrapper, 0o755);
    let grandchild = 0;
    try {
      // When the call times out
      const result = await runProcess(wrapper, [], { timeoutMs: 500 });
      grandchild = Number(await readFile(pidFile, "utf8"));
      // Then the call returns, timed out, and the hung grandchild is gone too (dead: absent, or a zombie)
      expect(result).toMatchObject({ timedOut: true, exitCode: undefined });
      expect(grandchild).toBeGreaterThan(1);
      expect(isGone(grandchild)).toBe(true);
    } finally {
      grandchild ||= Number(await readFile(pidFile, "utf8").catch(() => "0"));
      if (grandchild > 1 && !isGone(grandchild)) process.kill(grandchild, "SIGKILL");
    }
  });

  it("starts the child in a process group of its own, out of the terminal's reach", async () => {
    // Field 5 of /proc/PID/stat is the process group; the child leads its own, ours is another.
    const pgrp = (stat: string) => stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2];
    const result = await node("process.stdout.write(require('fs').readFileSync('/proc/self/stat', 'utf8'))");
    const childPid = result.stdout.split(" ")[0];
    expect(pgrp(result.stdout)).toBe(childPid);
    expect(pgrp(await readFile("/proc/self/stat", "utf8"))).not.toBe(childPid);
  });

  it("a SIGINT to our process group (Ctrl-C in a terminal) does not reach the child: its call finishes", async () => {
    // A parent leading a group of its own (as a shell's foreground job) that survives SIGINT, as `defrag` does,
    // runs a child through the built runner; the test sends SIGINT to the parent's whole group, as a terminal does.
    const ready = join(tempDir(), "child.started");
    const runner = new URL("../../dist/talos/runner.js", import.meta.url).href;
    const child = `require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setTimeout(() => process.stdout.write('finished'), 1000)`;
    const parentScript = [
      `const { runProcess } = await import(${JSON.stringify(runner)});`,
      "let interrupted = 0; process.on('SIGINT', () => { interrupted++; });",
      `const result = await runProcess(process.execPath, ["-e", ${JSON.stringify(child)}]);`,
      "process.stdout.write(JSON.stringify({ interrupted, ...result }));",
    ].join("\n");
    const parent = spawn(process.execPath, ["--input-type=module", "-e", parentScript], {
      detached: true,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => parent.on("close", (code) => resolve(code)));
    for (let i = 0; i < 400 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(ready)).toBe(true);
    process.kill(-(parent.pid ?? 0), "SIGINT");
    expect(await exited).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ interrupted: 1, exitCode: 0, stdout: "finished" });
  });

  it("reports a child killed from outside by its signal", async () => {
    const result = await node("process.kill(process.pid, 'SIGINT')");
    expect(result).toMatchObject({ exitCode: undefined, signal: "SIGINT", timedOut: false });
    const error = new CommandError(["talosctl", "etcd", "defrag"], undefined, "", false, "other", "SIGINT");
    expect(error.message).toBe("talosctl etcd defrag was killed by SIGINT");
    expect(error.message).not.toMatch(/unknown/);
  });

  it("refuses a file that is not executable with the install hint", async () => {
    const path = join(tempDir(), "talosctl");
    await writeFile(path, "#!/bin/sh\n");
    await chmod(path, 0o600);
    const error = await runProcess(path, ["version"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/permission denied/);
  });

  it.each([
    ["exits", "process.exit(0);", { exitCode: 0 }],
    // Ctrl-C during `status`: no stop handler of ours, so the signal ends us; the child is in a group of its own.
    [
      "is ended by a signal it has no handler for",
      "process.kill(process.pid, 'SIGINT');",
      { signal: "SIGINT" },
    ],
  ])(
    "kills a running child when our process %s (execa's cleanup, for a detached child)",
    async (_, end, expected) => {
      // A parent that starts a long child through the built runner, waits for its pid file, then ends.
      const pidFile = join(tempDir(), "child.pid");
      const runner = new URL("../../dist/talos/runner.js", import.meta.url).href;
      const child = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
      const parent = [
        `const { runProcess } = await import(${JSON.stringify(runner)});`,
        `void runProcess(process.execPath, ["-e", ${JSON.stringify(child)}]);`,
        `const fs = await import("node:fs");`,
        `for (let i = 0; i < 200 && !fs.existsSync(${JSON.stringify(pidFile)}); i++) await new Promise((r) => setTimeout(r, 50));`,
        end,
      ].join("\n");
      const result = await runProcess(process.execPath, ["--input-type=module", "-e", parent], {
        timeoutMs: 20_000,
      });
      expect(result, result.stderr).toMatchObject(expected);
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
    },
  );
});

/** A pid that names no running process: none at all, or a zombie waiting to be reaped (it is dead). */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
