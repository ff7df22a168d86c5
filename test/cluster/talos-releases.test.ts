/**
 * The Talos release -> etcd table (src/cluster/talos-releases.ts), held against a second transcription of the
 * facts: DefaultEtcdVersion in pkg/machinery/constants/constants.go at every release tag of siderolabs/talos,
 * one release per entry as read tag by tag (the table itself stores ranges).
 */
import { describe, expect, it } from "vitest";
import { advisoriesForVersion } from "../../src/cluster/advisories.js";
import {
  findTalosRelease,
  firstReleaseFrom,
  parseTalosRelease,
  TALOS_RELEASES,
  tableSpan,
} from "../../src/cluster/talos-releases.js";

const READ_AT_EACH_TAG = `
  v1.4.0=3.5.8 v1.4.1=3.5.8 v1.4.2=3.5.8 v1.4.3=3.5.8 v1.4.4=3.5.8 v1.4.5=3.5.9 v1.4.6=3.5.9
  v1.4.7=3.5.9 v1.4.8=3.5.9 v1.5.0=3.5.9 v1.5.1=3.5.9 v1.5.2=3.5.9 v1.5.3=3.5.9 v1.5.4=3.5.9
  v1.5.5=3.5.10 v1.5.6=3.5.10 v1.6.0=3.5.11 v1.6.1=3.5.11 v1.6.2=3.5.11 v1.6.3=3.5.11 v1.6.4=3.5.11
  v1.6.5=3.5.11 v1.6.6=3.5.11 v1.6.7=3.5.11 v1.6.8=3.5.11 v1.7.0=3.5.13 v1.7.1=3.5.13 v1.7.2=3.5.13
  v1.7.3=3.5.13 v1.7.4=3.5.13 v1.7.5=3.5.13 v1.7.6=3.5.13 v1.7.7=3.5.13 v1.8.0=3.5.16 v1.8.1=3.5.16
  v1.8.2=3.5.16 v1.8.3=3.5.16 v1.8.4=3.5.17 v1.9.0=3.5.17 v1.9.1=3.5.17 v1.9.2=3.5.17 v1.9.3=3.5.18
  v1.9.4=3.5.18 v1.9.5=3.5.19 v1.9.6=3.5.21 v1.10.0=3.5.21 v1.10.1=3.5.21 v1.10.2=3.5.21
  v1.10.3=3.5.21 v1.10.4=3.5.21 v1.10.5=3.5.21 v1.10.6=3.5.21 v1.10.7=3.5.21 v1.10.8=3.5.21
  v1.10.9=3.5.26 v1.11.0=3.6.4 v1.11.1=3.6.4 v1.11.2=3.6.4 v1.11.3=3.6.5 v1.11.4=3.6.5 v1.11.5=3.6.5
  v1.11.6=3.6.5 v1.12.0=3.6.7 v1.12.1=3.6.7 v1.12.2=3.6.7 v1.12.3=3.6.7 v1.12.4=3.6.7 v1.12.5=3.6.8
  v1.12.6=3.6.8 v1.12.7=3.6.9 v1.12.8=3.6.11 v1.12.9=3.6.11 v1.12.10=3.6.11 v1.12.11=3.6.11
  v1.13.0=3.6.9 v1.13.1=3.6.11 v1.13.2=3.6.11 v1.13.3=3.6.11 v1.13.4=3.6.12 v1.13.5=3.6.12
  v1.13.6=3.6.12 v1.13.7=3.6.12 v1.13.8=3.6.12 v1.13.9=3.6.12 v1.14.1=3.7.1
`
  .trim()
  .split(/\s+/)
  .map((pair) => pair.split("=") as [string, string]);

describe("the Talos release table", () => {
  it("holds exactly the releases read at the tags, each with the etcd its constants.go names", () => {
    expect(TALOS_RELEASES.map((r) => [r.name, r.etcd])).toEqual(READ_AT_EACH_TAG);
    expect(READ_AT_EACH_TAG).toHaveLength(85);
  });

  it.each([
    ["v1.9.0", "3.5.17"],
    ["1.9.3", "3.5.18"],
    ["v1.9.6", "3.5.21"],
    ["v1.10.0", "3.5.21"],
    ["v1.10.9", "3.5.26"],
    ["v1.11.1", "3.6.4"],
    ["v1.11.3", "3.6.5"],
    ["v1.13.0", "3.6.9"],
    ["v1.14.1", "3.7.1"],
  ])("%s ships etcd %s", (release, etcd) => {
    const version = parseTalosRelease(release);
    expect(version).not.toBeNull();
    expect(findTalosRelease(version ?? [0, 0, 0])?.etcd).toBe(etcd);
  });

  // v1.14.0: the module proxy serves the tag without pkg/machinery, so its constant was never read.
  it.each(["v1.3.7", "v1.13.10", "v1.14.0", "v1.14.2", "v2.0.0"])(
    "%s is not in the table: unknown, never guessed",
    (r) => {
      expect(findTalosRelease(parseTalosRelease(r) ?? [0, 0, 0])).toBeUndefined();
    },
  );

  it("says what it covers", () => expect(tableSpan()).toBe("v1.4.0–v1.14.1"));

  it("parses releases with or without v, nothing else", () => {
    expect(parseTalosRelease("v1.11.3")).toEqual([1, 11, 3]);
    expect(parseTalosRelease("1.11.3")).toEqual([1, 11, 3]);
    for (const bad of ["v1.11", "v1.14.0-rc.1", "latest", "vv1.11.3", ""])
      expect(parseTalosRelease(bad)).toBeNull();
  });

  it.each([
    // Within the target's own line first, then the first later line that has one.
    ["v1.11.0", "v1.11.3"],
    ["v1.11.2", "v1.11.3"],
    ["v1.10.0", "v1.10.9"],
    ["v1.9.0", "v1.10.9"],
    ["v1.4.0", "v1.10.9"],
  ])("the first release from %s whose etcd has no known defrag hazard is %s", (from, free) => {
    const found = firstReleaseFrom(
      parseTalosRelease(from) ?? [0, 0, 0],
      (e) => advisoriesForVersion(e).length === 0,
    );
    expect(found?.name).toBe(free);
  });
});
