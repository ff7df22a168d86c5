/** A deliberately small reader of our own output, so assertions talk about samples rather than raw lines. */

export interface ParsedExposition {
  /** `name{labels}` exactly as rendered -> value. */
  samples: Map<string, number>;
  /** metric name -> TYPE. */
  types: Map<string, string>;
  /** metric name -> HELP text (still escaped). */
  helps: Map<string, string>;
  /** Names in the order their TYPE lines appear. */
  order: string[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$/;

export function parseExposition(text: string): ParsedExposition {
  const parsed: ParsedExposition = { samples: new Map(), types: new Map(), helps: new Map(), order: [] };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) {
      parsed.types.set(type[1], type[2]);
      parsed.order.push(type[1]);
      continue;
    }
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help?.[1] && help[2] !== undefined) {
      parsed.helps.set(help[1], help[2]);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample?.[1] || sample[2] === undefined) throw new Error(`unexpected line: ${JSON.stringify(line)}`);
    parsed.samples.set(sample[1], Number(sample[2]));
  }
  return parsed;
}

/** The metric name of a rendered sample key. */
export function nameOf(key: string): string {
  const brace = key.indexOf("{");
  return brace === -1 ? key : key.slice(0, brace);
}
