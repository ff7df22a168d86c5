/**
 * The CLI over the real talosctl's captures (fixtures/captured/<tag>/<scenario>/, written by
 * bench/capture-fixtures.ts in front of the Talos API double over real etcd): status, check and alarms list as a
 * user runs them, in-process, each talosctl call answered by what the real binary printed. The expectations come
 * from each scenario's facts.json (what the cluster was), never from the captured text itself. member-stopped is
 * left to the parsers' test: its calls hang until stopped, and the tool then asks each node on its own, which a
 * capture of the several-node call cannot answer (test/e2e/member-faults.test.ts runs it for real).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ClusterView } from "../../src/cluster/types.js";
import type { RunReport } from "../../src/run/types.js";
import { useTempDir } from "../support/temp-dir.js";
import { FIXTURE_ROOT } from "../talos/fixtures.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO, subcommandOf } from "./fixture-exec.js";

const tempDir = useTempDir("ted-captured-cli-");
const TAGS = ["v1.13.9", "v1.14.1"] as const;

interface Facts {
  nodes: string[];
  members: { node: string; id: string }[];
  leader: string | null;
  down: string[];
}

const factsOf = (tag: string, scenario: string): Facts =>
  JSON.parse(readFileSync(join(FIXTURE_ROOT, "captured", tag, scenario, "facts.json"), "utf8")) as Facts;

async function cli(tag: string, scenario: string, args: string[]) {
  const f = factsOf(tag, scenario);
  const rec = recordIO((calls) => fixtureExec(`captured/${tag}`, scenario, calls));
  const code = await main(
    ["--talosctl", ANY_EXECUTABLE, "-n", f.nodes.join(","), "-o", "json", ...args],
    rec.io,
  );
  return { code, f, rec, json: <T>() => JSON.parse(rec.stdout()) as T };
}

const sorted = (xs: readonly string[]) => [...xs].sort();
/** The nodes whose apid answered. */
const answering = (f: Facts) => f.nodes.filter((n) => !f.down.includes(n));

describe.each(TAGS)("the CLI over talosctl %s's captures", (tag) => {
  it.each(["healthy", "one-node-down", "role-refused"])(
    "%s: status names each answering member and the leader, and every silent node as a problem",
    async (scenario) => {
      const { code, f, rec, json } = await cli(tag, scenario, ["status"]);
      expect(code, rec.stderr()).toBe(0);
      const view = json<ClusterView>();
      expect(sorted(view.members.map((m) => m.node))).toEqual(sorted(answering(f)));
      for (const m of view.members) expect(m.memberId).toBe(f.members.find((x) => x.node === m.node)?.id);
      expect(view.leader?.node ?? null).toBe(f.leader);
      expect(sorted(view.unreachable.map((u) => u.node))).toEqual(sorted(f.down));
      expect(view.healthy).toBe(f.down.length === 0);
      expect(view.alarms).toEqual([]);
      for (const m of view.members) expect(m.etcdVersion).toBe(tag === "v1.13.9" ? "3.6.12" : "3.7.1");
    },
  );

  it("all nodes down: status still prints its document, unhealthy, and exits 1", async () => {
    const { code, f, json } = await cli(tag, "all-nodes-down", ["status"]);
    expect(code).toBe(1);
    const view = json<ClusterView>();
    expect(view.members).toEqual([]);
    expect(view.healthy).toBe(false);
    expect(sorted(view.unreachable.map((u) => u.node))).toEqual(sorted(f.nodes));
  });

  it.each<[string, number]>([
    ["healthy", 0],
    ["role-refused", 0],
    ["one-node-down", 3],
    ["all-nodes-down", 3],
  ])("%s: check exits %d", async (scenario, exit) => {
    const { code, rec } = await cli(tag, scenario, ["check"]);
    expect(code, rec.stderr()).toBe(exit);
  });

  it.each<[string, number]>([
    ["healthy", 0],
    ["role-refused", 0],
    ["one-node-down", 0],
    ["all-nodes-down", 1],
  ])("%s: alarms list exits %d", async (scenario, exit) => {
    const { code, rec } = await cli(tag, scenario, ["alarms", "list"]);
    expect(code, rec.stderr()).toBe(exit);
  });

  it("os:reader's defrag: its snapshot is refused, nothing is defragmented, exit 3: not authorized", async () => {
    const { code, rec, json } = await cli(tag, "role-refused", [
      "defrag",
      "--yes",
      "--force",
      "--snapshot-dir",
      tempDir(),
    ]);
    expect(code, rec.stderr()).toBe(3);
    expect(rec.calls.map(subcommandOf)).toContain("snapshot");
    expect(rec.calls.some((c) => c.includes("defrag") && c.includes("etcd"))).toBe(false);
    const report = json<RunReport>();
    expect(report.steps.every((s) => s.outcome === "not-touched")).toBe(true);
    expect(report.refusedReasons.join(" ")).toMatch(/PermissionDenied desc = not authorized/);
  });
});
