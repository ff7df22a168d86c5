/**
 * Prometheus text exposition format 0.0.4, gauges only: everything we export is a snapshot written to a
 * textfile, so nothing here ever counts up across runs. Pure string building, no I/O.
 */

export const METRIC_PREFIX = "talos_etcd_defrag_";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface GaugeFamily {
  /** Full metric name, prefix included. */
  name: string;
  help: string;
  samples: readonly Sample[];
}

const NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values may hold anything a node name or talosctl error can hold: escape what the format reserves. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text reserves backslash and newline, but not the double quote. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Go's ParseFloat spellings, which is what the Prometheus parser accepts for the special values. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  const pairs = names.map((name) => {
    if (!LABEL_PATTERN.test(name) || name.startsWith("__")) throw new Error(`invalid label name ${name}`);
    return `${name}="${escapeLabelValue(labels[name] ?? "")}"`;
  });
  return `{${pairs.join(",")}}`;
}

/**
 * Families keep the order given (the caller's order is the documented one); samples inside a family are
 * sorted by their rendered label set so two runs over the same view produce byte-identical files.
 */
export function formatGauges(families: readonly GaugeFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    if (!NAME_PATTERN.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
    if (seen.has(family.name)) throw new Error(`metric family ${family.name} rendered twice`);
    seen.add(family.name);
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} gauge`);
    const rendered = family.samples.map((sample) => ({
      labels: formatLabels(sample.labels),
      value: formatValue(sample.value),
    }));
    rendered.sort((a, b) => compareStrings(a.labels, b.labels));
    for (const sample of rendered) lines.push(`${family.name}${sample.labels} ${sample.value}`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Code-unit order, not locale order: the output must not depend on the machine's locale. */
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

export function secondsFromDate(date: Date): number {
  return date.getTime() / 1000;
}

export function flag(value: boolean): number {
  return value ? 1 : 0;
}
