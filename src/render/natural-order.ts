/**
 * Orders node names the way a person counts: cp2 before cp10, 10.0.0.9 before 10.0.0.10. Runs of digits compare
 * as numbers, everything else character by character, ignoring case. Hand-written because
 * `localeCompare(…, "en", { numeric: true })` builds an ICU collator on its first call, which cost `status` about
 * 5 ms of its start (BENCHMARKS.md, "Cold start"); for host names and addresses the order is the same
 * (test/render/natural-order.test.ts compares the two).
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (isDigit(a, i) && isDigit(b, j)) {
      const endA = endOfDigits(a, i);
      const endB = endOfDigits(b, j);
      const byNumber = compareDigits(a.slice(i, endA), b.slice(j, endB));
      if (byNumber !== 0) return byNumber;
      i = endA;
      j = endB;
      continue;
    }
    const x = a.charAt(i).toLowerCase();
    const y = b.charAt(j).toLowerCase();
    if (x !== y) return x < y ? -1 : 1;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  if (rest !== 0) return rest < 0 ? -1 : 1;
  // Equal but for case or leading zeros: still a stable, total order.
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
}

function endOfDigits(text: string, from: number): number {
  let end = from;
  while (end < text.length && isDigit(text, end)) end++;
  return end;
}

/** Two digit strings as numbers of any length: fewer significant digits is smaller. */
function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, "");
  const b = y.replace(/^0+(?=\d)/, "");
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
