/**
 * What node-exporter's textfile collector does with several *.prom files in its folder, as far as our files can
 * tell: each file is parsed on its own, then every sample of every file goes into one registry, which merges
 * families by name. A family must have the same HELP and TYPE in every file, and a series (name plus label set)
 * may come from one file only: a second one is dropped with "was collected before with the same name and label
 * values", while node_textfile_scrape_error stays 0. `cat *.prom` is not this: the text format allows one HELP
 * and one TYPE line per family, so two files that share any family never concatenate into a valid exposition.
 */
import { parseExposition } from "./parse-exposition.js";

export interface MergeResult {
  /** One exposition, one HELP/TYPE per family: what a scrape of node-exporter would show (our part of it). */
  text: string;
  /** Each problem node-exporter would log (or serve silently wrong), one line each. */
  problems: string[];
}

/** Canonical series key: the name and the label pairs in name order, so label order in a file does not matter. */
export function seriesKey(renderedKey: string): string {
  const brace = renderedKey.indexOf("{");
  if (brace === -1) return renderedKey;
  const name = renderedKey.slice(0, brace);
  const pairs = [
    ...renderedKey.slice(brace + 1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g),
  ]
    .map((m) => `${m[1]}="${m[2]}"`)
    .sort();
  return `${name}{${pairs.join(",")}}`;
}

export function mergeLikeNodeExporter(files: Readonly<Record<string, string>>): MergeResult {
  const problems: string[] = [];
  const families = new Map<string, { help: string; type: string; from: string; lines: string[] }>();
  const seriesFrom = new Map<string, string>();
  for (const [file, text] of Object.entries(files)) {
    const parsed = parseExposition(text);
    for (const name of parsed.order) {
      const help = parsed.helps.get(name) ?? "";
      const type = parsed.types.get(name) ?? "untyped";
      const known = families.get(name);
      if (known === undefined) families.set(name, { help, type, from: file, lines: [] });
      else if (known.help !== help || known.type !== type)
        problems.push(`${name}: HELP/TYPE in ${file} differ from ${known.from}`);
    }
    for (const [key, value] of parsed.samples) {
      const canonical = seriesKey(key);
      const first = seriesFrom.get(canonical);
      if (first !== undefined) {
        problems.push(
          `${canonical} was collected before with the same name and label values (${first}, ${file})`,
        );
        continue;
      }
      seriesFrom.set(canonical, file);
      const name = key.includes("{") ? key.slice(0, key.indexOf("{")) : key;
      families.get(name)?.lines.push(`${key} ${value}`);
    }
  }
  const text = [...families]
    .map(([name, f]) => [`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.lines].join("\n"))
    .join("\n");
  return { text: text === "" ? "" : `${text}\n`, problems };
}
