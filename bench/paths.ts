/** Where things are, whether the bench runs compiled (dist-tools/bench) or from source (vitest). */
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${sep}dist-tools${sep}`) ? resolve(here, "../..") : resolve(here, "..");
}

/** The launcher a user runs: bin/talos-etcd-defrag.js (imports the built dist/). */
export function cliPath(): string {
  return join(repoRoot(), "bin", "talos-etcd-defrag.js");
}
