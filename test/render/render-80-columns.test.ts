/**
 * Every default table at 80 columns over a five-member homelab (host names or 192.168.x, nine-digit raft
 * indexes, alarms, errors, a node that did not answer): no line is wider; cut text is said in full below;
 * `-o wide` shows every column; a pipe (no width) gets whole lines.
 */
import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../src/cluster/checklist.js";
import { renderAlarms } from "../../src/render/alarms-table.js";
import { renderChecklist } from "../../src/render/checklist.js";
import { renderRunReport } from "../../src/render/run-report.js";
import { renderStatus } from "../../src/render/status-table.js";
import { createStyle } from "../../src/render/style.js";
import type { TableLayout } from "../../src/render/table.js";
import { displayWidth, stripAnsi } from "../../src/render/text.js";
import {
  homelabReport,
  homelabView,
  type Naming,
  nodeName,
  type ReportKind,
  UNAVAILABLE,
} from "./homelab.js";

const AT_80: TableLayout = { width: 80, wide: false };
const PIPE: TableLayout = { width: undefined, wide: false };
const WIDE: TableLayout = { width: undefined, wide: true };

type Render = (layout: TableLayout, color: boolean) => string;

const status = (naming: Naming, troubled: boolean): Render => {
  const view = homelabView(naming, troubled);
  return (layout, color) => renderStatus(view, createStyle(color), layout);
};
const report = (naming: Naming, kind: ReportKind): Render => {
  const r = homelabReport(naming, kind);
  return (layout, color) => renderRunReport(r, createStyle(color), layout);
};
const check = (naming: Naming, troubled: boolean): Render => {
  const checklist = buildChecklist(homelabView(naming, troubled));
  return (layout, color) => renderChecklist(checklist, createStyle(color), layout.width);
};
const alarms = (naming: Naming): Render => {
  const list = [
    { alarm: "NOSPACE", memberId: "0b47fb33e59bf0e2", node: nodeName(naming, 2) },
    { alarm: "CORRUPT", memberId: "00c0ffee12345678", node: null },
  ];
  return (layout, color) => renderAlarms(list, createStyle(color), layout);
};

const TABLES: [string, Render][] = (["hostnames", "ipv4"] as const).flatMap((naming): [string, Render][] => [
  [`status, healthy (${naming})`, status(naming, false)],
  [`status, troubled (${naming})`, status(naming, true)],
  [`plan (${naming})`, report(naming, "plan")],
  [`defrag, done (${naming})`, report(naming, "done")],
  [`defrag, failed (${naming})`, report(naming, "failed")],
  [`check, healthy (${naming})`, check(naming, false)],
  [`check, troubled (${naming})`, check(naming, true)],
  [`alarms list (${naming})`, alarms(naming)],
]);

const linesOf = (text: string) => text.split("\n").filter((l) => l !== "");

describe.each(TABLES)("%s", (_, render) => {
  it.each([false, true])("fits 80 columns (colour %s)", (color) => {
    for (const line of linesOf(render(AT_80, color)))
      expect(displayWidth(line), line).toBeLessThanOrEqual(80);
  });

  it("says the same in colour as without, and nothing is cut in a pipe or with -o wide", () => {
    expect(stripAnsi(render(AT_80, true))).toBe(render(AT_80, false));
    expect(render(PIPE, false)).not.toContain("…");
    expect(render(WIDE, false)).not.toContain("…");
  });
});

const rowOf = (text: string, node: string) =>
  linesOf(text).find((l) => /^(\d+ +)?\S/.test(l) && l.includes(`${node} `)) ?? "";

describe("status at a glance", () => {
  const troubled = homelabView("hostnames", true);
  const text = renderStatus(troubled, createStyle(false), AT_80);

  it("shows a lag cell instead of raw indexes: in sync, a voter behind, a learner catching up", () => {
    expect(linesOf(text)[0]).toMatch(/^NODE +ROLE +LAG +DB SIZE +IN USE +FREE +QUOTA +VERDICT +PROBLEMS$/);
    expect(rowOf(text, "cp1.lab.internal")).toMatch(
      /^cp1\.lab\.internal +leader +in sync +1\.9 GB +6\.3% +1\.8 GB +88\.5% +defrag/,
    );
    expect(rowOf(text, "cp2.lab.internal")).toMatch(/ follower +45\.7k /);
    expect(rowOf(text, "cp4.lab.internal")).toMatch(/ learner +12\.0M /);
    expect(linesOf(text).slice(0, 6).join("\n")).not.toMatch(/4123\d{5}/);
  });

  it("shortens the problems cell and says each problem in full below the table", () => {
    expect(rowOf(text, "cp3.lab.internal")).toMatch(/ NOSPACE,…$/);
    expect(rowOf(text, "cp5.lab.internal")).toMatch(/^cp5\.lab\.internal +\? .* no answer$/);
    const below = linesOf(text).slice(6).join(" ").replace(/\s+/g, " ");
    for (const p of troubled.problems) expect(below).toContain(p.message);
    expect(below).toContain(UNAVAILABLE("cp5.lab.internal"));
  });

  it("leaves the problems column out of a healthy cluster's table, whose columns then sit two spaces apart", () => {
    const healthy = renderStatus(homelabView("hostnames"), createStyle(false), AT_80);
    expect(linesOf(healthy)[0]).toBe(
      "NODE              ROLE      LAG      DB SIZE  IN USE    FREE  QUOTA  VERDICT",
    );
  });

  it("-o wide shows every column: member ID, raw raft indexes, exact in-use bytes, full alarms and errors", () => {
    const wide = renderStatus(troubled, createStyle(false), WIDE);
    expect(linesOf(wide)[0]?.split(/ {2,}/)).toEqual([
      "NODE",
      "MEMBER",
      "ROLE",
      "DB SIZE",
      "MEM",
      "IN USE",
      "FREE",
      "QUOTA",
      "RAFT TERM",
      "RAFT INDEX",
      "APPLIED",
      "LAG",
      "VERDICT",
      "ALARMS",
      "ERRORS",
    ]);
    expect(rowOf(wide, "cp2.lab.internal")).toMatch(
      /^cp2\.lab\.internal +ecebb05b59a776f1 +follower .* 118 MB \(6\.41%\) .* 17 +412345680 +412300001 +45677 /,
    );
    expect(rowOf(wide, "cp3.lab.internal")).toMatch(/ NOSPACE +etcdserver: mvcc: database space exceeded$/);
    expect(rowOf(wide, "cp5.lab.internal")).toContain(`did not answer: ${UNAVAILABLE("cp5.lab.internal")}`);
  });

  it("a pipe gets every cell whole, in the default columns", () => {
    const piped = renderStatus(troubled, createStyle(false), PIPE);
    expect(rowOf(piped, "cp3.lab.internal")).toMatch(/ NOSPACE, etcdserver: mvcc: database space exceeded$/);
    expect(rowOf(piped, "cp5.lab.internal")).toMatch(/ no answer$/);
    expect(linesOf(piped)[0]).not.toContain("MEMBER");
  });
});

describe("plan and defrag tables", () => {
  it("the plan shortens reasons at 80 columns and lists each cut one in full, keyed by #", () => {
    const text = renderRunReport(homelabReport("hostnames", "plan"), createStyle(false), AT_80);
    const lines = linesOf(text);
    expect(lines[0]).toMatch(/^# +NODE +ROLE +ACTION +DB SIZE +FREE +REASON$/);
    expect(lines[1]).toMatch(/^1 +cp3\.lab\.internal +follower +defrag +2\.1 GB +2\.0 GB +rule: .*…$/);
    const below = lines.slice(lines.indexOf("reasons:")).join(" ").replace(/\s+/g, " ");
    expect(below).toContain(
      "#1 cp3.lab.internal: rule: dbSizeFree 1.58 GB > 100*MiB (105 MB) and dbSizeInUse / dbSize (0.07) < 0.5",
    );
    expect(below).toContain("#4 cp4.lab.internal: below the rule:");
  });

  it("the plan in a pipe has whole reasons in the rows and no list below", () => {
    const text = renderRunReport(homelabReport("hostnames", "plan"), createStyle(false), PIPE);
    expect(text).not.toContain("reasons:");
    expect(rowOf(text, "cp3.lab.internal")).toMatch(/ rule: dbSizeFree 1\.58 GB .* < 0\.5$/);
  });

  it("the closing table shows before -> after, and says below where leadership went", () => {
    const text = renderRunReport(homelabReport("hostnames", "done"), createStyle(false), AT_80);
    const lines = linesOf(text);
    expect(lines[0]).toMatch(/^# +NODE +ROLE +OUTCOME +DB SIZE +TIME +VERIFIED$/);
    expect(rowOf(text, "cp3.lab.internal")).toMatch(/defragmented +2\.1 GB -> 121 MB +14\.2 s +yes$/);
    expect(text).toContain("#5 cp1.lab.internal: leadership moved to cp5.lab.internal first");
  });

  it("a failed run's error is said in full below the table, and is a column with -o wide", () => {
    const failed = homelabReport("ipv4", "failed");
    const error = failed.steps[1]?.error ?? "";
    const text = renderRunReport(failed, createStyle(false), AT_80);
    expect(rowOf(text, "192.168.100.102")).toMatch(/FAILED +1\.8 GB -> 1\.8 GB +31\.0 s +yes$/);
    expect(rowOf(text, "192.168.100.105")).toMatch(/not touched +1\.7 GB +- +-$/);
    expect(text.replace(/\s+/g, " ")).toContain(`#2 192.168.100.102: error: ${error}`);
    const wide = renderRunReport(failed, createStyle(false), WIDE);
    expect(linesOf(wide)[0]?.split(/ {2,}/)).toEqual([
      "#",
      "NODE",
      "MEMBER",
      "ROLE",
      "OUTCOME",
      "DB SIZE",
      "MEMORY",
      "RECLAIMED",
      "TIME",
      "VERIFIED",
      "LEADERSHIP MOVED TO",
      "ERROR",
    ]);
    expect(rowOf(wide, "192.168.100.102")).toContain(error);
    expect(wide).not.toContain("notes:");
  });
});
