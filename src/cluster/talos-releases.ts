/**
 * The etcd each Talos release ships, as data: `DefaultEtcdVersion` in `pkg/machinery/constants/constants.go` at
 * its release tag of siderolabs/talos. Two sources, both the constant itself:
 * - v1.4.0 to v1.13.9 (with v1.12.11, v1.11.6, v1.10.9): read in the Talos sources at every release tag.
 * - every tag the Go module proxy serves, read by scripts/talos-releases (a Go program importing
 *   github.com/siderolabs/talos/pkg/machinery/constants at each tag; its output, go-builds/talos-releases/
 *   DEFAULT_ETCD, is committed and test/cluster/talos-releases-table.test.ts holds this table to it). That adds
 *   v1.14.1. The proxy serves v1.14.0 only without pkg/machinery, so its constant could not be read: it is not here.
 * A release that is not in the table is unknown: never guessed from its neighbours. docs/TALOSCTL.md ("Default
 * etcd of each Talos release") holds the same table for a person. Pure.
 */
import { compareVersions, parseVersion, type Version } from "./versions.js";

/** Consecutive releases of one Talos line that ship the same etcd: [first, last, etcd]. */
const SHIPPED: readonly (readonly [string, string, string])[] = [
  ["v1.4.0", "v1.4.4", "3.5.8"],
  ["v1.4.5", "v1.4.8", "3.5.9"],
  ["v1.5.0", "v1.5.4", "3.5.9"],
  ["v1.5.5", "v1.5.6", "3.5.10"],
  ["v1.6.0", "v1.6.8", "3.5.11"],
  ["v1.7.0", "v1.7.7", "3.5.13"],
  ["v1.8.0", "v1.8.3", "3.5.16"],
  ["v1.8.4", "v1.8.4", "3.5.17"],
  ["v1.9.0", "v1.9.2", "3.5.17"],
  ["v1.9.3", "v1.9.4", "3.5.18"],
  ["v1.9.5", "v1.9.5", "3.5.19"],
  ["v1.9.6", "v1.9.6", "3.5.21"],
  ["v1.10.0", "v1.10.8", "3.5.21"],
  ["v1.10.9", "v1.10.9", "3.5.26"],
  ["v1.11.0", "v1.11.2", "3.6.4"],
  ["v1.11.3", "v1.11.6", "3.6.5"],
  ["v1.12.0", "v1.12.4", "3.6.7"],
  ["v1.12.5", "v1.12.6", "3.6.8"],
  ["v1.12.7", "v1.12.7", "3.6.9"],
  ["v1.12.8", "v1.12.11", "3.6.11"],
  ["v1.13.0", "v1.13.0", "3.6.9"],
  ["v1.13.1", "v1.13.3", "3.6.11"],
  ["v1.13.4", "v1.13.9", "3.6.12"],
  ["v1.14.1", "v1.14.1", "3.7.1"],
];

export interface TalosRelease {
  /** `v1.11.3`. */
  name: string;
  version: Version;
  /** The etcd it ships, `major.minor.patch`. */
  etcd: string;
}

/** `v1.11.3` or `1.11.3` -> [1, 11, 3]; anything else (a pre-release, a branch) -> null. */
export function parseTalosRelease(text: string): Version | null {
  return parseVersion(text.startsWith("v") ? text.slice(1) : text);
}

export function releaseName(version: Version): string {
  return `v${version.join(".")}`;
}

/** Every release in the table, oldest first. */
export const TALOS_RELEASES: readonly TalosRelease[] = SHIPPED.flatMap(([first, last, etcd]) => {
  const from = parseTalosRelease(first);
  const to = parseTalosRelease(last);
  if (from === null || to === null) throw new Error(`bad Talos release range ${first}-${last}`);
  const releases: TalosRelease[] = [];
  for (let patch = from[2]; patch <= to[2]; patch++) {
    const version: Version = [from[0], from[1], patch];
    releases.push({ name: releaseName(version), version, etcd });
  }
  return releases;
}).sort((a, b) => compareVersions(a.version, b.version));

/** The table's release, or undefined when it is not in the table (unknown, never guessed). */
export function findTalosRelease(version: Version): TalosRelease | undefined {
  return TALOS_RELEASES.find((r) => compareVersions(r.version, version) === 0);
}

/** `v1.4.0–v1.14.1`: what the table covers, for a person told that a release is unknown. */
export function tableSpan(): string {
  return `${TALOS_RELEASES[0]?.name ?? "?"}–${TALOS_RELEASES[TALOS_RELEASES.length - 1]?.name ?? "?"}`;
}

/** `v1.11` for v1.11.3: a Talos release line. */
export function talosLineOf(version: Version): string {
  return `v${version[0]}.${version[1]}`;
}

/**
 * The first release at or after `from` whose etcd passes `ok`: first within `from`'s own Talos line, else the
 * first of a later line. Undefined when no release in the table passes.
 */
export function firstReleaseFrom(from: Version, ok: (etcd: string) => boolean): TalosRelease | undefined {
  return TALOS_RELEASES.find((r) => compareVersions(r.version, from) >= 0 && ok(r.etcd));
}
