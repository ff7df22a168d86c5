/** `status` end to end in-process: talosctl output from every fixture -> table and JSON, with exit codes. */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ClusterView } from "../../src/cluster/types.js";
import { displayWidth } from "../../src/render/text.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";

const NODES = "172.20.0.2,172.20.0.3,172.20.0.4,172.20.0.5,172.20.0.6";

interface Expectation {
  exit: number;
  members?: number;
  leader?: string | null;
  problems?: string[];
  unreachable?: string[];
  alarms?: string[];
  recommended?: string[];
  /** Each member's etcdVersion, by node. */
  versions?: Record<string, string | null>;
  /** The advisories' ids. */
  advisories?: string[];
}

const HEALTHY3: Expectation = {
  exit: 0,
  members: 3,
  leader: "172.20.0.3",
  problems: [],
  unreachable: [],
  alarms: [],
  recommended: [],
};
const UNREACHABLE: Expectation = {
  exit: 0,
  members: 2,
  leader: "172.20.0.3",
  problems: ["unreachable"],
  unreachable: ["172.20.0.4"],
};
const NO_LEADER: Expectation = {
  exit: 0,
  members: 3,
  leader: null,
  problems: ["member-errors", "member-errors", "member-errors", "no-leader"],
};
const LEARNER: Expectation = { exit: 0, members: 4, leader: "172.20.0.3", problems: ["learner"] };
const HEALTHY5: Expectation = { exit: 0, members: 5, leader: "172.20.0.5", problems: [], recommended: [] };
const SINGLE: Expectation = { exit: 0, members: 1, leader: "172.20.0.2", problems: [] };
const WORKER: Expectation = { exit: 0, members: 3, problems: ["unreachable"], unreachable: ["172.20.0.6"] };
const DENIED: Expectation = { exit: 1 };

const every = (version: string | null, nodes = ["172.20.0.2", "172.20.0.3", "172.20.0.4"]) =>
  Object.fromEntries(nodes.map((n) => [n, version]));
const ISSUE_20271 = "etcd-io/etcd#20271";

const CASES: Record<string, Expectation> = {
  // v1.10 prints no PROTOCOL: every member gets the version of the etcdspec image (3.5.21, Talos v1.10.0–1.10.8).
  "v1.10/healthy-3": { ...HEALTHY3, versions: every("3.5.21"), advisories: [ISSUE_20271] },
  "v1.13/healthy-3": { ...HEALTHY3, versions: every("3.6.5"), advisories: [] },
  "v1.14/healthy-3": { ...HEALTHY3, versions: every("3.6.12"), advisories: [] },
  "v1.13/etcd-3.6.4": { ...HEALTHY3, versions: every("3.6.4"), advisories: [ISSUE_20271] },
  "v1.13/etcd-mixed": {
    ...HEALTHY3,
    versions: { ...every("3.6.5"), "172.20.0.4": "3.6.4" },
    advisories: [ISSUE_20271],
  },
  "v1.14/etcd-3.7.1": { ...HEALTHY3, versions: every("3.7.1"), advisories: [] },
  "v1.10/etcd-arm64": {
    ...HEALTHY3,
    versions: every("3.5.16"),
    advisories: [ISSUE_20271, "etcd-io/etcd#18842"],
  },
  "v1.10/etcd-digest": { ...HEALTHY3, versions: every(null), advisories: [] },
  "v1.13/healthy-5": HEALTHY5,
  "v1.14/healthy-5": HEALTHY5,
  "v1.10/single-node": SINGLE,
  "v1.14/single-node": SINGLE,
  "v1.10/no-leader": NO_LEADER,
  "v1.14/no-leader": NO_LEADER,
  "v1.10/unpadded-ids": { ...HEALTHY3 },
  "v1.10/unreachable-1": UNREACHABLE,
  "v1.13/unreachable-1": UNREACHABLE,
  "v1.14/unreachable-1": UNREACHABLE,
  // v1.13's learner was not asked (the member list names it, but the fixture has no row and no failure for
  // it): a learner left out is reported as a learner, never as a gap in the view that would block a run.
  "v1.13/learner": { exit: 0, members: 3, leader: "172.20.0.3", problems: ["learner"] },
  "v1.14/learner": LEARNER,
  "v1.13/worker-node": WORKER,
  "v1.14/worker-node": WORKER,
  "v1.13/corrupt": { exit: 0, members: 3, problems: ["alarm-corrupt"], alarms: ["0b47fb33e59bf0e2:CORRUPT"] },
  "v1.13/nospace": {
    exit: 0,
    members: 3,
    problems: ["alarm-nospace"],
    alarms: ["0b47fb33e59bf0e2:NOSPACE"],
    recommended: ["172.20.0.2", "172.20.0.3", "172.20.0.4"],
  },
  "v1.14/nospace": {
    exit: 0,
    members: 3,
    problems: ["alarm-nospace", "alarm-nospace"],
    alarms: ["a49c021e76e707db:NOSPACE", "0b47fb33e59bf0e2:NOSPACE"],
  },
  "v1.14/fragmented": { exit: 0, members: 3, problems: [], recommended: ["172.20.0.2", "172.20.0.3"] },
  "v1.10/permission-denied": DENIED,
  "v1.13/permission-denied": DENIED,
  "v1.14/permission-denied": DENIED,
  "v1.13/garbage": { exit: 1 },
};

async function runJson(key: string) {
  const [release, scenario] = key.split("/") as [string, string];
  const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
  const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "json", "status"], rec.io);
  return { code, rec };
}

describe.each(Object.entries(CASES))("status over fixture %s", (key, want) => {
  it("exits as expected and prints exactly one JSON document with the contract's fields", async () => {
    const { code, rec } = await runJson(key);
    expect(code, rec.stderr()).toBe(want.exit);
    if (want.exit !== 0) {
      expect(rec.stdout()).toBe("");
      expect(rec.stderr()).toMatch(/error:/);
      return;
    }
    const view = JSON.parse(rec.stdout()) as ClusterView;
    // The contract's fields are all there; fields are added freely, never renamed (docs/CONTRACT.md).
    expect(Object.keys(view)).toEqual(
      expect.arrayContaining([
        "advisories",
        "alarms",
        "healthy",
        "leader",
        "members",
        "problems",
        "quota",
        "unreachable",
      ]),
    );
    for (const m of view.members) {
      expect(Object.keys(m)).toEqual(
        expect.arrayContaining([
          "node",
          "memberId",
          "isLeader",
          "isLearner",
          "dbSize",
          "dbSizeInUse",
          "dbSizeFree",
          "inUseRatio",
          "quotaUsage",
          "raftIndex",
          "raftTerm",
          "raftAppliedIndex",
          "errors",
          "defragRecommended",
          "etcdVersion",
        ]),
      );
      expect(m.memberId).toMatch(/^[0-9a-f]{16}$/);
      expect(m.dbSizeFree).toBe(m.dbSize - m.dbSizeInUse);
    }
    if (want.members !== undefined) expect(view.members).toHaveLength(want.members);
    if (want.leader !== undefined) expect(view.leader?.node ?? null).toBe(want.leader);
    if (want.problems !== undefined)
      expect(view.problems.map((p) => p.kind).sort()).toEqual([...want.problems].sort());
    // A learner is reported but does not make the cluster unhealthy: every other problem does.
    expect(view.healthy).toBe(view.problems.every((p) => p.kind === "learner"));
    if (want.unreachable !== undefined) expect(view.unreachable.map((u) => u.node)).toEqual(want.unreachable);
    if (want.alarms !== undefined)
      expect(view.alarms.map((a) => `${a.memberId}:${a.alarm}`)).toEqual(want.alarms);
    if (want.versions !== undefined)
      expect(Object.fromEntries(view.members.map((m) => [m.node, m.etcdVersion]))).toEqual(want.versions);
    if (want.advisories !== undefined) expect(view.advisories.map((a) => a.id)).toEqual(want.advisories);
    if (want.recommended !== undefined) {
      expect(
        view.members
          .filter((m) => m.defragRecommended)
          .map((m) => m.node)
          .sort(),
      ).toEqual(want.recommended);
    }
  });

  it("prints a table naming every member, its role and verdict, and the health line", async () => {
    const [release, scenario] = key.split("/") as [string, string];
    const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
    const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "status"], rec.io);
    expect(code).toBe(want.exit);
    if (want.exit !== 0) return;
    const { rec: jsonRec } = await runJson(key);
    const view = JSON.parse(jsonRec.stdout()) as ClusterView;
    const table = rec.stdout();
    const rowOf = (node: string) => table.split("\n").find((l) => l.startsWith(`${node} `));
    for (const m of view.members) {
      const line = rowOf(m.node);
      expect(line, `row for ${m.node}`).toBeDefined();
      expect(line).toContain(m.isLearner ? "learner" : m.isLeader ? "leader" : "follower");
      expect(line).toMatch(m.defragRecommended ? / defrag( |$)/ : / ok( |$)/);
    }
    for (const u of view.unreachable) expect(rowOf(u.node)).toMatch(/ no answer$/);
    expect(table).toContain(view.healthy ? "healthy:" : "NOT healthy");
    for (const p of view.problems) expect(table).toContain(p.message.slice(0, 40));
    expect(table.includes("\u001b[")).toBe(false);
    // A pipe gets whole lines: nothing is cut.
    expect(table).not.toContain("…");
  });

  it("fits 80 columns on a terminal, and -o wide shows every member's ID and raft indexes", async () => {
    const [release, scenario] = key.split("/") as [string, string];
    const narrow = recordIO((calls) => fixtureExec(release, scenario, calls), { stdoutWidth: 80 });
    const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "status"], narrow.io);
    if (want.exit !== 0) return;
    expect(code).toBe(want.exit);
    for (const line of narrow.stdout().split("\n")) expect(displayWidth(line), line).toBeLessThanOrEqual(80);

    const wide = recordIO((calls) => fixtureExec(release, scenario, calls), { stdoutWidth: 80 });
    await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "wide", "status"], wide.io);
    const view = JSON.parse((await runJson(key)).rec.stdout()) as ClusterView;
    for (const m of view.members) {
      const row =
        wide
          .stdout()
          .split("\n")
          .find((l) => l.startsWith(`${m.node} `)) ?? "";
      expect(row).toContain(m.memberId);
      expect(row).toMatch(new RegExp(` ${m.raftIndex} +${m.raftAppliedIndex} `));
    }
    for (const u of view.unreachable) expect(wide.stdout()).toContain(u.error);
    expect(wide.stdout()).not.toContain("…");
  });
});

describe("status talosctl usage", () => {
  it("makes one status call for all nodes, one members call and one alarm call", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    await main(["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,172.20.0.3,172.20.0.4", "status"], rec.io);
    const statusCalls = rec.calls.filter((c) => c.includes("status"));
    expect(statusCalls).toEqual([["-n", "172.20.0.2,172.20.0.3,172.20.0.4", "etcd", "status"]]);
    expect(rec.calls.filter((c) => c.includes("members"))).toHaveLength(1);
    expect(rec.calls.filter((c) => c.includes("alarm"))).toHaveLength(1);
  });

  it("discovers nodes from the members' client URLs when -n is not given", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "--talosconfig", "/tmp/tc", "--context", "lab", "-o", "json", "status"],
      rec.io,
    );
    expect(code).toBe(0);
    expect(rec.calls[0]).toEqual(["--talosconfig", "/tmp/tc", "--context", "lab", "etcd", "members"]);
    const status = rec.calls.find((c) => c.includes("status"));
    expect(status).toEqual([
      "--talosconfig",
      "/tmp/tc",
      "--context",
      "lab",
      "-n",
      "172.20.0.2,172.20.0.3,172.20.0.4",
      "etcd",
      "status",
    ]);
  });

  it("names the talosctl command and quotes the line it cannot parse", async () => {
    const { rec } = await runJson("v1.13/garbage");
    expect(rec.stderr()).toContain("etcd status");
    expect(rec.stderr()).toMatch(/bad DB SIZE "21 XB": "172\.20\.0\.3 +ecebb05b59a776f1 +21 XB/);
  });

  it("refuses a hostile node name before running anything (exit 2)", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "-n", "172.20.0.2,--talosconfig=/etc/shadow", "status"],
      rec.io,
    );
    expect(code).toBe(2);
    expect(rec.calls).toEqual([]);
  });

  it("refuses an invalid rule with its position before running anything (exit 2)", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(
      ["--talosctl", ANY_EXECUTABLE, "status", "--rule", "dbSize > 1 && process.exit()"],
      rec.io,
    );
    expect(code).toBe(2);
    expect(rec.stderr()).toMatch(/position \d+/);
    expect(rec.calls).toEqual([]);
  });

  it("puts the caret of a rule error under the character it names", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    expect(await main(["--talosctl", ANY_EXECUTABLE, "status", "--rule", "dbSize > 1 &&& x"], rec.io)).toBe(
      2,
    );
    const lines = rec.stderr().split("\n");
    const at = Number(/position (\d+)/.exec(lines[0] ?? "")?.[1]);
    const ruleLine = lines.find((l) => l.includes("dbSize > 1 &&& x")) ?? "";
    const caretLine = lines.find((l) => l.trim() === "^") ?? "";
    expect(caretLine.indexOf("^")).toBe(ruleLine.indexOf("dbSize") + at);
  });

  it("exits 2 with a hint when talosctl cannot be found", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "healthy-3", calls));
    const code = await main(["status"], rec.io);
    expect(code).toBe(2);
    expect(rec.stderr()).toMatch(/talosctl not found/);
    expect(rec.stderr()).toMatch(/--talosctl PATH/);
  });
});

describe("status -o wide on an 80-column terminal", () => {
  it("wraps the advisories and problems under the wide table to the terminal, every word kept", async () => {
    const rec = recordIO((calls) => fixtureExec("v1.13", "etcd-3.6.4", calls), { stdoutWidth: 80 });
    const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, "-o", "wide", "status"], rec.io);
    expect(code).toBe(0);
    const lines = rec.stdout().split("\n");
    const after = lines.slice(lines.findIndex((l) => l.startsWith("quota ")));
    expect(after.some((l) => l.startsWith("advisory: "))).toBe(true);
    for (const line of after) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(after.join(" ")).toContain("https://github.com/etcd-io/etcd/issues/20271");
  });
});
