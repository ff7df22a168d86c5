/** The demo's banners and note fit an 80-column terminal, and its command lines still paste into a shell. */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  commandBanner,
  DEMO_RULE,
  demoRuleNote,
  modelTitle,
  REAL_TITLE,
  RULE_ARG,
  titleBanner,
} from "../../sim/banner.js";

const NODES = "127.0.0.11,127.0.0.12,127.0.0.13";
const SNAPSHOTS = "/tmp/talos-sim-a1b2c3/snapshots";

const BANNERS: [string, string[]][] = [
  ["the real-etcd title", titleBanner(REAL_TITLE)],
  ["the model title", titleBanner(modelTitle("etcd not installed"))],
  ["the rule note", demoRuleNote()],
  ["status", commandBanner(["-n", NODES, "status"])],
  ["plan", commandBanner(["-n", NODES, "plan", "--rule", RULE_ARG])],
  [
    "defrag",
    commandBanner(["-n", NODES, "defrag", "--yes", "--rule", RULE_ARG, "--snapshot-dir", SNAPSHOTS]),
  ],
  ["the call summary", titleBanner("simulated talosctl was called 123 times; the defrag order was:")],
];

describe("the demo's banners", () => {
  it.each(BANNERS)("%s fits 80 columns", (_, lines) => {
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it("keep every word of a title", () => {
    const words = titleBanner(REAL_TITLE)
      .filter((l) => l.startsWith("== "))
      .join(" ")
      .replace(/==/g, "")
      .split(/\s+/)
      .filter((w) => w !== "");
    expect(words.join(" ")).toBe(REAL_TITLE);
  });

  it("a command line and the note paste into a shell as the command the demo runs", () => {
    const banner = commandBanner([
      "-n",
      NODES,
      "defrag",
      "--yes",
      "--rule",
      RULE_ARG,
      "--snapshot-dir",
      SNAPSHOTS,
    ]);
    const typed = banner.filter((l) => l.startsWith("== ")).map((l) => l.slice(3).replace(/^\$ /, ""));
    expect(typed.length).toBeGreaterThan(1);
    // The shell reads the note's assignment and the command; printf shows the argv it would run.
    const script = `${demoRuleNote().slice(2).join("\n")}\nprintf '%s\\n' ${typed.join("\n").replace(/^talos-etcd-defrag /, "")}`;
    const argv = execFileSync("sh", ["-c", script], { encoding: "utf8" }).trimEnd().split("\n");
    expect(argv).toEqual(["-n", NODES, "defrag", "--yes", "--rule", DEMO_RULE, "--snapshot-dir", SNAPSHOTS]);
  });
});
