/** --rule and --quota, shared by every command that judges members, and the reader they configure. */
import { type CompiledRule, compileRule, DEFAULT_RULE } from "../cluster/rule.js";
import type { ClusterReader } from "../read/cluster-reader.js";
import { openReader as openServiceReader } from "../service/context.js";
import type { CommandContext } from "./context.js";
import { parseSizeArg } from "./values.js";

export interface RuleFlags {
  rule?: string;
  quota?: string;
}

export function resolveRuleFlags(flags: RuleFlags): { rule: CompiledRule; quotaBytes: number | undefined } {
  return {
    rule: compileRule(flags.rule ?? DEFAULT_RULE),
    quotaBytes: flags.quota === undefined ? undefined : parseSizeArg(flags.quota, "--quota"),
  };
}

/** Validates --rule/--quota first (exit 2 before any talosctl call), then discovers the cluster. */
export async function openReader(
  ctx: CommandContext,
  flags: RuleFlags,
): Promise<ClusterReader & { rule: CompiledRule }> {
  const { rule, quotaBytes } = resolveRuleFlags(flags);
  return openServiceReader(ctx, { rule, ...(quotaBytes === undefined ? {} : { quotaBytes }) });
}
