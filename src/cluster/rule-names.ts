/** The names a defrag rule may use. Kept in Maps so a lookup can never fall through to Object.prototype. */

export const RULE_VARIABLES = ["dbSize", "dbSizeInUse", "dbSizeFree", "dbQuota", "dbQuotaUsage"] as const;
export type RuleVariable = (typeof RULE_VARIABLES)[number];

/** Unit constants: KB MB GB are decimal (as talosctl prints sizes), KiB MiB GiB binary (as etcd's quota is). */
export const RULE_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["KB", 1000],
  ["MB", 1000 ** 2],
  ["GB", 1000 ** 3],
  ["KiB", 1024],
  ["MiB", 1024 ** 2],
  ["GiB", 1024 ** 3],
]);

const VARIABLE_SET: ReadonlySet<string> = new Set(RULE_VARIABLES);

export function isRuleVariable(name: string): name is RuleVariable {
  return VARIABLE_SET.has(name);
}

export function isAllowedName(name: string): boolean {
  return VARIABLE_SET.has(name) || RULE_CONSTANTS.has(name);
}

export function listAllowedNames(): string {
  return `variables: ${RULE_VARIABLES.join(", ")}; units: ${[...RULE_CONSTANTS.keys()].join(", ")}`;
}

/** A near miss such as `dbsize` or `mib` deserves a pointer to the real name. */
export function suggestName(name: string): string | undefined {
  const lower = name.toLowerCase();
  return [...RULE_VARIABLES, ...RULE_CONSTANTS.keys()].find((known) => known.toLowerCase() === lower);
}
