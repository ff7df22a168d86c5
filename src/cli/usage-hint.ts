/**
 * The next step after a usage error commander found. A command's flag given before the command (`--yes defrag`,
 * `--rule x status`) is an "unknown option" to the program; the hint says whose flag it is and where it goes.
 */
import type { Command } from "commander";

const HELP_HINT = "run with --help for usage";

export function usageHint(program: Command, argv: readonly string[], code: string, message: string): string {
  if (code !== "commander.unknownOption") return HELP_HINT;
  const flag = /unknown option '([^']+)'/.exec(message)?.[1]?.split("=")[0];
  if (flag === undefined) return HELP_HINT;
  const owners = commandsWith(program, flag);
  if (owners.length === 0) return HELP_HINT;
  const named = namedCommand(program, argv);
  const owner = owners.find((c) => c === named);
  if (owner !== undefined) {
    const path = pathOf(owner);
    return `${flag} is a flag of ${path}: put it after the command (${path} ${flag} ...)`;
  }
  const list = listWords(owners.map(pathOf));
  return named === undefined || named === program
    ? `${flag} is a flag of ${list}: put it after the command`
    : `${flag} is a flag of ${list}, not of ${pathOf(named)}`;
}

/** Every command (at any depth) that has `flag` as its own option. */
function commandsWith(command: Command, flag: string): Command[] {
  return command.commands.flatMap((sub) => [
    ...(sub.options.some((o) => o.long === flag || o.short === flag) ? [sub] : []),
    ...commandsWith(sub, flag),
  ]);
}

/** The deepest command the words of argv name, in order (`alarms --quota 1 disarm` names alarms disarm). */
function namedCommand(program: Command, argv: readonly string[]): Command | undefined {
  let current: Command = program;
  let found: Command | undefined;
  for (const word of argv) {
    const sub = current.commands.find((c) => c.name() === word);
    if (sub === undefined) continue;
    current = sub;
    found = sub;
  }
  return found;
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
