/**
 * `talosctl get etcdspec etcd -o yaml`: the EtcdSpecs.etcd.talos.dev resource, namespace etcd.
 * extraArgs holds only what the machine config sets; its value shape changed in v1.13
 * (map of strings before, map of {values: [strings]} from v1.13 on). Indentation is go-yaml's 4.
 */
import type { SimConfig } from "./config.js";

const IMAGES: Record<SimConfig["release"], string> = {
  "v1.10": "gcr.io/etcd-development/etcd:v3.5.21",
  "v1.13": "registry.k8s.io/etcd:v3.6.5",
  "v1.14": "registry.k8s.io/etcd:v3.6.5",
};

function renderExtraArgs(config: SimConfig): string[] {
  if (config.quotaBytes === null) return ["    extraArgs: {}"];
  // go-yaml quotes strings that would otherwise read back as numbers.
  const quota = `"${config.quotaBytes}"`;
  if (config.release === "v1.10") return ["    extraArgs:", `        quota-backend-bytes: ${quota}`];
  return [
    "    extraArgs:",
    "        quota-backend-bytes:",
    "            values:",
    `                - ${quota}`,
  ];
}

function renderYaml(config: SimConfig, node: string): string {
  const hostname = config.nodes.find((n) => n.name === node)?.hostname ?? node;
  const lines = [
    `node: ${node}`,
    "metadata:",
    "    namespace: etcd",
    "    type: EtcdSpecs.etcd.talos.dev",
    "    id: etcd",
    "    version: 2",
    "    owner: etcd.SpecController",
    "    phase: running",
    "    created: 2026-01-01T00:00:00Z",
    "    updated: 2026-01-01T00:00:00Z",
    "spec:",
    `    name: ${hostname}`,
    "    advertisedAddresses:",
    `        - ${node}`,
    "    listenPeerAddresses:",
    "        - '::'",
    "    listenClientAddresses:",
    "        - '::'",
    `    image: ${IMAGES[config.release]}`,
    ...renderExtraArgs(config),
  ];
  return `${lines.join("\n")}\n`;
}

/** One node's document (yaml) or table row (anything else; the caller adds the header). */
export function renderEtcdSpec(config: SimConfig, node: string, output: string): string {
  if (output === "yaml") return renderYaml(config, node);
  return `${node}\tetcd\tEtcdSpec\tetcd\t2\n`;
}

export const ETCDSPEC_TABLE_HEADER = "NODE\tNAMESPACE\tTYPE\tID\tVERSION\n";
