/** The simulated talosctl subcommands: ask the backend, then print what the release prints. */
import { closeSync, fsyncSync, openSync, rmSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import type { Backend } from "./backend.js";
import { onCancel } from "./cancel.js";
import type { SimCommand, SimConfig } from "./config.js";
import { ETCDSPEC_TABLE_HEADER, renderEtcdSpec } from "./etcdspec.js";
import { askNode, fanOut } from "./fan-out.js";
import { goQuote } from "./humanize.js";
import {
  ALARM_DISARM_TABLE,
  ALARM_LIST_TABLE,
  formatMultiError,
  MEMBERS_TABLE,
  type Rendered,
  renderTable,
  STATUS_TABLE,
} from "./render.js";
import { mountsCommand, processesCommand } from "./resources.js";
import { tabwrite } from "./tabwriter.js";

export interface CommandContext {
  config: SimConfig;
  backend: Backend;
  nodes: string[];
}

const ok = (stdout = ""): Rendered => ({ stdout, stderr: "", exitCode: 0 });
const fail = (stderr: string): Rendered => ({ stdout: "", stderr: `${stderr}\n`, exitCode: 1 });

/** ≤v1.13 always sends node metadata, so one failing node comes back as a one-item multierror. */
function nodeFailure(ctx: CommandContext, node: string, error: string): Rendered {
  return ctx.config.release === "v1.14" ? fail(error) : fail(formatMultiError([{ node, error }]));
}

/** Returns the error to print when a single-node command got several nodes, else null. */
export function checkSingleNode(
  release: SimConfig["release"],
  nodes: readonly string[],
  name: string,
): string | null {
  if (nodes.length === 1) return null;
  return release === "v1.14"
    ? `command "${name}" requires exactly one node (got ${nodes.length})`
    : `command "${name}" is not supported with multiple nodes`;
}

async function defrag(ctx: CommandContext): Promise<Rendered> {
  const node = ctx.nodes[0] ?? "";
  const answer = await askNode(ctx.config.faults, node, "defrag", (n) => ctx.backend.defrag(n));
  return answer.ok ? ok() : nodeFailure(ctx, node, answer.error);
}

async function forfeit(ctx: CommandContext): Promise<Rendered> {
  // One node after the other: a node that just received leadership may pass it on again, as in Talos.
  const failures: { node: string; error: string }[] = [];
  for (const node of ctx.nodes) {
    const answer = await askNode(ctx.config.faults, node, "forfeit-leadership", (n) =>
      ctx.backend.forfeitLeadership(n),
    );
    if (!answer.ok) failures.push({ node, error: answer.error });
  }
  if (failures.length === 0) return ok();
  if (ctx.config.release === "v1.14")
    return fail(failures.map((f) => `error from node ${f.node}: ${f.error}`).join("\n"));
  return fail(formatMultiError(failures));
}

function describeFsError(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  const text =
    code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : String(code);
  return `open ${path}: ${text}`;
}

async function snapshot(ctx: CommandContext, path: string): Promise<Rendered> {
  const node = ctx.nodes[0] ?? "";
  const part = `${path}.part`;
  try {
    closeSync(openSync(part, "w", 0o600));
  } catch (error) {
    return fail(`error creating temporary file: ${describeFsError(error, part)}`);
  }
  // A signal cancels the call (cancel.ts); talosctl's deferred removal of its temporary file still runs.
  const forget = onCancel(() => rmSync(part, { force: true }));
  try {
    const answer = await askNode(ctx.config.faults, node, "snapshot", (n) => ctx.backend.snapshot(n, part));
    if (!answer.ok) return fail(`error reading: ${answer.error}`);
    const fd = openSync(part, "r+");
    fsyncSync(fd);
    closeSync(fd);
    const size = (await stat(part)).size;
    // etcd appends a sha256 of the database; talosctl only checks that it is there.
    if (size % 512 !== 32) return fail(`sha256 checksum not found (size ${size})`);
    await rename(part, path);
    const info = await ctx.backend.snapshotStatus(path);
    return ok(
      `etcd snapshot saved to ${goQuote(path)} (${size} bytes)\n` +
        `snapshot info: hash ${info.hash.toString(16).padStart(8, "0")}, revision ${info.revision}, ` +
        `total keys ${info.totalKey}, total size ${info.totalSize}\n`,
    );
  } finally {
    forget();
    await rm(part, { force: true });
  }
}

async function etcdspec(ctx: CommandContext, output: string): Promise<Rendered> {
  const outcomes = await fanOut(ctx.config.faults, ctx.nodes, "etcdspec", async (node) => node);
  const docs = outcomes.flatMap((o) => (o.ok ? [renderEtcdSpec(ctx.config, o.node, output)] : []));
  const errors = outcomes.flatMap((o) => (o.ok ? [] : [`${o.node}: ${o.error}`]));
  const stdout = output === "yaml" ? docs.join("---\n") : tabwrite(ETCDSPEC_TABLE_HEADER + docs.join(""));
  return { stdout, stderr: errors.map((e) => `${e}\n`).join(""), exitCode: errors.length > 0 ? 1 : 0 };
}

/** Runs one parsed command. `args` are the positional words after the command name. */
export async function runCommand(
  ctx: CommandContext,
  command: SimCommand,
  args: string[],
  output: string,
): Promise<Rendered> {
  const { faults, release } = ctx.config;
  switch (command) {
    case "status":
      return renderTable(STATUS_TABLE, await fanOut(faults, ctx.nodes, command, ctx.backend.status), release);
    case "members":
      return renderTable(
        MEMBERS_TABLE,
        await fanOut(faults, ctx.nodes, command, ctx.backend.members),
        release,
      );
    case "alarm list":
      return renderTable(
        ALARM_LIST_TABLE,
        await fanOut(faults, ctx.nodes, command, ctx.backend.alarms),
        release,
      );
    case "alarm disarm": {
      // Sequential: the first node disarms everything, later nodes find nothing left.
      const outcomes = [];
      for (const node of ctx.nodes)
        outcomes.push(...(await fanOut(faults, [node], command, ctx.backend.disarmAlarms)));
      return renderTable(ALARM_DISARM_TABLE, outcomes, release);
    }
    case "defrag":
      return defrag(ctx);
    case "forfeit-leadership":
      return forfeit(ctx);
    case "snapshot":
      return snapshot(ctx, args[0] ?? "");
    case "etcdspec":
      return etcdspec(ctx, output);
    case "processes":
      return processesCommand(ctx);
    case "mounts":
      return mountsCommand(ctx);
  }
}
