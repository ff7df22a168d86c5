/** The `check` checklist: one mark per item, then the verdict. A long detail wraps under the item's text. */
import type { Checklist } from "../cluster/checklist.js";
import type { Style } from "./style.js";
import { wrapText } from "./text.js";

const MARKS = { pass: "[ok]  ", warn: "[warn]", fail: "[FAIL]" } as const;
/** Continuation lines start under the item's name, past the mark. */
const INDENT = " ".repeat(MARKS.pass.length + 1);

export function renderChecklist(checklist: Checklist, style: Style, width?: number): string {
  const paint = { pass: style.ok, warn: style.warn, fail: style.bad } as const;
  const lines = checklist.items.flatMap((i) => {
    const [first = "", ...rest] = wrapText(`${MARKS[i.status]} ${i.name}: ${i.detail}`, width, INDENT);
    const mark = MARKS[i.status];
    return [`${paint[i.status](mark)}${first.slice(mark.length)}`, ...rest];
  });
  const verdict =
    checklist.verdict === "go"
      ? style.ok("GO: etcd is healthy and lean")
      : checklist.verdict === "defrag-recommended"
        ? style.warn("GO, but defragmentation is recommended: run `talos-etcd-defrag defrag`")
        : style.bad("NO-GO: fix the failed items first");
  return `${lines.join("\n")}\n${verdict}\n`;
}
