/**
 * The demo's banners, within 80 columns: a title wrapped at spaces, a command line broken between arguments with
 * shell continuations (`\`), so that it still pastes into a shell and reads in an 80-column terminal.
 */
export const BANNER_WIDTH = 80;
const LEAD = "== ";

/** Words packed into lines of at most `width` columns; a word longer than a line keeps a line of its own. */
function pack(words: readonly string[], width: number, indent: string, tail: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (line === "" || candidate.length + tail.length <= width) {
      line = candidate;
      continue;
    }
    lines.push(`${line}${tail}`);
    line = `${indent}${word}`;
  }
  lines.push(line);
  return lines;
}

/** A title: wrapped at spaces, continuation lines indented. */
export function titleBanner(text: string, width = BANNER_WIDTH): string[] {
  return frame(pack(text.split(" "), width - LEAD.length, "  ", ""), width);
}

/** `$ talos-etcd-defrag ARGS`, one argument never split, quoted for the shell when it needs it. */
export function commandBanner(args: readonly string[], width = BANNER_WIDTH): string[] {
  const words = ["$", "talos-etcd-defrag", ...args.map(shellWord)];
  return frame(pack(words, width - LEAD.length, "    ", " \\"), width);
}

/** How an argument is typed in a shell: as is, or in single quotes; `$NAME` stays a (double-quoted) variable. */
export function shellWord(arg: string): string {
  if (/^"\$[A-Z_]+"$/.test(arg)) return arg;
  return /[\s|&()<>*$"'\\;]/.test(arg) ? `'${arg.replace(/'/g, `'\\''`)}'` : arg;
}

function frame(lines: string[], width: number): string[] {
  const longest = Math.max(...lines.map((l) => l.length)) + LEAD.length;
  const bar = "=".repeat(Math.min(width, longest));
  return ["", bar, ...lines.map((l) => `${LEAD}${l}`), bar];
}

/**
 * A shell variable set to `value`, as lines that paste into a shell: the name and a continuation, then the value
 * in single quotes on a line of its own (no indent: a space after `=` would end the assignment).
 */
export function shellAssignment(name: string, value: string): string[] {
  const line = `${name}=${shellWord(value)}`;
  return line.length <= BANNER_WIDTH ? [line] : [`${name}=\\`, shellWord(value)];
}

/** The demo's own texts (sim/demo.ts), here so that a test can hold them to 80 columns without running it. */
export const DEMO_RULE = "dbQuotaUsage > 0.8 || (dbSizeFree > 10*MiB && dbSizeInUse / dbSize < 0.5)";
/** How the banners show DEMO_RULE: a shell variable, set once in the note before the first command using it. */
export const RULE_ARG = '"$DEMO_RULE"';

export const REAL_TITLE =
  "SIMULATED Talos control plane: simulated talosctl over a REAL 3-member etcd on 127.0.0.11-13";
export const demoRuleNote = () => [
  "note: the demo cluster is small, so plan and defrag use --min-reclaim 10MiB and",
  "the default rule with 10*MiB for 100*MiB, shown below as $DEMO_RULE:",
  ...shellAssignment("DEMO_RULE", DEMO_RULE),
];
export const modelTitle = (why: string) =>
  `SIMULATED Talos control plane: simulated talosctl over an IN-MEMORY MODEL (${why})`;
