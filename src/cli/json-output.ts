/**
 * Prints a `-o json` document: pretty-printed, `schemaVersion` first. Typed by the document's zod schema
 * (src/schema/): a field missing or of another type fails the type check (a stray one fails the tests, whose
 * harnesses parse every document with its schema). Only the types are imported: printing loads no zod.
 */
import type { Document, DocumentName } from "../schema/index.js";
import { SCHEMA_VERSION } from "../schema/version.js";
import type { CliIO } from "./io.js";

/** A document without its `schemaVersion` (each member of a union on its own). */
export type DocumentBody<N extends DocumentName> =
  Document<N> extends infer D ? (D extends unknown ? Omit<D, "schemaVersion"> : never) : never;

export function withSchemaVersion<N extends DocumentName>(_name: N, body: DocumentBody<N>): Document<N> {
  return { schemaVersion: SCHEMA_VERSION, ...body } as Document<N>;
}

export function printDocument<N extends DocumentName>(io: CliIO, name: N, body: DocumentBody<N>): void {
  io.stdout(`${JSON.stringify(withSchemaVersion(name, body), null, 2)}\n`);
}
