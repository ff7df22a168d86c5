/**
 * The switch to the real talosctl (sim/real-talosctl.ts) and its logging wrapper (sim/bin/talosctl-real), without
 * Go: the wrapper runs any binary, here a script that prints its arguments, and logs it as it logs talosctl.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { callStartOf, commandOf, readRealCallLog, realTalosctlTag } from "../../sim/real-talosctl.js";

const WRAPPER = resolve(import.meta.dirname, "../../sim/bin/talosctl-real");

describe("realTalosctlTag", () => {
  it.each<[string | undefined, string | null]>([
    [undefined, null],
    ["", null],
    ["v1.13.9", "v1.13.9"],
    ["1.14.1", "v1.14.1"],
  ])("TALOSCTL_REAL=%j is %j", (value, tag) => {
    expect(realTalosctlTag(value === undefined ? {} : { TALOSCTL_REAL: value })).toBe(tag);
  });
  it("refuses a tag it cannot build, never falling back to the simulator", () => {
    expect(() => realTalosctlTag({ TALOSCTL_REAL: "v1.12.0" })).toThrow(/expected one of v1.13.9, v1.14.1/);
  });
});

describe("commandOf", () => {
  it.each<[string[], string]>([
    [["etcd", "status"], "status"],
    [["etcd", "alarm", "disarm"], "alarm disarm"],
    [["etcd", "forfeit-leadership"], "forfeit-leadership"],
    [["get", "etcdspecs.etcd.talos.dev"], "etcdspec"],
    [["ps"], "processes"],
    [["mount"], "mounts"],
  ])("%j is %s, as the simulator logs it", (words, command) => {
    expect(commandOf(words)).toBe(command);
  });
});

describe("callStartOf", () => {
  it("reads the simulator's start line as it is", () => {
    expect(callStartOf({ command: "defrag", nodes: ["127.0.0.1"], t: 5 })).toEqual({
      command: "defrag",
      nodes: ["127.0.0.1"],
      t: 5,
    });
  });
  it("reads the wrapper's argv as the simulator would have named the call", () => {
    expect(callStartOf({ argv: ["--talosconfig", "/x", "-n", "127.0.0.2", "etcd", "defrag"], t: 7 })).toEqual(
      {
        command: "defrag",
        nodes: ["127.0.0.2"],
        t: 7,
      },
    );
  });
});

describe("sim/bin/talosctl-real", () => {
  it("runs the binary with its argv, logs the call, and notes its start when TALOS_SIM_START_LOG is set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ted-real-wrapper-"));
    const [callLog, startLog] = [join(dir, "calls.jsonl"), join(dir, "starts.jsonl")];
    const argv = ["-n", "127.0.0.9", "etcd", "status", 'a "quoted" \\ arg'];
    const binary = join(dir, "print-args");
    writeFileSync(binary, '#!/bin/sh\nfor a; do printf "%s\\n" "$a"; done\n', { mode: 0o755 });
    const out = execFileSync(WRAPPER, argv, {
      env: {
        PATH: process.env.PATH,
        TALOSCTL_REAL_BIN: binary,
        TALOSCTL_REAL_CALL_LOG: callLog,
        TALOS_SIM_START_LOG: startLog,
      },
      encoding: "utf8",
    });
    expect(out).toBe(argv.map((a) => `${a}\n`).join(""));
    const [start] = readFileSync(startLog, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(callStartOf(start)).toEqual({ command: "status", nodes: ["127.0.0.9"], t: expect.any(Number) });
    const [call] = await readRealCallLog(callLog, () => []);
    expect(call).toMatchObject({ argv, command: "status", nodes: ["127.0.0.9"], exitCode: 0 });
    expect(call?.start).toBe(start.t);
    expect(call?.end).toBeGreaterThanOrEqual(call?.start ?? Number.POSITIVE_INFINITY);
  });
});
