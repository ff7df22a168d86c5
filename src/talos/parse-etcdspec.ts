/**
 * quota-backend-bytes and the etcd image from `talosctl get etcdspec etcd -o yaml` (resource
 * EtcdSpecs.etcd.talos.dev). The image is there on every release; the node's Talos version decides the shape
 * of `spec.extraArgs`:
 *   up to v1.12: map[string]string                -> quota-backend-bytes: "4294967296"
 *   v1.13 on:    map[string]{values: []string}    -> quota-backend-bytes: {values: ["4294967296"]}
 * A flag given several times takes its last value, as etcd's flag parsing does. Several nodes give
 * several `---`-separated documents; the first one that has a spec decides.
 */
import { type Document, parseAllDocuments } from "yaml";
import { z } from "zod";
import { ParseError } from "../errors.js";
import { versionFromImage } from "./etcd-version.js";

const COMMAND = "get etcdspec etcd -o yaml";
const QUOTA_ARG = "quota-backend-bytes";

const argValue = z.union([
  z.string(),
  z.number(),
  z.array(z.union([z.string(), z.number()])),
  z.object({ values: z.array(z.union([z.string(), z.number()])).nullish() }),
]);

const document = z.object({
  spec: z.object({
    extraArgs: z.record(z.string(), argValue.nullish()).nullish(),
    image: z.unknown().optional(),
  }),
});

/** What the EtcdSpec says about the quota and the etcd that runs. */
export interface EtcdSpec {
  /** quota-backend-bytes; null when the cluster does not set it (etcd's default applies). */
  quotaBytes: number | null;
  /** spec.image as printed; null when missing. */
  image: string | null;
  /** The image tag as `major.minor.patch`; null when missing, digest-pinned or unreadable. */
  etcdVersion: string | null;
}

function lastValue(value: z.infer<typeof argValue>): string | null {
  if (typeof value === "string" || typeof value === "number") return String(value);
  const values = Array.isArray(value) ? value : (value.values ?? []);
  const last = values.at(-1);
  return last === undefined ? null : String(last);
}

/** toJS() refuses alias bombs with its own error: that is unparseable output too. */
function toPlain(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    throw new ParseError(COMMAND, "YAML cannot be read", String(doc).split("\n")[0] ?? "");
  }
}

function lineAt(text: string, line: number | undefined): string {
  const lines = text.split("\n");
  return lines[(line ?? 1) - 1] ?? lines[0] ?? "";
}

function quoteFor(text: string, key: string): string {
  return text.split("\n").find((line) => line.includes(key)) ?? text.split("\n")[0] ?? "";
}

/** Bytes, or null when the cluster does not set the flag (etcd's default then applies). */
export function parseEtcdSpecQuota(yamlText: string): number | null {
  return parseEtcdSpec(yamlText).quotaBytes;
}

export function parseEtcdSpec(yamlText: string): EtcdSpec {
  const spec = readSpec(yamlText);
  const image = typeof spec.image === "string" && spec.image.trim() !== "" ? spec.image.trim() : null;
  return {
    quotaBytes: readQuota(yamlText, spec.extraArgs),
    image,
    etcdVersion: image === null ? null : versionFromImage(image),
  };
}

function readSpec(yamlText: string): z.infer<typeof document>["spec"] {
  const docs = parseAllDocuments(yamlText);
  for (const doc of docs) {
    const [problem] = doc.errors;
    // The YAML library knows the line it choked on: quote that one, not the first.
    if (problem !== undefined)
      throw new ParseError(COMMAND, "not YAML", lineAt(yamlText, problem.linePos?.[0].line));
  }
  const specs = docs.map((doc) => document.safeParse(toPlain(doc))).filter((result) => result.success);
  const first = specs[0];
  if (first === undefined)
    throw new ParseError(COMMAND, "no EtcdSpec resource with a spec", quoteFor(yamlText, "spec"));
  return first.data.spec;
}

function readQuota(
  yamlText: string,
  extraArgs: z.infer<typeof document>["spec"]["extraArgs"],
): number | null {
  const raw = extraArgs?.[QUOTA_ARG];
  if (raw === undefined || raw === null) return null;
  const value = lastValue(raw);
  if (value === null) return null;
  const trimmed = value.trim();
  const bytes = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new ParseError(COMMAND, `${QUOTA_ARG} is not a byte count`, quoteFor(yamlText, QUOTA_ARG));
  }
  return bytes;
}
