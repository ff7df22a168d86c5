/**
 * The JSON documents of `-o json`, one zod schema each (docs/CONTRACT.md, "JSON documents"), and their JSON Schema
 * files under docs/schema/ (`npm run schema` writes them, test/docs/json-schema.test.ts keeps them current).
 * Nothing in the product validates its own output at run time: the CLI imports only the types from here (erased),
 * so no command pays for the schemas; the test harnesses parse every document the tests produce with them.
 */
import * as z from "zod/mini";
import { alarmsDisarmDocument } from "./alarms-disarm.js";
import { alarmsListDocument } from "./alarms-list.js";
import { checkDocument } from "./check.js";
import { runReportDocument } from "./run-report.js";
import { snapshotDocument } from "./snapshot.js";
import { snapshotAdoptDocument } from "./snapshot-adopt.js";
import { snapshotListDocument } from "./snapshot-list.js";
import { snapshotManifest } from "./snapshot-manifest.js";
import { snapshotVerifyDocument } from "./snapshot-verify.js";
import { statusDocument } from "./status.js";

export type { AlarmsDisarmDocument } from "./alarms-disarm.js";
export type { AlarmsListDocument } from "./alarms-list.js";
export type { CheckDocument } from "./check.js";
export type { RunReportDocument } from "./run-report.js";
export type { SnapshotDocument } from "./snapshot.js";
export type { SnapshotAdoptDocument } from "./snapshot-adopt.js";
export type { SnapshotListDocument } from "./snapshot-list.js";
export type { SnapshotManifest } from "./snapshot-manifest.js";
export type { FileVerdict, SnapshotVerifyDocument } from "./snapshot-verify.js";
export type { StatusDocument } from "./status.js";
export { SCHEMA_VERSION } from "./version.js";
export {
  alarmsDisarmDocument,
  alarmsListDocument,
  checkDocument,
  runReportDocument,
  snapshotAdoptDocument,
  snapshotDocument,
  snapshotListDocument,
  snapshotManifest,
  snapshotVerifyDocument,
  statusDocument,
};

/** Each document by name: the name is its file, docs/schema/<name>.schema.json. */
export const DOCUMENTS = {
  status: statusDocument,
  check: checkDocument,
  "run-report": runReportDocument,
  snapshot: snapshotDocument,
  "snapshot-verify": snapshotVerifyDocument,
  "snapshot-list": snapshotListDocument,
  "snapshot-adopt": snapshotAdoptDocument,
  "alarms-list": alarmsListDocument,
  "alarms-disarm": alarmsDisarmDocument,
  /** Not printed on stdout: the file written beside each snapshot, `<snapshot>.json`. */
  "snapshot-manifest": snapshotManifest,
} as const;

export type DocumentName = keyof typeof DOCUMENTS;

/** What each command prints with `-o json` (`plan` and `defrag --dry-run` print the run report too). */
export const DOCUMENT_OF_COMMAND: Readonly<Record<string, DocumentName>> = {
  status: "status",
  check: "check",
  plan: "run-report",
  defrag: "run-report",
  snapshot: "snapshot",
  "snapshot verify": "snapshot-verify",
  "snapshot list": "snapshot-list",
  "snapshot adopt": "snapshot-adopt",
  alarms: "alarms-list",
  "alarms list": "alarms-list",
  "alarms disarm": "alarms-disarm",
};

/** The document a name stands for, as the type the CLI prints (without `schemaVersion`, which printing adds). */
export type Document<N extends DocumentName> = z.infer<(typeof DOCUMENTS)[N]>;

/** docs/schema/<name>.schema.json as `npm run schema` writes it: zod's own JSON Schema output, pretty-printed. */
export function jsonSchemaFiles(): { file: string; text: string }[] {
  return Object.entries(DOCUMENTS).map(([name, schema]) => ({
    file: `${name}.schema.json`,
    text: `${JSON.stringify(z.toJSONSchema(schema), null, 2)}\n`,
  }));
}
