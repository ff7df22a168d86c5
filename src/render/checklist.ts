/** The `check` checklist: one mark per item, then the verdict. */
import type { Checklist } from "../cluster/checklist.js";
import type { Style } from "./style.js";

const MARKS = { pass: "[ok]  ", warn: "[warn]", fail: "[FAIL]" } as const;

export function renderChecklist(checklist: Checklist, style: Style): string {
  const paint = { pass: style.ok, warn: style.warn, fail: style.bad } as const;
  const lines = checklist.items.map((i) => `${paint[i.status](MARKS[i.status])} ${i.name}: ${i.detail}`);
  const verdict =
    checklist.verdict === "go"
      ? style.ok("GO: etcd is healthy and lean")
      : checklist.verdict === "defrag-recommended"
        ? style.warn("GO, but defragmentation is recommended: run `talos-etcd-defrag defrag`")
        : style.bad("NO-GO: fix the failed items first");
  return `${lines.join("\n")}\n${verdict}\n`;
}
