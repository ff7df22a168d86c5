/**
 * `check --upgrade-to` and the recent-snapshot item through main(), from recorded talosctl text: go, no-go and an
 * unknown release for each new item, the usage error, the JSON (`upgrade`, `recentSnapshot`), and that check
 * stays read-only (no snapshot taken, nothing written into --snapshot-dir).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Checklist } from "../../src/cluster/checklist.js";
import type { RecentSnapshotReport } from "../../src/cluster/snapshot-item.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { UpgradeReport } from "../../src/cluster/upgrade-items.js";
import { defaultSnapshotLabel } from "../../src/run/snapshot.js";
import { formatSnapshotName } from "../../src/run/snapshot-file.js";
import { useTempDir } from "../support/temp-dir.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";
import { createStatefulCluster, NODES } from "./stateful-exec.js";

const tempDir = useTempDir("ted-check-upgrade-");

type CheckDoc = Checklist & {
  go: boolean;
  upgrade?: UpgradeReport;
  recentSnapshot?: RecentSnapshotReport;
  status: ClusterView;
};

/** The fixtures' three members: what names their snapshots when no --context is given. */
const FIXTURE_IDS = ["a49c021e76e707db", "ecebb05b59a776f1", "0b47fb33e59bf0e2"];
const LABEL = defaultSnapshotLabel({
  members: FIXTURE_IDS.map((memberId) => ({ memberId })),
  clusterMemberIds: [...FIXTURE_IDS].sort(),
} as ClusterView);

async function runFixture(key: string, args: string[], nodes = NODES) {
  const [release, scenario] = key.split("/") as [string, string];
  const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
  const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", nodes, ...args], rec.io);
  return { code, rec };
}

async function json(key: string, args: string[], nodes = NODES) {
  const { code, rec } = await runFixture(key, ["-o", "json", "check", ...args], nodes);
  const doc = JSON.parse(rec.stdout()) as CheckDoc;
  return { code, doc, rec, item: (name: string) => doc.items.find((i) => i.name === name) };
}

/** A snapshot file of ours, `ageMs` old by its name, whole pages then their SHA-256 (`damaged`: one bit flipped). */
async function writeSnapshot(dir: string, ageMs: number, damaged = false, label = LABEL): Promise<string> {
  await mkdir(dir, { recursive: true });
  const body = Buffer.alloc(4 * 512, 7);
  const digest = createHash("sha256").update(body).digest();
  if (damaged) body[0] = 8;
  const path = join(dir, formatSnapshotName(label, new Date(Date.now() - ageMs)));
  await writeFile(path, Buffer.concat([body, digest]));
  return path;
}

const HOUR = 3_600_000;

describe("the issue's two cases", () => {
  it("etcd 3.5.18 -> v1.11.1 fails target etcd (20271) and the upgrade path (20967/19557), exit 3", async () => {
    const dir = join(tempDir(), "snaps");
    await writeSnapshot(dir, HOUR);
    const { code, doc, item } = await json("v1.10/etcd-3.5.18", [
      "--upgrade-to",
      "v1.11.1",
      "--snapshot-dir",
      dir,
    ]);
    expect(code).toBe(3);
    expect(doc.verdict).toBe("no-go");
    expect(item("target etcd")).toMatchObject({ status: "fail" });
    expect(item("target etcd")?.detail).toMatch(
      /^v1\.11\.1 ships etcd 3\.6\.4: etcd issue 20271: .*: choose v1\.11\.3 or later$/,
    );
    expect(item("etcd upgrade path")).toMatchObject({ status: "fail" });
    expect(item("etcd upgrade path")?.detail).toMatch(
      /^etcd 3\.5\.18 -> 3\.6\.4: etcd issue 20967\/19557: .*zombie members.*too many learner member in cluster"; take a snapshot before each step: v1\.10\.9 \(etcd 3\.5\.26: .*\), then v1\.11\.1 \(etcd 3\.6\.4: the next minor; the target\)$/,
    );
    expect(item("recent snapshot")?.status).toBe("pass");
    expect(doc.upgrade).toMatchObject({
      target: "v1.11.1",
      release: "v1.11.1",
      known: true,
      etcdVersion: "3.6.4",
      freeRelease: "v1.11.3",
      path: [
        {
          from: "3.5.18",
          to: "3.6.4",
          status: "fail",
          rule: "etcd-20967",
          issues: [20967, 19557],
          route: [
            {
              release: "v1.10.9",
              etcd: "3.5.26",
              reason: expect.stringMatching(/3\.5\.26 or later before 3\.6/),
            },
            { release: "v1.11.1", etcd: "3.6.4", reason: "the next minor; the target" },
          ],
        },
      ],
    });
    expect(doc.upgrade?.advisories.map((a) => a.id)).toEqual(["etcd-io/etcd#20271"]);
  });

  it("etcd 3.5.21 with a fresh snapshot -> installer v1.11.3 is no-go: the way goes through v1.10.9 (etcd 20967), exit 3", async () => {
    const dir = join(tempDir(), "snaps");
    await writeSnapshot(dir, HOUR);
    const { code, doc, item } = await json("v1.10/healthy-3", [
      "--upgrade-to",
      "ghcr.io/siderolabs/installer:v1.11.3",
      "--snapshot-dir",
      dir,
    ]);
    expect(code).toBe(3);
    expect(doc.verdict).toBe("no-go");
    expect(
      ["target etcd", "etcd upgrade path", "recent snapshot", "rolling reboots"].map((n) => item(n)?.status),
    ).toEqual(["pass", "fail", "pass", "pass"]);
    expect(item("etcd upgrade path")?.detail).toBe(
      "etcd 3.5.21 -> 3.6.5: etcd issue 20967: members removed long ago can come back in etcd 3.6 and join the quorum (zombie members); take a snapshot before each step: v1.10.9 (etcd 3.5.26: a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967), then v1.11.3 (etcd 3.6.5: the next minor; the target)",
    );
    expect(doc.upgrade?.path).toEqual([
      expect.objectContaining({
        from: "3.5.21",
        to: "3.6.5",
        status: "fail",
        rule: "etcd-20967",
        issues: [20967],
        route: [
          {
            release: "v1.10.9",
            etcd: "3.5.26",
            reason: "a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967",
          },
          { release: "v1.11.3", etcd: "3.6.5", reason: "the next minor; the target" },
        ],
      }),
    ]);
  });

  it("etcd 3.5.26 (Talos v1.10.9) with a fresh snapshot -> installer v1.11.3 is go, exit 0", async () => {
    const dir = join(tempDir(), "snaps");
    const path = await writeSnapshot(dir, HOUR, false, "lean");
    const { cluster, nodes } = leanCluster("3.5.26");
    const rec = recordIO(() => cluster.exec);
    const code = await main(
      [
        "--talosctl",
        ANY_EXECUTABLE,
        "-n",
        nodes,
        "--context",
        "lean",
        "-o",
        "json",
        "check",
        "--upgrade-to",
        "ghcr.io/siderolabs/installer:v1.11.3",
        "--snapshot-dir",
        dir,
      ],
      rec.io,
    );
    const doc = JSON.parse(rec.stdout()) as CheckDoc;
    const item = (name: string) => doc.items.find((i) => i.name === name);
    expect(code).toBe(0);
    expect(doc.verdict).toBe("go");
    expect(
      ["target etcd", "etcd upgrade path", "recent snapshot", "rolling reboots"].map((n) => item(n)?.status),
    ).toEqual(["pass", "pass", "pass", "pass"]);
    expect(doc.items.slice(-4).map((i) => i.name)).toEqual([
      "target etcd",
      "etcd upgrade path",
      "recent snapshot",
      "rolling reboots",
    ]);
    expect(item("etcd upgrade path")?.detail).toBe(
      "etcd 3.5.26 -> 3.6.5: the next minor; no known hazard on this step",
    );
    expect(doc.recentSnapshot).toMatchObject({
      path,
      label: "lean",
      sha256Verified: true,
      ok: true,
      error: null,
    });
    expect(doc.upgrade).toMatchObject({
      release: "v1.11.3",
      etcdVersion: "3.6.5",
      votingMembers: 3,
      toleratesDown: 1,
      path: [
        {
          from: "3.5.26",
          rule: "next-minor",
          route: [{ release: "v1.11.3", etcd: "3.6.5", reason: "the next minor; the target" }],
        },
      ],
    });
  });

  it("the way through v1.10.9 fits an 80-column table, said once", async () => {
    const dir = join(tempDir(), "snaps");
    const { cluster, nodes } = leanCluster("3.5.21");
    const rec = recordIO(() => cluster.exec, { stdoutWidth: 80, stderrWidth: 80 });
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", nodes, "check", "--upgrade-to", "v1.11.3", "--snapshot-dir", dir],
      rec.io,
    );
    expect(code).toBe(3);
    const out = rec.stdout();
    for (const line of out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    const flat = out.replace(/\n {7}/g, " ");
    expect(flat).toContain(
      "[FAIL] etcd upgrade path: etcd 3.5.21 -> 3.6.5: etcd issue 20967: members removed long ago can come back in etcd 3.6 and join the quorum (zombie members); take a snapshot before each step: v1.10.9 (etcd 3.5.26: a newer patch; etcd 3.5.26 or later before 3.6, etcd issue 20967), then v1.11.3 (etcd 3.6.5: the next minor; the target)",
    );
    expect(flat.match(/take a snapshot before each step/g)).toHaveLength(1);
  });
});

/** Three lean members (little to defragment) reporting etcd `etcdVersion`. */
function leanCluster(etcdVersion: string) {
  const members = ["172.20.0.2", "172.20.0.3", "172.20.0.4"].map((node, i) => ({
    node,
    memberId: FIXTURE_IDS[i] ?? "",
    hostname: `cp${i + 1}`,
    dbSize: 100e6,
    dbSizeInUse: 95e6,
  }));
  const cluster = createStatefulCluster(members, "172.20.0.3");
  cluster.knobs.etcdVersion = etcdVersion;
  return { cluster, nodes: members.map((m) => m.node).join(",") };
}

describe("each new item: go, no-go, unknown", () => {
  it("an unknown Talos release is said to be unknown, never guessed: no-go", async () => {
    const dir = join(tempDir(), "snaps");
    await writeSnapshot(dir, HOUR);
    const { code, doc, item } = await json("v1.13/healthy-3", [
      "--upgrade-to",
      "v1.13.10",
      "--snapshot-dir",
      dir,
    ]);
    expect(code).toBe(3);
    expect(item("target etcd")?.detail).toMatch(/^v1\.13\.10 is unknown: not in this tool's table/);
    expect(item("etcd upgrade path")).toMatchObject({ status: "warn", informational: true });
    expect(doc.upgrade).toMatchObject({ known: false, etcdVersion: null, path: [] });
  });

  it("a downgrade of the etcd minor is no-go (3.6.5 -> v1.10.9's 3.5.26)", async () => {
    const { code, item } = await json("v1.13/healthy-3", [
      "--upgrade-to",
      "1.10.9",
      "--snapshot-dir",
      tempDir(),
    ]);
    expect(code).toBe(3);
    expect(item("target etcd")?.status).toBe("pass");
    expect(item("etcd upgrade path")?.detail).toMatch(
      /^etcd 3\.6\.5 -> 3\.5\.26 lowers the etcd minor: etcd needs its downgrade procedure/,
    );
  });

  it("an unknown running etcd (digest-pinned image) leaves the path unchecked: no-go", async () => {
    const { code, item } = await json("v1.10/etcd-digest", [
      "--upgrade-to",
      "v1.11.3",
      "--snapshot-dir",
      tempDir(),
    ]);
    expect(code).toBe(3);
    expect(item("etcd upgrade path")?.detail).toMatch(/running etcd version is unknown/);
  });

  it.each<[string, number, boolean, RegExp]>([
    [
      "none",
      -1,
      false,
      /^no snapshot of ours for cluster-[0-9a-f]{8} in .*: take one with `talos-etcd-defrag snapshot`$/,
    ],
    [
      "too old",
      25 * HOUR,
      false,
      /is 25h old \(over --snapshot-max-age 24h\): take one with `talos-etcd-defrag snapshot`$/,
    ],
    [
      "damaged",
      HOUR,
      true,
      /does not verify: the SHA-256 of the database does not match its trailer: take one/,
    ],
  ])("recent snapshot: %s fails", async (_, ageMs, damaged, detail) => {
    const dir = join(tempDir(), "snaps");
    if (ageMs >= 0) await writeSnapshot(dir, ageMs, damaged);
    const { code, doc, item } = await json("v1.10/healthy-3", [
      "--upgrade-to",
      "v1.11.3",
      "--snapshot-dir",
      dir,
    ]);
    expect(code).toBe(3);
    expect(item("recent snapshot")?.status).toBe("fail");
    expect(item("recent snapshot")?.detail).toMatch(detail);
    expect(doc.recentSnapshot?.ok).toBe(false);
    expect(doc.recentSnapshot?.error).not.toBeNull();
  });

  it("only the newest snapshot counts, and only ours for this cluster", async () => {
    const dir = join(tempDir(), "snaps");
    await writeSnapshot(dir, 30 * HOUR);
    const fresh = await writeSnapshot(dir, 2 * HOUR);
    // Another cluster's newer file and a file that is not ours are ignored.
    await writeFile(join(dir, formatSnapshotName("other", new Date())), "x");
    await writeFile(join(dir, "etcd-backup.db"), "x");
    const { item, doc } = await json("v1.10/healthy-3", ["--snapshot-max-age", "3h", "--snapshot-dir", dir]);
    expect(item("recent snapshot")).toMatchObject({ status: "pass" });
    expect(doc.recentSnapshot).toMatchObject({ path: fresh, maxAgeMs: 3 * HOUR });
    expect(item("recent snapshot")?.detail).toMatch(/, 2h old, sha256 verified$/);
  });

  it("rolling reboots warns on a single voter without changing the verdict", async () => {
    const dir = join(tempDir(), "snaps");
    // Named by --context here: a snapshot taken with it is found with it.
    await writeSnapshot(dir, HOUR, false, "homelab");
    const single = await json(
      "v1.14/single-node",
      ["--context", "homelab", "--upgrade-to", "v1.13.9", "--snapshot-dir", dir],
      "172.20.0.2",
    );
    expect(single.item("rolling reboots")).toMatchObject({ status: "warn", informational: true });
    expect(single.item("rolling reboots")?.detail).toMatch(/1 voting member etcd tolerates 0 down/);
    // A warning that only informs: the single-node cluster is otherwise go (learners: test/cluster/upgrade.test.ts).
    expect(single.code).toBe(0);
    expect(single.doc.upgrade).toMatchObject({ votingMembers: 1, toleratesDown: 0 });
  });
});

describe("flags and what check leaves alone", () => {
  it.each(["latest", "v1.11", "ghcr.io/siderolabs/installer:latest", "v1.14.0-rc.1"])(
    "--upgrade-to %s is a usage error showing the accepted forms, before any talosctl call",
    async (bad) => {
      const { code, rec } = await runFixture("v1.10/healthy-3", ["check", "--upgrade-to", bad]);
      expect(code).toBe(2);
      expect(rec.calls).toEqual([]);
      expect(rec.stdout()).toBe("");
      expect(rec.stderr()).toContain(`error: invalid --upgrade-to "${bad}"`);
      expect(rec.stderr()).toMatch(
        /hint: accepted forms: v1\.11\.3 or 1\.11\.3 .*ghcr\.io\/siderolabs\/installer:v1\.11\.3.*factory\.talos\.dev\/installer\/<schematic>:v1\.11\.3/,
      );
    },
  );

  it.each([
    ["--snapshot-max-age", "0"],
    ["--snapshot-max-age", "soon"],
    ["--min-reclaim", "lots"],
  ])("%s %s is a usage error", async (flag, value) => {
    const { code, rec } = await runFixture("v1.10/healthy-3", ["check", flag, value]);
    expect(code).toBe(2);
    expect(rec.calls).toEqual([]);
  });

  it("without --upgrade-to and --snapshot-max-age check is as before: no new item, no new field", async () => {
    const { code, doc } = await json("v1.10/healthy-3", []);
    expect(code).toBe(0);
    expect(doc.items.map((i) => i.name)).not.toEqual(
      expect.arrayContaining(["target etcd", "etcd upgrade path", "recent snapshot", "rolling reboots"]),
    );
    expect(doc).not.toHaveProperty("upgrade");
    expect(doc).not.toHaveProperty("recentSnapshot");
  });

  it("is read-only: takes no snapshot and creates nothing in --snapshot-dir", async () => {
    const dir = join(tempDir(), "missing", "snaps");
    const { code, rec } = await runFixture("v1.10/healthy-3", [
      "check",
      "--upgrade-to",
      "v1.11.3",
      "--snapshot-dir",
      dir,
    ]);
    expect(code).toBe(3);
    expect(rec.calls.some((argv) => argv.includes("snapshot"))).toBe(false);
    expect(await readdir(tempDir())).toEqual([]);
    // The table says each new item once, with the command that takes a snapshot.
    expect(rec.stdout()).toMatch(/\[FAIL\] recent snapshot: no snapshot of ours/);
    expect(rec.stdout()).toContain("talos-etcd-defrag snapshot");
  });
});
