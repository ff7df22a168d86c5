/**
 * Every `-o json` document a test produces is parsed with its zod schema (src/schema/), so a renamed field, a
 * changed type or an undocumented new field fails the test that printed it, whatever that test asserts. The
 * harnesses call this: `recordIO` (test/cli/fixture-exec.ts) on every read of stdout and when the test ends, the
 * in-process `runCli` (test/cli/stateful-exec.ts) and the e2e `runCli` (test/e2e/e2e-harness.ts) after each run.
 * Where the argv is known, the command decides the schema; where it is not (a test calling main() with a
 * recordIO), the document's own required keys do (`kindOf`), and the strict schema still rejects any stray field.
 */
import * as z from "zod/mini";
import { DOCUMENT_OF_COMMAND, DOCUMENTS, type DocumentName } from "../../src/schema/index.js";

// zod/mini carries no messages; a failing test should say what is wrong in words.
z.config(z.locales.en());

/** Global flags that take a value (docs/CONTRACT.md, "Global flags"): their value is not the command. */
const VALUE_FLAGS = new Set([
  "--talosconfig",
  "--context",
  "-e",
  "--endpoints",
  "-n",
  "--nodes",
  "--talosctl",
  "-o",
  "--output",
  "--timeout",
  // Command flags with a value that may stand before a subcommand (`snapshot --snapshot-dir DIR list`).
  "--snapshot-dir",
  "--keep",
]);
const COMMANDS = new Set(["status", "check", "plan", "defrag", "snapshot", "alarms"]);

/** `status`, `snapshot verify`, `alarms disarm`, … from an argv (global flags before or after), if any. */
export function commandOf(argv: readonly string[]): string | undefined {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg.startsWith("-")) {
      if (VALUE_FLAGS.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  const at = words.findIndex((w) => COMMANDS.has(w));
  const command = words[at];
  if (command === undefined) return undefined;
  const sub = words[at + 1];
  if (command === "snapshot" && (sub === "verify" || sub === "list" || sub === "adopt"))
    return `snapshot ${sub}`;
  if (command === "alarms" && (sub === "list" || sub === "disarm")) return `alarms ${sub}`;
  return command;
}

/** Whether the argv asks for `-o json` (`-o json`, `-ojson`, `--output json`, `--output=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      ((arg === "-o" || arg === "--output") && argv[i + 1] === "json") ||
      arg === "-ojson" ||
      arg === "--output=json",
  );
}

/** Which document an object is, by the keys only that document requires; undefined when none fits. */
export function kindOf(doc: Record<string, unknown>): DocumentName | undefined {
  if ("snapshots" in doc) return "snapshot-list";
  if ("files" in doc)
    return Array.isArray(doc.files) &&
      doc.files.some((f) => typeof f === "object" && f !== null && "adopted" in f)
      ? "snapshot-adopt"
      : "snapshot-verify";
  if ("verdict" in doc) return "check";
  if ("steps" in doc) return "run-report";
  if ("members" in doc) return "status";
  if ("snapshot" in doc) return "snapshot";
  if ("result" in doc && "alarms" in doc) return "alarms-disarm";
  if ("alarms" in doc && "unreachable" in doc) return "alarms-list";
  return undefined;
}

/** Throws, naming each problem and its path, unless `doc` is a valid document of that name. */
export function expectDocument(name: DocumentName, doc: unknown, where = ""): void {
  const result = DOCUMENTS[name].safeParse(doc);
  if (result.success) return;
  throw new Error(
    `${where}stdout is not a valid ${name} document (src/schema/, docs/CONTRACT.md):\n${z.prettifyError(result.error)}`,
  );
}

/**
 * The check for a run whose argv is known: with -o json, a non-empty stdout must be one JSON document of the
 * command's schema. Empty stdout is allowed (the contract: nothing on stdout when the command ended in an error).
 */
export function expectCliJson(argv: readonly string[], stdout: string): void {
  if (!wantsJson(argv) || stdout.trim() === "" || argv.includes("--help") || argv.includes("--version"))
    return;
  const command = commandOf(argv);
  const name = command === undefined ? undefined : DOCUMENT_OF_COMMAND[command];
  if (name === undefined)
    throw new Error(`-o json output from an argv with no known command: ${argv.join(" ")}`);
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`\`${argv.join(" ")}\`: stdout is not one JSON document:\n${stdout}`);
  }
  expectDocument(name, doc, `\`${command}\`: `);
}

/**
 * The check for output whose argv is unknown: when stdout is one JSON object of a known kind or with a
 * `schemaVersion`, it must be a valid document of the kind its keys say. Anything else (a table, a partial write
 * to a closed pipe, nothing) is left to the test.
 */
export function expectJsonStdout(stdout: string): void {
  const text = stdout.trim();
  if (!text.startsWith("{")) return;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return;
  const name = kindOf(doc as Record<string, unknown>);
  // Not one of ours (a test writing `{}` through the IO): every document carries schemaVersion.
  if (name === undefined && !("schemaVersion" in doc)) return;
  if (name === undefined)
    throw new Error(`stdout is a JSON object of no known document (src/schema/index.ts):\n${stdout}`);
  expectDocument(name, doc);
}
