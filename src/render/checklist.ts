/**
 * The `check` checklist, a table without a header: the mark, then the item and its detail, which wraps within its
 * column (under the item's name, past the mark); then the verdict.
 */
import type { Checklist } from "../cluster/checklist.js";
import type { Style } from "./style.js";
import { drawTable } from "./table.js";
import { displayWidth, wrapText } from "./text.js";

const MARKS = { pass: "[ok]", warn: "[warn]", fail: "[FAIL]" } as const;
/** The mark column: as wide as the widest mark, one space before the text. */
const MARK_WIDTH = 6;
const GAP = 1;

export function renderChecklist(checklist: Checklist, style: Style, width?: number): string {
  const paint = { pass: style.ok, warn: style.warn, fail: style.bad } as const;
  const textWidth = width === undefined ? undefined : Math.max(1, width - MARK_WIDTH - GAP);
  const texts = checklist.items.map((i) => wrapText(`${i.name}: ${i.detail}`, textWidth, ""));
  const rows = checklist.items.map((i, n) => [paint[i.status](MARKS[i.status]), (texts[n] ?? []).join("\n")]);
  const lines = drawTable([], rows, {
    gap: GAP,
    widths: [MARK_WIDTH, Math.max(0, ...texts.flat().map(displayWidth))],
    aligns: ["left", "left"],
  });
  const verdict =
    checklist.verdict === "go"
      ? style.ok("GO: etcd is healthy and lean")
      : checklist.verdict === "defrag-recommended"
        ? style.warn("GO, but defragmentation is recommended: run `talos-etcd-defrag defrag`")
        : style.bad("NO-GO: fix the failed items first");
  return `${lines.join("\n")}\n${verdict}\n`;
}
