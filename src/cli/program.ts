/**
 * The commander program: flags only. Each action parses its flags and hands over to a command module.
 * Command modules are imported inside their action, never at the top: `--help` and `--version` then load
 * commander alone, and a command loads only what it uses (execa, yaml, cli-table3, jsep cost tens of ms each
 * to import; see BENCHMARKS.md "Cold start"). Type-only imports are erased and cost nothing.
 */
import { Command, Option } from "commander";
import type { ExitCode } from "../errors.js";
import { DEFAULT_CALL_TIMEOUT, DEFAULT_LEADER_MOVE_ABOVE_MS, DEFAULT_SNAPSHOT_KEEP } from "../policy.js";
import type { CommandContext, GlobalFlags } from "./context.js";
import type { CliIO } from "./io.js";

const METRICS_OPTION = [
  "--metrics-file <path>",
  "also write Prometheus metrics here (*.prom, for node-exporter's textfile collector)",
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
    .option(
      "-n, --nodes <list>",
      "control plane nodes, comma separated or repeated; default: discover from the context",
      collect,
    )
    .option("--talosctl <path>", "talosctl binary (default: $TALOSCTL, then talosctl on PATH)")
    .addOption(
      new Option("-o, --output <format>", "table (fits the terminal), wide (every column) or json")
        .choices(["table", "wide", "json"])
        .default("table"),
    )
    .option("--timeout <duration>", "timeout for short talosctl calls", DEFAULT_CALL_TIMEOUT)
    .option("-v, --verbose", "print each talosctl call and its duration on stderr")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();

  const context = async (command: Command): Promise<CommandContext> => {
    const { createContext } = await import("./context.js");
    return createContext(command.optsWithGlobals<GlobalFlags>(), io);
  };
  const ruleOptions = (command: Command) =>
    command
      .option("--rule <expr>", "when a member needs defragmentation (see README: Rule language)")
      .option("--quota <size>", "etcd quota (default: read from the cluster, else 2GiB)");

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
    .option(...METRICS_OPTION)
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runCheck } = await import("./check.js");
      result.exitCode = await runCheck(ctx, flags);
    });

  const defragOptions = (command: Command) =>
    ruleOptions(command)
      .option("--force", "defragment every member, whatever the rule says")
      .option(
        "--leader <mode>",
        "auto: move leadership away first when the leader's defrag would stall it longer than --leader-move-above, else defrag it in place; forfeit: moving is required; last: never move it",
        "auto",
      )
      .option(
        "--leader-move-above <duration>",
        `with --leader auto: move leadership only when the leader's predicted in-place defrag takes longer (0: always) (default: ${DEFAULT_LEADER_MOVE_ABOVE_MS % 1000 === 0 ? `${DEFAULT_LEADER_MOVE_ABOVE_MS / 1000}s` : `${DEFAULT_LEADER_MOVE_ABOVE_MS}ms`})`,
      )
      .option("--wait-timeout <duration>", "how long to wait for a member to verify after its defrag", "5m")
      .option(
        "--defrag-timeout <duration>",
        "client timeout for one defrag call (default: none; a timed-out defrag is never re-issued)",
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
    .option("--snapshot-dir <dir>", "where snapshots go (created 0700)", "./etcd-snapshots")
    .option("--no-snapshot", "skip the snapshot (not recommended)")
    .option("--keep <n>", "newest snapshots of ours to keep", String(DEFAULT_SNAPSHOT_KEEP))
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
    .option("--snapshot-dir <dir>", "where snapshots go (created 0700)", "./etcd-snapshots")
    .option("--keep <n>", "newest snapshots of ours to keep", String(DEFAULT_SNAPSHOT_KEEP))
    .action(async (flags, command: Command) => {
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
      const { runSnapshotVerify } = await import("./snapshot-verify.js");
      result.exitCode = await runSnapshotVerify(io, files, command.optsWithGlobals<GlobalFlags>());
    });

  snapshot
    .command("adopt")
    .description(
      "write the manifest of a snapshot from before manifests, so --keep counts it (no talosctl needed)",
    )
    .argument("<file...>", "snapshot files of ours (talos-etcd-defrag-<label>-<time>.db) that verify")
    .action(async (files: string[], _flags, command: Command) => {
      const { runSnapshotAdopt } = await import("./snapshot-adopt.js");
      result.exitCode = await runSnapshotAdopt(io, files, command.optsWithGlobals<GlobalFlags>());
    });
  snapshot
    .command("list")
    .description(
      "the snapshots in --snapshot-dir, newest first: age, size, revision, verified (no talosctl needed)",
    )
    .option("--snapshot-dir <dir>", "where the snapshots are (default: ./etcd-snapshots)")
    .action(async (flags: { snapshotDir?: string }, command: Command) => {
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
    .action(async (_flags, command: Command) => {
      const ctx = await context(command);
      const { runAlarmsList } = await import("./alarms.js");
      result.exitCode = await runAlarmsList(ctx, {});
    });
  alarms
    .command("disarm")
    .description("disarm alarms; refuses while CORRUPT is raised or a member is still near the quota")
    .option("--quota <size>", "etcd quota (default: read from the cluster, else 2GiB)")
    .action(async (flags, command: Command) => {
      const ctx = await context(command);
      const { runAlarmsDisarm } = await import("./alarms.js");
      result.exitCode = await runAlarmsDisarm(ctx, flags);
    });

  return program;
}
