import { UserError } from "../errors.js";
import { listAllowedNames } from "./rule-names.js";

/**
 * Build the one error every rule problem becomes: a UserError (exit 2) naming the 0-based position, with a hint
 * that shows the rule, a caret under that position, and the names a rule may use.
 */
export function createRuleError(
  source: string,
  position: number,
  reason: string,
  advice?: string,
): UserError {
  const at = Math.max(0, Math.min(position, source.length));
  // Control characters would break the caret alignment or reach the terminal: show each as one space.
  const shown = source
    .split("")
    .map((char) => (isControl(char) ? " " : char))
    .join("");
  const hint = [
    `  ${shown}`,
    `  ${" ".repeat(at)}^`,
    ...(advice === undefined ? [] : [advice]),
    `Allowed ${listAllowedNames()}; operators + - * / % < <= > >= == != && || ! and parentheses.`,
  ].join("\n");
  return new UserError(`invalid --rule at position ${at}: ${reason}`, hint);
}

/** Name a character safely in a message: printable ASCII quoted, anything else as its code point. */
export function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return JSON.stringify(char);
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
