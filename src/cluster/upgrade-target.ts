/**
 * `check --upgrade-to VERSION`: the Talos release an upgrade goes to, as the operator writes it. Either the
 * release (`v1.11.3`, `1.11.3`) or the installer image given to `talosctl upgrade --image`:
 * `ghcr.io/siderolabs/installer:v1.11.3` or `factory.talos.dev/installer/<schematic>:v1.11.3` (also
 * `metal-installer` and the `-secureboot` images). Pure.
 */

import { parseTalosRelease } from "./talos-releases.js";
import type { Version } from "./versions.js";

export interface UpgradeTarget {
  /** As given. */
  input: string;
  version: Version;
}

const INSTALLERS = new Set([
  "installer",
  "installer-secureboot",
  "metal-installer",
  "metal-installer-secureboot",
]);

/** What the usage error shows. */
export const UPGRADE_TO_FORMS = [
  "v1.11.3 or 1.11.3 (a Talos release)",
  "ghcr.io/siderolabs/installer:v1.11.3",
  "factory.talos.dev/installer/<schematic>:v1.11.3 (also metal-installer)",
] as const;

/** null when the text is none of the accepted forms. */
export function parseUpgradeTarget(input: string): UpgradeTarget | null {
  const text = input.trim();
  const direct = /^v?\d+\.\d+\.\d+$/.test(text) ? parseTalosRelease(text) : null;
  if (direct !== null) return { input, version: direct };
  const image = /^([a-z0-9.-]+(?::\d+)?)\/([a-z0-9._/-]+):(v?\d+\.\d+\.\d+)(?:@sha256:[0-9a-f]{64})?$/.exec(
    text,
  );
  if (image === null) return null;
  const [, registry = "", path = "", tag = ""] = image;
  // A registry host has a dot or a port; `siderolabs/installer:v1.11.3` without one is Docker Hub's, not Talos's.
  if (!/[.:]/.test(registry)) return null;
  const parts = path.split("/");
  const last = parts[parts.length - 1] ?? "";
  const beforeLast = parts[parts.length - 2] ?? "";
  const installer = INSTALLERS.has(last) || (INSTALLERS.has(beforeLast) && /^[0-9a-f]{64}$/.test(last));
  const version = parseTalosRelease(tag);
  return installer && version !== null ? { input, version } : null;
}
