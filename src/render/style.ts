/** Minimal ANSI styling that switches off entirely without colour (NO_COLOR, not a TTY). */
export interface Style {
  ok(text: string): string;
  warn(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;

export function createStyle(color: boolean): Style {
  if (!color) {
    const plain = (text: string) => text;
    return { ok: plain, warn: plain, bad: plain, dim: plain, bold: plain };
  }
  return { ok: wrap(32), warn: wrap(33), bad: wrap(31), dim: wrap(2), bold: wrap(1) };
}

export function percent(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)}%`;
}
