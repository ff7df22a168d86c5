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
import * as z from "zod/mini";
import { ParseError } from "../errors.js";
import { versionFromImage } from "./etcd-version.js";

const COMMAND = "get etcdspec etcd -o yaml";
const QUOTA_ARG = "quota-backend-bytes";

/**
 * The part of an EtcdSpec document the tool reads, as a schema: `spec.image` and `spec.extraArgs`, whose values
 * take the shapes above (a scalar, a list of them, or `{values: [...]}`), any of them null. Other keys are left
 * alone; a spec holding any malformed argument does not match, and is skipped as a whole.
 */
const scalar = z.union([z.string(), z.number()]);
const argValue = z.nullish(
  z.union([scalar, z.array(scalar), z.object({ values: z.nullish(z.array(scalar)) })]),
);
const etcdSpecDocument = z.object({
  spec: z.object({
    // Anything but a non-empty string is "no image".
    image: z.catch(z.nullish(z.string()), null),
    extraArgs: z.nullish(z.record(z.string(), argValue)),
  }),
});

type ArgValue = NonNullable<z.infer<typeof argValue>>;
type ExtraArgs = Record<string, ArgValue | null | undefined>;

/** What the EtcdSpec says about the quota and the etcd that runs. */
export interface EtcdSpec {
  /** quota-backend-bytes; null when the cluster does not set it (etcd's default applies). */
  quotaBytes: number | null;
  /** spec.image as printed; null when missing. */
  image: string | null;
  /** The image tag as `major.minor.patch`; null when missing, digest-pinned or unreadable. */
  etcdVersion: string | null;
}

interface SpecFields {
  /** null when the spec has no extraArgs. */
  extraArgs: ExtraArgs | null;
  image: string | null;
}

/**
 * The spec's extraArgs and image, or undefined when the document is not an EtcdSpec with a well-formed spec: a
 * document whose spec holds any malformed argument is skipped as a whole.
 */
function readSpecFields(doc: unknown): SpecFields | undefined {
  const parsed = etcdSpecDocument.safeParse(doc);
  if (!parsed.success) return undefined;
  const { extraArgs, image } = parsed.data.spec;
  return {
    extraArgs: extraArgs ?? null,
    image: typeof image === "string" && image.trim() !== "" ? image.trim() : null,
  };
}

function lastValue(value: ArgValue): string | null {
  if (typeof value === "string" || typeof value === "number") return String(value);
  const values = Array.isArray(value) ? value : (value.values ?? []);
  const last = values.at(-1);
  return last === undefined ? null : String(last);
}

/**
 * toJS() refuses alias bombs, unresolved aliases and malformed anchors with its own errors: that is unparseable
 * output too. The quote comes from the text: stringifying a document that failed may throw again.
 */
function toPlain(doc: Document, yamlText: string): unknown {
  try {
    return doc.toJS();
  } catch {
    throw new ParseError(COMMAND, "YAML cannot be read", lineAt(yamlText, 1));
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
  const docs = parseAllDocuments(yamlText);
  for (const doc of docs) {
    const [problem] = doc.errors;
    // The YAML library knows the line it choked on: quote that one, not the first.
    if (problem !== undefined)
      throw new ParseError(COMMAND, "not YAML", lineAt(yamlText, problem.linePos?.[0].line));
  }
  const [spec] = docs
    .map((doc) => readSpecFields(toPlain(doc, yamlText)))
    .filter((fields) => fields !== undefined);
  if (spec === undefined)
    throw new ParseError(COMMAND, "no EtcdSpec resource with a spec", quoteFor(yamlText, "spec"));
  return {
    quotaBytes: readQuota(yamlText, spec.extraArgs),
    image: spec.image,
    etcdVersion: spec.image === null ? null : versionFromImage(spec.image),
  };
}

function readQuota(yamlText: string, extraArgs: ExtraArgs | null): number | null {
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

/**
 * Warm-up, on purpose at import: this module is imported while the etcdspec call is still running (see
 * client.ts), and the YAML library's first parse of a document is slow (~5 ms: its code compiles on first use).
 * Parsing a dummy of the same shape now, while we wait on talosctl anyway, takes that off the path of every
 * status and defrag start (BENCHMARKS.md, "Cold start"). The result is thrown away.
 */
parseEtcdSpec(
  [
    "node: 192.0.2.1",
    "metadata:",
    "    id: etcd",
    "    version: 3",
    "    created: 2000-01-01T00:00:00Z",
    "spec:",
    "    advertisedAddresses:",
    "        - 192.0.2.1",
    "    listenPeerAddresses:",
    "        - '::'",
    "    image: registry.example/etcd:v3.6.0",
    "    extraArgs:",
    "        quota-backend-bytes:",
    "            values:",
    '                - "1"',
    "",
  ].join("\n"),
);
