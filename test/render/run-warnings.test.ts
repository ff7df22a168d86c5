/** The closing report's warnings (stderr): each said once on one screen, every one when the report is read apart. */
import { describe, expect, it } from "vitest";
import { renderRunWarnings } from "../../src/render/run-report.js";
import { createStyle } from "../../src/render/style.js";

const ADVISORY =
  "etcd issue 20271 affects etcd 3.4.23 on every member: ... https://github.com/etcd-io/etcd/issues/20271";
const RULE = "each member is defragmented only while every voting member is within 100 entries";
const LEARNER = "10.5.0.5 is a learner (not yet a voting member): skipped";
const LATE = "metrics not written: no such directory";
const report = { warnings: [ADVISORY, RULE, LEARNER, LATE] };
/** What progress said: the advisory as its brief, the rule with it, the learner warning; not the late one. */
const said = {
  above: new Set([ADVISORY, RULE, LEARNER]),
  brief: new Map<string, string | null>([
    [ADVISORY, "advisory: etcd 3.4.23 has etcd#20271: defrag waits for every voter to catch up"],
    [RULE, null],
  ]),
};
const render = (sameScreen: boolean, wide = false) =>
  renderRunWarnings(report, createStyle(false), { width: 80, wide, sameScreen, said }).trimEnd().split("\n");

describe("renderRunWarnings", () => {
  it.each<[string, boolean, boolean, string[]]>([
    [
      "one screen: only what progress did not say, and how many it did",
      true,
      false,
      [`warning: ${LATE}`, "2 warnings above"],
    ],
    [
      "stdout elsewhere: every warning, the advisory in its line",
      false,
      false,
      [said.brief.get(ADVISORY) ?? "", `warning: ${LEARNER}`, `warning: ${LATE}`],
    ],
  ])("%s", (_, sameScreen, wide, want) => {
    expect(render(sameScreen, wide)).toEqual(want);
  });

  it("-o wide: the advisory and the catch-up rule in full, which progress did not print", () => {
    const lines = render(true, true)
      .join("\n")
      .replace(/\n {2}/g, " ");
    expect(lines).toContain(`warning: ${ADVISORY}`);
    expect(lines).toContain(`warning: ${RULE}`);
    expect(lines).not.toContain(`warning: ${LEARNER}`);
    expect(lines).toMatch(/1 warning above$/);
  });

  it("says nothing when there is nothing", () => {
    expect(
      renderRunWarnings({ warnings: [] }, createStyle(false), { width: 80, wide: false, sameScreen: true }),
    ).toBe("");
  });
});
