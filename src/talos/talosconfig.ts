/**
 * The nodes and endpoints of the talosconfig context, read only to find another node to ask when the context's
 * node is an etcd learner. Best effort: a file we cannot read or parse yields nothing (talosctl itself reports a
 * broken talosconfig), and nothing from the file but these addresses is ever used or printed.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import * as z from "zod/mini";
import type { TalosTarget } from "./types.js";
import { validateEndpoint, validateNode } from "./validate.js";

/** talosctl's own order: --talosconfig, $TALOSCONFIG, ~/.talos/config, then the in-pod path. */
export function talosconfigCandidates(target: TalosTarget, env: NodeJS.ProcessEnv): string[] {
  if (target.talosconfig !== undefined) return [target.talosconfig];
  const fromEnv = env.TALOSCONFIG;
  if (fromEnv !== undefined && fromEnv !== "") return [fromEnv];
  return [join(env.HOME ?? homedir(), ".talos", "config"), "/var/run/secrets/talos.dev/config"];
}

/** Context nodes, then context endpoints (without ports), then -e endpoints: valid addresses, each once. */
export async function readContextAddresses(target: TalosTarget, env: NodeJS.ProcessEnv): Promise<string[]> {
  const fromFile = await readContextFile(target, env);
  const endpoints = [...fromFile.endpoints, ...(target.endpoints ?? [])];
  const addresses = [...fromFile.nodes, ...endpoints.map(hostOf)];
  return [...new Set(addresses.flatMap((a) => (isValidNode(a) ? [a] : [])))];
}

async function readContextFile(
  target: TalosTarget,
  env: NodeJS.ProcessEnv,
): Promise<{ nodes: string[]; endpoints: string[] }> {
  for (const path of talosconfigCandidates(target, env)) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch {
      continue;
    }
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      return NOTHING;
    }
    const file = talosconfigFile.safeParse(doc);
    const name = target.context ?? (file.success ? file.data.context : undefined);
    if (!file.success || name === undefined) return NOTHING;
    const context = talosconfigContext.safeParse(file.data.contexts?.[name]);
    return context.success ? context.data : NOTHING;
  }
  return NOTHING;
}

const NOTHING = { nodes: [], endpoints: [] };

/**
 * What the tool reads of a talosconfig (talosctl's YAML: `context`, `contexts.<name>.nodes|endpoints`, plus keys
 * and certificates it never touches). Best effort: a list that is not a list reads as empty, an entry that is not
 * a string is dropped, and another context's shape never matters.
 */
const addresses = z.catch(
  z.pipe(
    z.array(z.unknown()),
    z.transform((items) => items.filter((item): item is string => typeof item === "string")),
  ),
  [],
);
const talosconfigFile = z.object({
  context: z.catch(z.optional(z.string()), undefined),
  contexts: z.catch(z.optional(z.record(z.string(), z.unknown())), undefined),
});
const talosconfigContext = z.object({ nodes: addresses, endpoints: addresses });

/** `10.5.0.2:50000` or `[fd00::1]:50000` -> the host alone; anything that is not an endpoint is dropped later. */
function hostOf(endpoint: string): string {
  try {
    validateEndpoint(endpoint);
  } catch {
    return "";
  }
  return endpoint.replace(/^\[(.+)\](:\d+)?$/, "$1").replace(/^([^:]+):\d+$/, "$1");
}

function isValidNode(value: string): boolean {
  try {
    validateNode(value);
    return true;
  } catch {
    return false;
  }
}
