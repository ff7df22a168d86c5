/**
 * Hostile input and least privilege: values talosctl would read as flags never reach a process, no shell is
 * ever involved, nothing from the talosconfig is printed, and snapshots never replace a file we did not create.
 */
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { takeSnapshot } from "../../src/run/snapshot.js";
import { formatSnapshotName } from "../../src/run/snapshot-file.js";
import { runProcess } from "../../src/talos/runner.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "../cli/fixture-exec.js";
import { createStatefulCluster, NODES, runCli } from "../cli/stateful-exec.js";
import { threeMembers } from "../run/run-harness.js";
import { useTempDir } from "../support/temp-dir.js";

const tempDir = useTempDir("ted-hostile-");

/** Every .ts file under src/, with its path relative to the repository. */
async function readSources(dir = "src"): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await readSources(path)));
    else if (entry.name.endsWith(".ts")) out.push({ path, text: await readFile(path, "utf8") });
  }
  return out;
}

const HOSTILE = ["-x", "--talosconfig=/etc/shadow", "a\u0000b", "a\u001b[2Jb", "a\nb", "a\rb", "\u007f"];

/** Each hostile value in each place that reaches talosctl's argv or the file system. */
const PLACES: [string, (v: string) => string[]][] = [
  ["-n", (v) => [`--nodes=172.20.0.2,${v}`, "status"]],
  ["--endpoints", (v) => [`--endpoints=${v}`, "-n", "172.20.0.2", "status"]],
  ["--context", (v) => [`--context=${v}`, "-n", "172.20.0.2", "status"]],
  ["--talosconfig", (v) => [`--talosconfig=${v}`, "-n", "172.20.0.2", "status"]],
  ["--snapshot-dir (defrag)", (v) => ["-n", NODES, "defrag", "--yes", `--snapshot-dir=${v}`]],
  ["--snapshot-dir (snapshot)", (v) => ["-n", NODES, "snapshot", `--snapshot-dir=${v}`]],
  ["--metrics-file", (v) => ["-n", NODES, "status", `--metrics-file=${v}`]],
];

describe("values talosctl would read as flags, or that hold control characters", () => {
  const cases = PLACES.flatMap(([place, args]) => HOSTILE.map((v) => [place, v, args(v)] as const));
  it.each(cases)("%s %j is refused (exit 2) before any process starts", async (_place, _value, args) => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(["--talosctl", ANY_EXECUTABLE, ...args], rec.io);
    expect(code).toBe(2);
    expect(rec.calls).toEqual([]);
    expect(rec.stderr()).toMatch(/^error: invalid /m);
    // The refusal quotes the value JSON-escaped, so no raw control character reaches the terminal.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them on purpose
    expect(rec.stderr()).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it.each(["-x", "--version", "a\u001bb"])("--talosctl %j and TALOSCTL=%j are refused too", async (value) => {
    for (const argv of [["--talosctl", value, "status"], ["status"]]) {
      const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls), {
        env: { PATH: "", TALOSCTL: value },
      });
      expect(await main(argv, rec.io)).toBe(2);
      expect(rec.calls).toEqual([]);
    }
  });

  it("passes odd but harmless values through as single argv elements, exactly as given", async () => {
    const odd = "/tempDir()/a b/$(id);`x` 'q'";
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(
      [
        "--talosctl",
        ANY_EXECUTABLE,
        "--talosconfig",
        odd,
        "--context",
        "lab; rm -rf ~",
        "-n",
        NODES,
        "status",
      ],
      rec.io,
    );
    expect(code).toBe(0);
    for (const call of rec.calls) {
      expect(call.slice(0, 4)).toEqual(["--talosconfig", odd, "--context", "lab; rm -rf ~"]);
    }
  });
});

describe("no shell anywhere", () => {
  it("only src/talos/runner.ts starts processes; no shell: true, sh -c, eval or Function in src/", async () => {
    const sources = await readSources();
    expect(sources.length).toBeGreaterThan(20);
    const starters = sources.filter((s) =>
      /from\s+["'](node:)?child_process["']|from\s+["']execa["']|require\(/.test(s.text),
    );
    expect(starters.map((s) => s.path)).toEqual(["src/talos/runner.ts"]);
    for (const { path, text } of sources) {
      expect(text, path).not.toMatch(/shell\s*:\s*true/);
      expect(text, path).not.toMatch(/["'`](ba)?sh["'`]\s*,\s*\[\s*["'`]-c/);
      expect(text, path).not.toMatch(/\bsh -c\b/);
      expect(text, path).not.toMatch(/\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(/);
      expect(text, path).not.toMatch(/\bprocess\.binding\b|\bvm\.run/);
    }
    const runner = sources.find((s) => s.path === "src/talos/runner.ts")?.text ?? "";
    expect(runner).toMatch(/shell:\s*false/);
  });

  it("runProcess hands every argument to the child verbatim: quotes, $( ), backticks, ; and globs stay text", async () => {
    const args = ["a b", "$(id)", "`x`", ";rm -rf /nonexistent", "*", "~", "'\"", "", "--", "-n"];
    const result = await runProcess(
      process.execPath,
      ["-e", "process.stdout.write(JSON.stringify(process.argv.slice(1)))", "--", ...args],
      { timeoutMs: 10_000 },
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(args);
  });
});

describe("nothing from the talosconfig is ever printed", () => {
  const PEM = [
    "-----BEGIN CERTIFICATE-----",
    "MIIBPzCB8qADAgECAhEAsecretcertificatebodyQUFBQUFB",
    "-----END CERTIFICATE-----",
    "-----BEGIN ED25519 PRIVATE KEY-----",
    "MC4CAQAwBQYDK2VwBCIEIKsecretkeymaterialZZZZZZZZZZZZ",
    "-----END ED25519 PRIVATE KEY-----",
  ];
  const MARKERS = [/BEGIN/, /END (CERTIFICATE|ED25519)/, /secretcert/, /secretkey/, /PRIVATE KEY/];

  async function writeTalosconfig(): Promise<string> {
    const path = join(tempDir(), "talosconfig");
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const yaml = [
      "context: lab",
      "contexts:",
      "  lab:",
      "    endpoints: [172.20.0.2]",
      `    ca: ${b64(PEM.slice(0, 3).join("\n"))}`,
      `    crt: ${b64(PEM.slice(0, 3).join("\n"))}`,
      `    key: ${b64(PEM.slice(3).join("\n"))}`,
      `# raw: ${PEM.join(" ")}`,
    ].join("\n");
    await writeFile(path, yaml, { mode: 0o600 });
    return path;
  }

  it.each([
    ["status", ["-o", "json", "status"]],
    ["defrag", ["-o", "json", "defrag", "--yes"]],
    ["plan", ["plan"]],
    ["snapshot", ["snapshot"]],
  ])("%s --verbose prints each talosctl argv and never the talosconfig's content", async (_, args) => {
    const talosconfig = await writeTalosconfig();
    const content = await readFile(talosconfig, "utf8");
    const cluster = createStatefulCluster();
    const extra =
      args.includes("defrag") || args.includes("snapshot") ? ["--snapshot-dir", join(tempDir(), "s")] : [];
    const run = await runCli(cluster, ["--talosconfig", talosconfig, "-v", "-n", NODES, ...args, ...extra]);
    expect(run.code, run.stderr).toBe(0);
    for (const text of [run.stdout, run.stderr]) {
      for (const marker of MARKERS) expect(text).not.toMatch(marker);
      for (const line of content.split("\n").slice(4)) expect(text).not.toContain(line.trim());
    }
    // --verbose: one `$ argv  (N ms, exit C)` line per call, and no talosctl output among them.
    const traced = run.stderr.split("\n").filter((l) => l.startsWith("$ "));
    expect(traced).toHaveLength(cluster.calls.length);
    for (const line of traced) {
      expect(line).toMatch(
        /^\$ \S+ --talosconfig \S+ -n \S+ (etcd|get|processes|mounts)\b.*\(\d+ ms, exit \d+\)$/,
      );
    }
    expect(run.stderr).not.toMatch(/RAFT APPLIED INDEX|PEER URLS|snapshot info:/);
  });
});

describe("snapshot files", () => {
  const cluster = () => threeMembers();
  const at = Date.UTC(2026, 10, 22, 14, 0, 0);

  it("reserves the name with O_EXCL: a foreign file or symlink already there is never replaced or followed", async () => {
    const dir = join(tempDir(), "snaps");
    await mkdir(dir, { mode: 0o700 });
    const victim = join(tempDir(), "victim.txt");
    await writeFile(victim, "do not touch\n");
    const first = join(dir, formatSnapshotName("prod", new Date(at), 0));
    const second = join(dir, formatSnapshotName("prod", new Date(at), 1));
    await writeFile(first, "someone else's file\n", { mode: 0o644 });
    await symlink(victim, second);
    const c = cluster();
    const view = await c.readView();
    const snap = await takeSnapshot(c, view, { dir, keep: 5, label: "prod" }, () => at);
    expect(snap.path).toBe(join(dir, formatSnapshotName("prod", new Date(at), 2)));
    expect(await readFile(first, "utf8")).toBe("someone else's file\n");
    expect((await stat(first)).mode & 0o777).toBe(0o644);
    expect((await lstat(second)).isSymbolicLink()).toBe(true);
    expect(await readFile(victim, "utf8")).toBe("do not touch\n");
    expect((await readdir(dir)).sort()).toEqual(
      [first, second, snap.path, `${snap.path}.json`].map((p) => p.slice(dir.length + 1)).sort(),
    );
    // Someone else's file carries our name but no manifest: never counted or deleted, and said once.
    expect(snap.warnings.filter((w) => w.includes(first.slice(dir.length + 1)))).toHaveLength(1);
  });

  it("creates the directory 0700 and the file 0600 whatever the umask", async () => {
    const old = process.umask(0o000);
    try {
      const dir = join(tempDir(), "fresh", "snaps");
      const c = cluster();
      const snap = await takeSnapshot(c, await c.readView(), { dir, keep: 5, label: "prod" }, () => at);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(snap.path)).mode & 0o777).toBe(0o600);
      expect(snap.sha256Verified).toBe(true);
    } finally {
      process.umask(old);
    }
  });
});
