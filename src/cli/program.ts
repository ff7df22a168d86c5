/**
 * The commander program: flags only. Each action parses its flags and hands over to a command module.
 * Command modules are imported inside their action, never at the top: `--help` and `--version` then load
 * commander alone, and a command loads only what it uses (execa, yaml, cli-table3, jsep cost tens of ms each
 * to import; see BENCHMARKS.md "Cold start"). Type-only imports are erased and cost nothing.
 */
import { Command, Option } from "commander";
import { type ExitCode, UserError } from "../errors.js";
import {
  DEFAULT_CALL_TIMEOUT,
  DEFAULT_LEADER_MOVE_ABOVE_MS,
  DEFAULT_RULE,
  DEFAULT_SNAPSHOT_DIR,
  DEFAULT_SNAPSHOT_KEEP,
  DEFAULT_WAIT_TIMEOUT_MS,
} from "../policy.js";
import type { CommandContext, GlobalFlags } from "./context.js";
import type { CliIO } from "./io.js";
import { unknownSubcommand } from "./usage-hint.js";

const METRICS_OPTION = [
  "--metrics-file <path>",
  "also write Prometheus metrics to this file; its name must end in .prom (node-exporter's textfile collector reads only those)",
] as const;

const QUOTA_OPTION = () => shownDefault("--quota <size>", "etcd quota", "read from the cluster, else 2GiB");

/** A duration in the form the flags take: 1s, 5m, 250ms. */
const showDuration = (ms: number) =>
  ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;

/**
 * One style for every default and choice in every help: `(default: 5m)`, `(choices: table, wide, json)`, never
 * JSON-quoted (commander quotes string defaults, which then differ from the defaults written into a description).
 */
function describeOption(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`choices: ${option.argChoices.join(", ")}`);
  if (option.defaultValueDescription !== undefined) extra.push(`default: ${option.defaultValueDescription}`);
  else if (option.defaultValue !== undefined && !option.isBoolean() && !option.negate) {
    extra.push(`default: ${String(option.defaultValue)}`);
  }
  if (extra.length === 0) return option.description;
  // "where snapshots go (created 0700)" + default: one parenthesis, "(created 0700; default: ./etcd-snapshots)".
  if (option.description.endsWith(")")) return `${option.description.slice(0, -1)}; ${extra.join(", ")})`;
  return option.description ? `${option.description} (${extra.join(", ")})` : `(${extra.join(", ")})`;
}

/** An option whose default is not a value commander should set: the help says it, the command applies it. */
const shownDefault = (flags: string, description: string, shown: string) =>
  new Option(flags, description).default(undefined, shown);

const MIN_RECLAIM_OPTION = [
  "--min-reclaim <size>",
  "skip a member the rule picks when a defrag would free less (0: off) (default: 32MiB)",
] as const;

const collect = (value: string, previous: string[] = []) => [...previous, value];

export type ActionResult = { exitCode: ExitCode };

export function buildProgram(io: CliIO, version: string, result: ActionResult): Command {
  const program = new Command("talos-etcd-defrag")
    .description(
      "Keep the etcd of a Talos Linux cluster lean and safe: snapshot, then defragment one member at a time.",
    )
    .version(version, "--version")
    .option("--talosconfig <path>", "talosconfig file (passed to talosctl)")
    .option("--context <name>", "talosconfig context (passed to talosctl)")
    .option(
      "-e, --endpoints <list>",
      "Talos API endpoints, comma separated or repeated (passed to talosctl)",
      collect,
    )
    .addOption(
      shownDefault(
        "-n, --nodes <list>",
        "control plane nodes, comma separated or repeated",
        "discovered from the context",
      ).argParser(collect),
    )
    .addOption(shownDefault("--talosctl <path>", "talosctl binary", "$TALOSCTL, then talosctl on PATH"))
    .addOption(
      new Option(
        "-o, --output <format>",
        "table fits the terminal, wide shows every column, json is one document for scripts",
      )
        .choices(["table", "wide", "json"])
        .default("table"),
    )
    .option("--timeout <duration>", "timeout for short talosctl calls", DEFAULT_CALL_TIMEOUT)
    .option("-v, --verbose", "print each talosctl call and its duration on stderr")
    // Every command's help lists these too, under "Global Options": they go before or after the command.
    // Only the program's own options are global: `snapshot`'s flags (--snapshot-dir, --keep, --snapshot-timeout)
    // do not apply to `snapshot verify`/`adopt`/`list`, which name what they take themselves.
    .configureHelp({
      showGlobalOptions: true,
      optionDescription: describeOption,
      visibleGlobalOptions: (cmd: Command) => {
        let root = cmd;
        while (root.parent !== null) root = root.parent;
        return root === cmd ? [] : root.options.filter((o) => !o.hidden);
      },
    })
    .addHelpText("afterAll", "\nGlobal options go before or after the command; its own options after it.")
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // main() prints commander's errors itself, wrapped and with a hint (src/cli/usage-hint.ts).
      outputError: () => {},
    })
    .exitOverride();

  const context = async (command: Command): Promise<CommandContext> => {
    const { createContext } = await import("./context.js");
    return createContext(command.optsWithGlobals<GlobalFlags>(), io);
  };
  const ruleOptions = (command: Command) =>
    command
      .addOption(
        shownDefault(
          "--rule <expr>",
          "when a member needs defragmentation (see README: Rule language)",
          DEFAULT_RULE,
        ),
      )
      .addOption(QUOTA_OPTION());

  ruleOptions(
    program.command("status").description("table of members, sizes, roles, alarms and the rule's verdict"),
  )
    .option(...METRICS_OPTION)
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runStatus } = await import("./status.js");
      result.exitCode = await runStatus(ctx, flags);
    });

  ruleOptions(
    program
      .command("check")
      .description("go/no-go checklist: health, alarms, quota headroom, fragmentation (exit 0/3/4)"),
  )
    .option(
      "--upgrade-to <version>",
      "also check an upgrade to this Talos release (v1.11.3) or installer image (ghcr.io/siderolabs/installer:v1.11.3)",
    )
    .option(
      "--snapshot-dir <dir>",
      "where the tool's snapshots are (for the recent-snapshot item)",
      DEFAULT_SNAPSHOT_DIR,
    )
    .option(
      "--snapshot-max-age <duration>",
      "the newest snapshot must be younger (default: 24h; given alone, adds the recent-snapshot item)",
    )
    .option(...MIN_RECLAIM_OPTION)
    .option(...METRICS_OPTION)
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runCheck } = await import("./check.js");
      result.exitCode = await runCheck(ctx, flags);
    });

  const defragOptions = (command: Command) =>
    ruleOptions(command)
      .option("--force", "defragment every member, whatever the rule says")
      .option(...MIN_RECLAIM_OPTION)
      .option(
        "--leader <mode>",
        "auto: move leadership away first when the leader's defrag would stall it longer than --leader-move-above, else defrag it in place; forfeit: moving is required; last: never move it",
        "auto",
      )
      .addOption(
        shownDefault(
          "--leader-move-above <duration>",
          "with --leader auto: move leadership only when the leader's predicted in-place defrag takes longer; 0: always",
          showDuration(DEFAULT_LEADER_MOVE_ABOVE_MS),
        ),
      )
      .option(
        "--wait-timeout <duration>",
        "how long to wait for a member to verify after its defrag, for leadership to move, and (on an etcd with a known defrag hazard) for every voting member to catch up before a defrag",
        showDuration(DEFAULT_WAIT_TIMEOUT_MS),
      )
      .addOption(
        shownDefault(
          "--defrag-timeout <duration>",
          "client timeout for one defrag call; a timed-out defrag is never re-issued",
          "none",
        ),
      );

  defragOptions(
    program.command("plan").description("what `defrag` would do and why (same as defrag --dry-run)"),
  ).action(async (flags, command: Command) => {
    const ctx = await context(command);
    const { runDefragCommand } = await import("./defrag.js");
    result.exitCode = (await runDefragCommand(ctx, { ...flags, dryRun: true })).exitCode;
  });

  defragOptions(
    program
      .command("defrag")
      .description("snapshot, then one member at a time: followers first, the leader last"),
  )
    .option("--snapshot-dir <dir>", "where snapshots go (created 0700)", DEFAULT_SNAPSHOT_DIR)
    .option("--no-snapshot", "skip the snapshot (not recommended)")
    .option("--keep <n>", "newest snapshots of ours to keep", String(DEFAULT_SNAPSHOT_KEEP))
    .addOption(
      shownDefault(
        "--snapshot-timeout <duration>",
        "client timeout of the snapshot call",
        "the source member's file at 5 MB/s, at least 2m",
      ),
    )
    .option("--dry-run", "print the plan and stop")
    .option("-y, --yes", "do not ask for confirmation (required without a terminal)")
    .option(...METRICS_OPTION)
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runDefragCommand } = await import("./defrag.js");
      result.exitCode = (await runDefragCommand(ctx, flags)).exitCode;
    });

  const snapshot = program
    .command("snapshot")
    .description("a verified snapshot with retention, from -n NODE or a healthy follower")
    .option("--snapshot-dir <dir>", "where snapshots go (created 0700)", DEFAULT_SNAPSHOT_DIR)
    .option("--keep <n>", "newest snapshots of ours to keep", String(DEFAULT_SNAPSHOT_KEEP))
    .addOption(
      shownDefault(
        "--snapshot-timeout <duration>",
        "client timeout of the snapshot call",
        "the source member's file at 5 MB/s, at least 2m",
      ),
    )
    // `snapshot lsit` lands here as an argument: name it as the unknown subcommand (unknownSubcommand).
    .allowExcessArguments()
    .action(async (flags, command: Command) => {
      const [extra] = command.args;
      if (extra !== undefined) throw unknownSubcommand(command, extra, "snapshot alone takes a snapshot");
      const ctx = await context(command);
      const { runSnapshot } = await import("./snapshot.js");
      result.exitCode = await runSnapshot(ctx, flags);
    });
  // No context here: checking files on disk must work where no talosctl is installed.
  snapshot
    .command("verify")
    .description("check snapshot files on disk: size 512·k+32 and the SHA-256 trailer (no talosctl needed)")
    .argument("<file...>", "snapshot files to check")
    .action(async (files: string[], _flags, command: Command) => {
      refuseParentFlags(command, ["snapshotDir", "keep", "snapshotTimeout"]);
      const { runSnapshotVerify } = await import("./snapshot-verify.js");
      result.exitCode = await runSnapshotVerify(io, files, command.optsWithGlobals<GlobalFlags>());
    });

  snapshot
    .command("adopt")
    .description(
      "make snapshot files this cluster's (reads its member IDs), so retention and check count them",
    )
    .argument("<file...>", "snapshot files that verify; one named by hand is renamed to our scheme")
    .action(async (files: string[], _flags, command: Command) => {
      refuseParentFlags(command, ["snapshotDir", "keep", "snapshotTimeout"]);
      const ctx = await context(command);
      const { runSnapshotAdopt } = await import("./snapshot-adopt.js");
      result.exitCode = await runSnapshotAdopt(ctx, files);
    });
  snapshot
    .command("list")
    .description(
      "the snapshots in --snapshot-dir, newest first: age, size, revision, verified (no talosctl needed)",
    )
    .option("--snapshot-dir <dir>", "where the snapshots are (default: ./etcd-snapshots)")
    .action(async (flags: { snapshotDir?: string }, command: Command) => {
      refuseParentFlags(command, ["keep", "snapshotTimeout"]);
      const { runSnapshotList } = await import("./snapshot-list.js");
      // Also before the subcommand (`snapshot --snapshot-dir DIR list`), where `snapshot` itself takes it.
      const parent = command.parent;
      const given =
        parent?.getOptionValueSource("snapshotDir") === "cli" ? parent.opts().snapshotDir : undefined;
      const dir = flags.snapshotDir ?? (given as string | undefined) ?? "./etcd-snapshots";
      result.exitCode = await runSnapshotList(io, dir, command.optsWithGlobals<GlobalFlags>());
    });

  const alarms = program
    .command("alarms")
    .description("list etcd alarms, or disarm NOSPACE once space is back (never CORRUPT)");
  alarms
    .command("list", { isDefault: true })
    .description("list raised alarms")
    // `alarms bogus` lands here as an argument of the default subcommand: name it as the unknown subcommand.
    .allowExcessArguments()
    .action(async (_flags, command: Command) => {
      refuseArguments(command);
      const ctx = await context(command);
      const { runAlarmsList } = await import("./alarms.js");
      result.exitCode = await runAlarmsList(ctx, {});
    });
  alarms
    .command("disarm")
    .description("disarm alarms; refuses while CORRUPT is raised or a member is still near the quota")
    .addOption(QUOTA_OPTION())
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runAlarmsDisarm } = await import("./alarms.js");
      result.exitCode = await runAlarmsDisarm(ctx, flags);
    });

  return program;
}

/**
 * A subcommand that takes none of its parent's flags must refuse them: `snapshot --keep 3 verify f` and
 * `snapshot verify f --snapshot-dir x` would otherwise be accepted and ignored (commander lets a parent's flags
 * appear anywhere after it).
 */
function refuseParentFlags(command: Command, keys: readonly string[]): void {
  const parent = command.parent;
  if (parent === null) return;
  for (const key of keys) {
    if (parent.getOptionValueSource(key) !== "cli") continue;
    const option = parent.options.find((o) => o.attributeName() === key);
    const flag = option?.long ?? key;
    throw new UserError(
      `${flag} is a flag of ${parent.name()}, not of ${parent.name()} ${command.name()}`,
      `${parent.name()} ${command.name()} does not use it: drop ${flag}`,
    );
  }
}

/** `alarms list` takes no arguments; a word after `alarms` that is no subcommand is an unknown subcommand. */
function refuseArguments(command: Command): void {
  const [extra] = command.args;
  if (extra === undefined) return;
  const parent = command.parent;
  const named = parent?.args[0] === command.name();
  if (named || parent === null) {
    throw new UserError(
      `${parent?.name() ?? ""} ${command.name()} takes no arguments, got ${JSON.stringify(extra)}`,
    );
  }
  throw unknownSubcommand(parent, extra, `${command.name()} is the default`);
}
