/**
 * What a newcomer meets before any talosctl call: every command's help, a flag in the wrong place, an unknown
 * subcommand, flags a command would ignore, empty node lists, and error lines wrapped to the terminal. All through
 * main() in-process; no test here may reach talosctl (every Exec call fails the test).
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { DEFAULT_RULE } from "../../src/policy.js";
import { displayWidth } from "../../src/render/text.js";
import { ANY_EXECUTABLE, recordIO } from "./fixture-exec.js";

async function run(args: string[], overrides: Parameters<typeof recordIO>[1] = {}) {
  const rec = recordIO(
    () => async (_file, argv) => {
      throw new Error(`no talosctl call expected, got ${argv.join(" ")}`);
    },
    overrides,
  );
  const code = await main(args, rec.io);
  return { code, stdout: rec.stdout(), stderr: rec.stderr(), calls: rec.calls };
}

const COMMANDS = [
  "status",
  "check",
  "plan",
  "defrag",
  "snapshot",
  "snapshot verify",
  "alarms",
  "alarms list",
  "alarms disarm",
];

/** The help text of one option: its line and the continuation lines under it, joined by single spaces. */
function optionText(help: string, flag: string): string {
  const lines = help.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`  ${flag}`));
  if (start < 0) return "";
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !/^ {4,}\S/.test(l));
  return [lines[start], ...rest.slice(0, end < 0 ? rest.length : end)].join(" ").replace(/\s+/g, " ");
}

describe("every command's --help", () => {
  it.each(COMMANDS)("%s shows the global options", async (command) => {
    const help = await run([...command.split(" "), "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Global Options:$/m);
    expect(help.stdout).toMatch(/Global options go before or after the command; its own options after it/);
    for (const flag of ["-n, --nodes", "-o, --output", "--talosctl", "--talosconfig", "--timeout"]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it.each(["", ...COMMANDS])("%s --help fits 80 columns", async (command) => {
    const help = await run([...command.split(" ").filter((w) => w !== ""), "--help"]);
    for (const line of help.stdout.split("\n")) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  it("shows the default rule (whole, however it wraps)", async () => {
    const help = await run(["plan", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain(`default: ${DEFAULT_RULE}`);
  });

  it.each(COMMANDS)("%s quotes no default and no choice (one style: (default: 5m))", async (command) => {
    const help = await run([...command.split(" "), "--help"]);
    expect(help.stdout).not.toMatch(/default: "/);
    expect(help.stdout).not.toMatch(/choices: "/);
  });

  it("shows the defaults of defrag's duration and count flags in that style", async () => {
    const help = (await run(["defrag", "--help"])).stdout.replace(/\s+/g, " ");
    expect(help).toContain("(default: 5m)");
    expect(help).toContain("(default: 1s)");
    expect(help).toContain("(default: 30s)");
    expect(help).toContain("(default: 5)");
    expect(help).toContain("default: ./etcd-snapshots)");
    expect(help).toContain("(default: none)");
  });

  it("--wait-timeout's help names every wait it bounds", async () => {
    const line = optionText((await run(["defrag", "--help"])).stdout, "--wait-timeout");
    expect(line).toMatch(/verify/);
    expect(line).toMatch(/leadership/);
    expect(line).toMatch(/catch up/);
  });

  it.each([
    ["status", "--metrics-file"],
    ["check", "--metrics-file"],
    ["defrag", "--metrics-file"],
  ])("%s --help says that %s must end in .prom", async (command, flag) => {
    expect(optionText((await run([command, "--help"])).stdout, flag)).toMatch(/must end in \.prom/);
  });
});

describe("a command's flag given before the command", () => {
  it.each([
    [["--yes", "defrag"], /hint: --yes is a flag of defrag: put it after the command/],
    [["-y", "defrag"], /hint: -y is a flag of defrag: put it after the command/],
    [["--rule", "x", "status"], /hint: --rule is a flag of status: put it after the command/],
    [["--keep", "3", "snapshot"], /hint: --keep is a flag of snapshot: put it after the command/],
    [["alarms", "--quota", "1GB", "disarm"], /hint: --quota is a flag of alarms disarm: put it after/],
    [["--keep", "3", "status"], /hint: --keep is a flag of defrag and snapshot, not of status/],
    [["status", "--keep", "3"], /hint: --keep is a flag of defrag and snapshot, not of status/],
  ])("%j is a usage error (exit 2) that says where the flag goes", async (args, hint) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown option/m);
    expect(result.stderr).toMatch(hint);
    expect(result.calls).toEqual([]);
    // No guess by spelling ("Did you mean --help?") beside a hint that knows whose flag it is.
    expect(result.stderr).not.toMatch(/Did you mean/);
  });

  it("an option no command has still gets the usual pointer to --help", async () => {
    const result = await run(["--bogus", "status"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: unknown option '--bogus'/);
    expect(result.stderr).toMatch(/--help/);
  });
});

describe("alarms with an unknown subcommand", () => {
  it("names it and the valid ones (exit 2)", async () => {
    const result = await run(["alarms", "bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown alarms subcommand "bogus"/);
    expect(result.stderr).toMatch(/list.*disarm/);
    expect(result.stderr).not.toMatch(/too many arguments/);
    expect(result.calls).toEqual([]);
  });

  it("alarms list takes no arguments (exit 2, naming the extra one)", async () => {
    const result = await run(["alarms", "list", "extra"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"extra"/);
    expect(result.calls).toEqual([]);
  });
});

describe("a mistyped subcommand or a flag that swallowed the command (issue 27 item 17)", () => {
  it.each([
    [
      ["snapshot", "lsit"],
      /unknown snapshot subcommand "lsit" \(did you mean list\?\)/,
      /verify, adopt and list/,
    ],
    [
      ["snapshot", "verfy", "x.db"],
      /unknown snapshot subcommand "verfy" \(did you mean verify\?\)/,
      /verify/,
    ],
    [["alarms", "disram"], /unknown alarms subcommand "disram" \(did you mean disarm\?\)/, /list and disarm/],
  ])("%j: exit 2, a suggestion, the subcommands", async (args, error, hint) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: /m);
    expect(result.stderr.replace(/\s+/g, " ")).toMatch(error);
    expect(result.stderr.replace(/\s+/g, " ")).toMatch(hint);
    expect(result.stderr).not.toMatch(/too many arguments/);
    expect(result.calls).toEqual([]);
  });

  it("a word far from every subcommand gets no guess", async () => {
    const result = await run(["snapshot", "zzzzzz"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown snapshot subcommand "zzzzzz"/);
    expect(result.stderr).not.toMatch(/did you mean/i);
  });

  it.each([
    [["-n", "status"], "-n", "status"],
    [["--nodes", "check"], "--nodes", "check"],
    [["-o", "json", "--context", "plan"], "--context", "plan"],
  ])(
    "%j: an error line that says which flag took the command, and the next step, not the whole help",
    async (args, flag, command) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      const stderr = result.stderr.replace(/\s+/g, " ");
      expect(stderr).toContain(`error: ${flag} took "${command}" as its value, so no command was given`);
      expect(stderr).toMatch(new RegExp(`hint: give ${flag} a value: .*${flag} \\S+ ${command}`));
      expect(result.stderr).not.toMatch(/^Usage:/m);
      expect(result.calls).toEqual([]);
    },
  );

  it("no command at all: the help, then an error line that says so", async () => {
    const result = await run(["-o", "json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage:/m);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(/^error: no command given/);
  });
});

describe("snapshot verify refuses snapshot's flags, which it would ignore", () => {
  it.each([
    [["snapshot", "--keep", "3", "verify", "f.db"], "--keep"],
    [["snapshot", "verify", "f.db", "--keep", "3"], "--keep"],
    [["snapshot", "verify", "f.db", "--snapshot-dir", "x"], "--snapshot-dir"],
    [["snapshot", "--snapshot-dir", "x", "verify", "f.db"], "--snapshot-dir"],
  ])("%j is exit 2 naming %s", async (args, flag) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${flag} is a flag of snapshot, not of snapshot verify`);
    expect(result.stdout).toBe("");
  });
});

describe("empty node and endpoint lists", () => {
  it.each([
    [["-n", ""], "--nodes"],
    [["-n", " , "], "--nodes"],
    [["--nodes="], "--nodes"],
    [["-e", ""], "--endpoints"],
  ])("%j is refused (exit 2) instead of falling back to discovery", async (flags, name) => {
    // No --talosctl and none on PATH: the flag's own error comes first.
    const result = await run([...flags, "status"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`error: invalid ${name} value .*: no node in it`));
    expect(result.calls).toEqual([]);
  });
});

describe("error and hint lines on an 80-column terminal", () => {
  const TERMINAL = { stderrWidth: 80, stderrIsTTY: true };

  it("wrap at word boundaries, keep every word and never break a URL", async () => {
    const result = await run(["--talosctl", "/nonexistent/path/to/a/talosctl/binary", "status"], {
      ...TERMINAL,
      env: { PATH: "" },
    });
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split("\n");
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(lines.some((l) => l.includes("https://www.talos.dev/latest/talos-guides/install/talosctl/"))).toBe(
      true,
    );
    expect(lines[0]).toMatch(/^error: /);
    // Lines after the first of an error or a hint are indented under it.
    expect(lines.filter((l) => !/^(error|hint): /.test(l)).every((l) => l.startsWith("  "))).toBe(true);
  });

  it("a rule's caret stays under the position it points at", async () => {
    const result = await run(["--talosctl", ANY_EXECUTABLE, "plan", "--rule", "dbsize > 1"], TERMINAL);
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n");
    const ruleLine = lines.findIndex((l) => l.includes("dbsize > 1"));
    expect(ruleLine).toBeGreaterThanOrEqual(0);
    expect(lines[ruleLine + 1]?.indexOf("^")).toBe(lines[ruleLine]?.indexOf("dbsize"));
  });

  it("a pipe gets whole lines", async () => {
    const result = await run(["--talosctl", "/nonexistent/path/to/a/talosctl/binary", "status"], {
      env: { PATH: "" },
    });
    expect(result.stderr).toMatch(/^hint: install talosctl .* or set TALOSCTL$/m);
  });
});

describe("sizes in a rule", () => {
  it.each([
    ["dbSize > 1GB", "1*GB"],
    ["dbSize > 5MiB", "5*MiB"],
    ["dbSize > 50Mi", "50*MiB"],
    ["dbSize > 1G", "1*GB"],
    ["dbSize > 2.5Gi", "2.5*GiB"],
  ])("%s is refused with how to write it (%s)", async (rule, written) => {
    const result = await run(["--talosctl", ANY_EXECUTABLE, "plan", "--rule", rule]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/malformed number/);
    expect(result.stderr).toContain(`write ${written}`);
  });

  it("a number run into a name that is no unit gets no size advice", async () => {
    const result = await run(["--talosctl", ANY_EXECUTABLE, "plan", "--rule", "dbQuota <= 0.5dbQuota"]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/write .*\*/);
  });
});

describe("snapshot subcommands' --help names only the flags that apply (issue 27 item 17)", () => {
  it("snapshot list names --snapshot-dir once", async () => {
    const help = (await run(["snapshot", "list", "--help"])).stdout;
    expect(help.split("--snapshot-dir <dir>")).toHaveLength(2);
  });

  it.each(["verify", "adopt", "list"])(
    "snapshot %s names neither --keep nor --snapshot-timeout",
    async (verb) => {
      const help = (await run(["snapshot", verb, "--help"])).stdout;
      expect(help).not.toContain("--keep");
      expect(help).not.toContain("--snapshot-timeout");
      expect(help).toContain("-n, --nodes");
    },
  );
});
