/**
 * The next step after a usage error commander found. A command's flag given before the command (`--yes defrag`,
 * `--rule x status`) is an "unknown option" to the program; the hint says whose flag it is and where it goes.
 */
import type { Command } from "commander";
import { UserError } from "../errors.js";

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

export function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * A word after a command that has subcommands and is none of them (`snapshot lsit`, `alarms disram`): commander
 * takes it for an argument of the command itself ("too many arguments"); name it as the unknown subcommand, with
 * the nearest one by spelling and the list. `without`: what the command does with no subcommand.
 */
export function unknownSubcommand(command: Command, word: string, without: string): UserError {
  const names = command.commands.map((c) => c.name());
  const guess = nearest(word, names);
  return new UserError(
    `unknown ${command.name()} subcommand ${JSON.stringify(word)}${guess === undefined ? "" : ` (did you mean ${guess}?)`}`,
    `the subcommands of ${command.name()} are ${listWords(names)}; ${without}`,
  );
}

/** The candidate nearest to word by edit distance (a swap of two letters counts one), when it is near enough. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    // As commander's own suggestion for commands: at most 2 edits, and most of the word kept.
    if (distance <= 2 && (length - distance) / length > 0.4 && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  return at(a.length, b.length);
}

/**
 * A flag before the command that takes a value and took the command as it (`-n status`): commander then finds no
 * command and prints the whole help. Read the words as commander does, with the program's own options: the first
 * word that is no option nor an option's value is the command; when there is none and an option's value is the
 * name of a command, that option swallowed it.
 */
export function swallowedCommand(
  program: Command,
  argv: readonly string[],
): { flag: string; command: string; value: string } | undefined {
  const commands = new Set(program.commands.map((c) => c.name()));
  let swallowed: { flag: string; command: string; value: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? "";
    if (word === "--") return undefined;
    if (!word.startsWith("-") || word === "-") return undefined;
    if (word.includes("=")) continue;
    const option = program.options.find((o) => o.long === word || o.short === word);
    if (option === undefined || !option.required) continue;
    const value = argv[i + 1];
    if (value === undefined) return undefined;
    if (commands.has(value))
      swallowed = {
        flag: word,
        command: value,
        value: /<[^>]+>/.exec(option.flags)?.[0] ?? "<value>",
      };
    i++;
  }
  return swallowed;
}
