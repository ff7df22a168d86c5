/**
 * The nodes and endpoints of the talosconfig context, read only to find another node to ask when the context's
 * node is an etcd learner. Best effort: a file we cannot read or parse yields nothing (talosctl itself reports a
 * broken talosconfig), and nothing from the file but these addresses is ever used or printed.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
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
    try {
      const doc = parse(text) as { context?: unknown; contexts?: Record<string, unknown> } | null;
      const name = target.context ?? (typeof doc?.context === "string" ? doc.context : undefined);
      const context =
        name === undefined ? undefined : (doc?.contexts?.[name] as Record<string, unknown> | undefined);
      return { nodes: stringsOf(context?.nodes), endpoints: stringsOf(context?.endpoints) };
    } catch {
      return { nodes: [], endpoints: [] };
    }
  }
  return { nodes: [], endpoints: [] };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

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
