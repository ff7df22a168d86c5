/** --rule and --quota, shared by every command that judges members. */
import { type CompiledRule, DEFAULT_RULE, compileRule } from "../cluster/rule.js";
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
