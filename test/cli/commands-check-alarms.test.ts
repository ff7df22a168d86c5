/** `check` and `alarms list` through main() over recorded talosctl outputs: exit codes and JSON. */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Checklist } from "../../src/cluster/checklist.js";
import { ANY_EXECUTABLE, fixtureExec, recordIO } from "./fixture-exec.js";

const NODES = "172.20.0.2,172.20.0.3,172.20.0.4";

async function runFixture(key: string, args: string[]) {
  const [release, scenario] = key.split("/") as [string, string];
  const rec = recordIO((calls) => fixtureExec(release, scenario, calls));
  const code = await main(["--talosctl", ANY_EXECUTABLE, "-n", NODES, ...args], rec.io);
  return { code, rec };
}

describe("check", () => {
  const cases: [string, number, Checklist["verdict"], string | null][] = [
    ["v1.13/healthy-3", 0, "go", null],
    ["v1.14/fragmented", 4, "defrag-recommended", "fragmentation (rule)"],
    ["v1.13/corrupt", 3, "no-go", "no CORRUPT alarm"],
    ["v1.13/unreachable-1", 3, "no-go", "every member answers"],
  ];

  it.each(cases)("%s exits %i with verdict %s", async (key, exit, verdict, flagged) => {
    const { code, rec } = await runFixture(key, ["-o", "json", "check"]);
    expect(code, rec.stderr()).toBe(exit);
    const doc = JSON.parse(rec.stdout()) as Checklist & { go: boolean };
    expect(doc.verdict).toBe(verdict);
    expect(doc.go).toBe(verdict !== "no-go");
    expect(doc.items.length).toBeGreaterThan(3);
    for (const item of doc.items) {
      expect(typeof item.name).toBe("string");
      expect(["pass", "warn", "fail"]).toContain(item.status);
      expect(typeof item.detail).toBe("string");
    }
    const notPassing = doc.items.filter((i) => i.status !== "pass" && i.name !== "voting members only");
    if (flagged === null) expect(notPassing).toEqual([]);
    else expect(notPassing.map((i) => i.name)).toContain(flagged);
    if (verdict === "go") expect(doc.items.every((i) => i.status === "pass")).toBe(true);
    if (verdict === "no-go") expect(doc.items.some((i) => i.status === "fail")).toBe(true);
    expect(rec.calls.every((c) => !c.includes("defrag") && !c.includes("disarm"))).toBe(true);
  });

  it("prints a checklist with one line per item in table mode, same exit code", async () => {
    const json = await runFixture("v1.13/unreachable-1", ["-o", "json", "check"]);
    const { code, rec } = await runFixture("v1.13/unreachable-1", ["check"]);
    expect(code).toBe(3);
    const doc = JSON.parse(json.rec.stdout()) as Checklist;
    for (const item of doc.items) expect(rec.stdout()).toContain(item.name);
    expect(rec.stdout()).toMatch(/172\.20\.0\.4/);
  });
});

describe("alarms list", () => {
  it("lists NOSPACE for member 0b47fb33e59bf0e2 once, with its node (v1.13/nospace)", async () => {
    const { code, rec } = await runFixture("v1.13/nospace", ["-o", "json", "alarms", "list"]);
    expect(code, rec.stderr()).toBe(0);
    const doc = JSON.parse(rec.stdout()) as { alarms: { memberId: string; alarm: string; node: string }[] };
    expect(doc.alarms).toEqual([{ memberId: "0b47fb33e59bf0e2", alarm: "NOSPACE", node: "172.20.0.4" }]);
    expect(rec.calls.some((c) => c.includes("disarm"))).toBe(false);
  });

  it("`alarms` alone lists too, as a table line", async () => {
    const { code, rec } = await runFixture("v1.13/nospace", ["alarms"]);
    expect(code).toBe(0);
    expect(rec.stdout()).toMatch(/NOSPACE\s+0b47fb33e59bf0e2\s+172\.20\.0\.4/);
  });

  it.each(["v1.13/healthy-3", "v1.14/healthy-3"])("%s: no alarms", async (key) => {
    const { code, rec } = await runFixture(key, ["-o", "json", "alarms", "list"]);
    expect(code, rec.stderr()).toBe(0);
    expect(JSON.parse(rec.stdout())).toMatchObject({ alarms: [], unreachable: [] });
    const table = await runFixture(key, ["alarms", "list"]);
    expect(table.rec.stdout()).toBe("no alarms raised\n");
  });
});
