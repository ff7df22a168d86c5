import { describe, expect, it } from "vitest";
import {
  ADVISORIES,
  advisoriesFor,
  briefAdvisories,
  catchUpMarginFor,
  describeAdvisory,
} from "../../src/cluster/advisories.js";
import type { MemberView } from "../../src/cluster/types.js";
import { compareVersions, describeVersions, inRange, parseVersion } from "../../src/cluster/versions.js";
import { CATCH_UP_MARGIN } from "../../src/policy.js";
import { wrapText } from "../../src/render/text.js";
import { member } from "../plan/views.js";

const on = (version: string | null, node = "10.0.0.1", over: Partial<MemberView> = {}) =>
  member(node, { etcdVersion: version, ...over });
const idsFor = (version: string) => advisoriesFor([on(version)]).map((a) => a.issues[0]);

describe("advisoriesFor: the known defrag hazards of an etcd version", () => {
  it.each<[string, number[]]>([
    // Talos defaults (docs/TALOSCTL.md): v1.10.0–1.10.8 and v1.11.0–1.11.2 are affected by 20271.
    ["3.5.21", [20271]],
    ["3.6.4", [20271]],
    ["3.5.26", []],
    ["3.6.5", []],
    ["3.6.12", []],
    ["3.7.1", []],
    ["3.5.17", [20271]],
    // Each line's fix, and the last version before it.
    ["3.5.22", [20271]],
    ["3.5.23", []],
    ["3.4.37", [20271]],
    ["3.4.38", []],
    ["3.6.0", [20271]],
    // Our real-etcd tests run 3.4.23: 20271 and the defrag error paths fixed in 3.4.35.
    ["3.4.23", [20271, 18842]],
    ["3.4.34", [20271, 18842]],
    ["3.4.35", [20271]],
    ["3.5.16", [20271, 18842]],
    ["3.5.5", [20271, 14733, 18842]],
    ["3.5.6", [20271, 18842]],
    ["3.5.0", [20271, 14733, 18842]],
    // End-of-life lines never got the fixes; 14733 was a 3.5 regression.
    ["3.3.27", [20271, 18842]],
  ])("%s -> %j", (version, issues) => {
    expect(idsFor(version)).toEqual(issues);
  });

  it("names the upstream issue, the affected ranges, the fixes and the Talos release with a fixed etcd", () => {
    const [advisory] = advisoriesFor([on("3.5.21")]);
    expect(advisory).toMatchObject({
      id: "etcd-io/etcd#20271",
      issues: [20271],
      url: "https://github.com/etcd-io/etcd/issues/20271",
      etcdVersions: "<3.4.38 || >=3.5.0 <3.5.23 || >=3.6.0 <3.6.5",
      fixedIn: ["3.4.38", "3.5.23", "3.6.5"],
      talosFixedIn: ["v1.10.9 (etcd 3.5.26)", "v1.11.3 (etcd 3.6.5)"],
      waitsForCatchUp: true,
      members: [{ node: "10.0.0.1", memberId: "0000000000000001", etcdVersion: "3.5.21" }],
    });
    expect(advisory?.summary).toMatch(/raft snapshot .* defragmented .* corrupt/);
  });

  it("lists only the members on an affected version, and none with an unknown one", () => {
    const members = [on("3.6.5", "10.0.0.1"), on("3.6.4", "10.0.0.2"), on(null, "10.0.0.3")];
    const advisories = advisoriesFor(members);
    expect(advisories.map((a) => a.members.map((m) => m.node))).toEqual([["10.0.0.2"]]);
  });

  it("every table entry is consistent: each fix ends an affected range, and fixed versions are not affected", () => {
    for (const entry of ADVISORIES) {
      for (const fixed of entry.fixedIn) {
        expect(entry.affected.some((r) => r.below === fixed)).toBe(true);
        expect(entry.affected.some((r) => inRange(fixed, r))).toBe(false);
      }
      for (const t of entry.talos) expect(entry.affected.some((r) => inRange(t.etcd, r))).toBe(false);
    }
  });
});

describe("describeAdvisory", () => {
  it("names the issue, the fix on the member's own line and the Talos release that ships it", () => {
    const members = [on("3.6.4", "10.0.0.1"), on("3.6.4", "10.0.0.2")];
    const [advisory] = advisoriesFor(members);
    if (advisory === undefined) throw new Error("no advisory");
    const text = describeAdvisory(advisory, members.length);
    expect(text).toMatch(/^etcd issue 20271 affects etcd 3\.6\.4 on every member: /);
    expect(text).toMatch(/Fixed in etcd 3\.6\.5 \(Talos v1\.11\.3 ships 3\.6\.5\)\.$/);
    expect(text).not.toMatch(/3\.5\.23|v1\.10\.9/);
  });

  it("names each affected member when not all are, and every fix line when Talos never shipped the member's", () => {
    const members = [on("3.4.23", "10.0.0.1"), on("3.6.12", "10.0.0.2")];
    const [advisory] = advisoriesFor(members);
    if (advisory === undefined) throw new Error("no advisory");
    const text = describeAdvisory(advisory, members.length);
    expect(text).toMatch(/affects etcd 3\.4\.23 on 10\.0\.0\.1:/);
    expect(text).toMatch(
      /Fixed in etcd 3\.4\.38 \(Talos v1\.10\.9 ships 3\.5\.26, Talos v1\.11\.3 ships 3\.6\.5\)/,
    );
  });
});

describe("briefAdvisories: one line per advisory (several on the same members share one)", () => {
  const three = (version: string) => ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((node) => on(version, node));
  const brief = (members: MemberView[]) => briefAdvisories(advisoriesFor(members), members.length);

  it("says the issues, what they mean for this run, the Talos fix and where the details are", () => {
    expect(brief(three("3.4.23"))).toEqual([
      "advisory: etcd 3.4.23 has etcd#20271 and etcd#18842: defrag waits for every voter to catch up; fixed in Talos v1.10.9 / v1.11.3; details: check",
    ]);
    expect(brief(three("3.5.21"))).toEqual([
      "advisory: etcd 3.5.21 has etcd#20271: defrag waits for every voter to catch up; fixed in Talos v1.10.9; details: check",
    ]);
    // The Talos release free of every advisory on the line: v1.10.9, not v1.9.0 (which fixed 18842 alone).
    expect(brief(three("3.5.3"))[0]).toMatch(
      /^advisory: etcd 3\.5\.3 has etcd#20271, etcd#14733 and etcd#18842: .*; fixed in Talos v1\.10\.9; details: check$/,
    );
    expect(brief(three("3.6.12"))).toEqual([]);
  });

  it("gives members on other versions their own line, and says how many members one covers", () => {
    const mixed = [on("3.5.21", "10.0.0.1"), on("3.5.21", "10.0.0.2"), on("3.6.12", "10.0.0.3")];
    expect(brief(mixed)).toEqual([
      "advisory: etcd 3.5.21 on 2 of 3 members has etcd#20271: defrag waits for every voter to catch up; fixed in Talos v1.10.9; details: check",
    ]);
  });

  const versions = ["3.4", "3.5", "3.6"].flatMap((line) =>
    Array.from({ length: 41 }, (_, patch) => `${line}.${patch}`),
  );
  it.each(versions)("etcd %s: each line fits 80 columns in at most two lines", (version) => {
    for (const line of brief(three(version)))
      expect(wrapText(line, 80, "  ").length, line).toBeLessThanOrEqual(2);
  });
});

describe("catchUpMarginFor", () => {
  const marginOf = (members: MemberView[]) =>
    catchUpMarginFor({ members, advisories: advisoriesFor(members) });

  it.each<[string, MemberView[], number | undefined]>([
    ["every voter on a fixed etcd", [on("3.6.12", "10.0.0.1"), on("3.6.5", "10.0.0.2")], undefined],
    ["one voter affected by 20271", [on("3.6.12", "10.0.0.1"), on("3.6.4", "10.0.0.2")], CATCH_UP_MARGIN],
    ["a voter whose version is unknown", [on("3.6.12", "10.0.0.1"), on(null, "10.0.0.2")], CATCH_UP_MARGIN],
    [
      "an affected or unknown learner only (it is never defragmented)",
      [
        on("3.6.12", "10.0.0.1"),
        on("3.6.4", "10.0.0.2", { isLearner: true }),
        on(null, "10.0.0.3", { isLearner: true }),
      ],
      undefined,
    ],
  ])("%s", (_, members, margin) => {
    expect(marginOf(members)).toBe(margin);
  });

  it("is decided by the advisory's data, not its issue number", () => {
    const members = [on("3.6.12", "10.0.0.1")];
    const advisory = {
      ...(advisoriesFor([on("3.5.5")]).find((a) => a.issues[0] === 14733) ?? expect.unreachable()),
      members: [{ node: "10.0.0.1", memberId: "0000000000000001", etcdVersion: "3.6.12" }],
    };
    // 14733 is about a crash during defrag, not about snapshots: nothing to wait for.
    expect(advisory.waitsForCatchUp).toBe(false);
    expect(catchUpMarginFor({ members, advisories: [advisory] })).toBeUndefined();
    expect(catchUpMarginFor({ members, advisories: [{ ...advisory, waitsForCatchUp: true }] })).toBe(
      CATCH_UP_MARGIN,
    );
  });
});

describe("versions", () => {
  it("compares numerically, not as text", () => {
    const v = (t: string) => parseVersion(t) ?? [0, 0, 0];
    expect(compareVersions(v("3.5.9"), v("3.5.23"))).toBeLessThan(0);
    expect(compareVersions(v("3.10.0"), v("3.9.99"))).toBeGreaterThan(0);
    expect(compareVersions(v("3.6.5"), v("3.6.5"))).toBe(0);
    expect(parseVersion("3.6")).toBeNull();
  });

  it("says which member runs what", () => {
    expect(describeVersions([on("3.6.5", "a"), on("3.6.5", "b")])).toBe("3.6.5 on every member");
    expect(describeVersions([on(null, "a"), on("3.6.5", "b"), on("3.6.4", "c"), on("3.6.5", "d")])).toBe(
      "3.6.5 on b, d; 3.6.4 on c; unknown on a",
    );
  });
});
