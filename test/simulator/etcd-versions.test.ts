/**
 * What the simulator reads from etcd that changed in 3.6 and 3.7, from replies and output captured from the real
 * builds (scripts/etcd-build 3.6.12 and 3.7.1): no etcd is started here. The same facts over real etcd, on
 * whichever etcd is on PATH, are in test/simulator/etcd.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  parseSnapshotStatus,
  type StatusReply,
  snapshotStatusCommand,
  toMemberStatus,
} from "../../sim/etcd-backend.js";

// etcd 3.6.12's /v3/maintenance/status once `etcdctl downgrade enable 3.5` has run: the storage version follows the
// cluster version down while the server version stays.
const DOWNGRADING_3_6: StatusReply = {
  header: { member_id: "9461976646181938411" },
  version: "3.6.12",
  dbSize: "20480",
  leader: "9461976646181938411",
  raftIndex: "6",
  raftTerm: "2",
  raftAppliedIndex: "6",
  dbSizeInUse: "16384",
  storageVersion: "3.5.0",
};

// etcd 3.4.23's reply: no storageVersion field at all.
const ETCD_3_4: StatusReply = { version: "3.4.23", dbSize: "20480", dbSizeInUse: "16384" };

// The first lines etcdctl 3.6.14 prints for `snapshot status FILE -w json` (exit 0): its help for `snapshot`.
const ETCDCTL_3_6_HELP =
  "NAME:\n  snapshot - Manages etcd node snapshots\n\nUSAGE:\n  etcdctl snapshot <subcommand> [flags]\n";

describe("STORAGE: etcd's own storage version from 3.6 on", () => {
  it("takes the storage version etcd 3.6+ reports, not one made up from the server version", () => {
    expect(toMemberStatus(DOWNGRADING_3_6)).toMatchObject({ version: "3.6.12", storageVersion: "3.5.0" });
    expect(
      toMemberStatus({ ...DOWNGRADING_3_6, version: "3.7.1", storageVersion: "3.7.0" }).storageVersion,
    ).toBe("3.7.0");
  });

  it("makes it up as major.minor.0 where etcd reports none (before 3.6), as Talos does", () => {
    expect(toMemberStatus(ETCD_3_4).storageVersion).toBe("3.4.0");
    expect(toMemberStatus({ ...DOWNGRADING_3_6, version: "3.5.30", storageVersion: "" }).storageVersion).toBe(
      "3.5.0",
    );
    expect(toMemberStatus({}).storageVersion).toBe("unknown");
  });
});

describe("snapshot status: etcdutl where there is one", () => {
  it("asks etcdutl when it is beside etcdctl (etcdctl 3.6+ has no snapshot status), else etcdctl (etcd 3.4)", () => {
    expect(snapshotStatusCommand({ etcdctlPath: "/e/etcdctl", etcdutlPath: "/e/etcdutl" }, "/s.db")).toEqual([
      "/e/etcdutl",
      ["snapshot", "status", "/s.db", "-w", "json"],
    ]);
    expect(snapshotStatusCommand({ etcdctlPath: "/usr/bin/etcdctl", etcdutlPath: null }, "/s.db")[0]).toBe(
      "/usr/bin/etcdctl",
    );
    expect(snapshotStatusCommand({ etcdctlPath: "/usr/bin/etcdctl" }, "/s.db")[0]).toBe("/usr/bin/etcdctl");
  });

  it("reads etcdutl 3.6's JSON, version field and all", () => {
    const out = '{"hash":1420281566,"revision":0,"totalKey":0,"totalSize":20480,"version":"3.6.0"}\n';
    expect(parseSnapshotStatus(out, "etcdutl")).toEqual({
      hash: 1420281566,
      revision: 0,
      totalKey: 0,
      totalSize: 20480,
    });
  });

  it("names the command and its first line when it printed no status (etcdctl 3.6's help, exit 0)", () => {
    expect(() => parseSnapshotStatus(ETCDCTL_3_6_HELP, "etcdctl snapshot status /s.db -w json")).toThrow(
      'etcdctl snapshot status /s.db -w json printed no snapshot status (first line: "NAME:")',
    );
    expect(() => parseSnapshotStatus('{"hash":"x"}', "etcdutl")).toThrow(/printed no snapshot status/);
  });
});
