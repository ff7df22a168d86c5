/**
 * Typed reads of single table cells; every failure names the command and quotes the whole line.
 * Plain checks, not schemas: a cell is an unsigned integer or a boolean, which one regex says as well as a schema
 * would. zod (zod/mini) checks what has a shape: flag values, the EtcdSpec, the talosconfig (src/cli/values.ts).
 */
import { ParseError } from "../errors.js";
import type { TableRow } from "./table.js";

const UINT = /^\d+$/;

/** A cell the layout must have; `optional` columns (NODE on old releases) read as "". */
export function readCell(row: TableRow, column: string, command: string, optional = false): string {
  const value = row.cells[column];
  if (value !== undefined) return value;
  if (optional) return "";
  throw new ParseError(command, `no ${column} column`, row.line);
}

export function readNonEmpty(row: TableRow, column: string, command: string): string {
  const value = readCell(row, column, command);
  if (value === "") throw new ParseError(command, `empty ${column}`, row.line);
  return value;
}

/** Raft indexes are uint64; past 2^53 a double would silently round, so refuse instead. */
export function readUint(row: TableRow, column: string, command: string): number {
  const text = readCell(row, column, command);
  const value = UINT.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new ParseError(command, `bad ${column}`, row.line);
  return value;
}

export function readBool(row: TableRow, column: string, command: string): boolean {
  const text = readCell(row, column, command);
  if (text !== "true" && text !== "false") throw new ParseError(command, `bad ${column}`, row.line);
  return text === "true";
}

/** Runs a cell parser and re-throws its error with the whole line, which says more than the cell alone. */
export function withLine<T>(row: TableRow, command: string, column: string, parse: (text: string) => T): T {
  const text = readCell(row, column, command);
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ParseError)
      throw new ParseError(command, `bad ${column} ${JSON.stringify(text)}`, row.line);
    throw error;
  }
}

/** Comma-joined URL lists; an unstarted member has none (empty cell). */
export function splitList(text: string, separator: string): string[] {
  return text === "" ? [] : text.split(separator).filter((part) => part !== "");
}
