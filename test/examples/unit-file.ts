/** Reads systemd unit files the simple way: sections of `Key=Value` lines, repeated keys kept in order. */

export type UnitFile = Map<string, [string, string][]>;

export function parseUnitFile(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: [string, string][] | undefined;
  // systemd joins a line ending in a backslash with the next one.
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = [];
      unit.set(header[1], section);
      continue;
    }
    const equals = line.indexOf("=");
    if (section === undefined || equals <= 0)
      throw new Error(`not a unit file line: ${JSON.stringify(line)}`);
    section.push([line.slice(0, equals).trim(), line.slice(equals + 1).trim()]);
  }
  return unit;
}

export function values(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** The single value of a key; more or fewer than one is a test failure. */
export function value(unit: UnitFile, section: string, key: string): string {
  const found = values(unit, section, key);
  if (found.length !== 1) throw new Error(`[${section}] ${key}: expected one value, found ${found.length}`);
  return found[0] as string;
}
