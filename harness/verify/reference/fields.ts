/**
 * Field access for the reference: a plain split on commas. Deliberately not the collector's
 * codec, so that a decoder bug shows up as a mismatch instead of being shared by both sides.
 */
export function splitFields(line: string): string[] {
  const f = line.split(',');
  // One empty trailing field is the protocol's trailing comma, not data.
  if (f.length > 1 && f[f.length - 1] === '') f.pop();
  return f;
}

/** A price or number as sent; empty means absent. */
export function num(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Decimal places of a number's shortest text form (`585.33` → 2, `2938` → 0). */
function decimals(v: number): number {
  const s = String(v);
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2)) + Math.max(0, s.slice(0, e).length - s.indexOf('.') - 1);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

/** a − b without binary noise: both scaled to integers first. */
export function exactDiff(a: number, b: number): number {
  const d = Math.max(decimals(a), decimals(b));
  const k = 10 ** d;
  return (Math.round(a * k) - Math.round(b * k)) / k;
}

/** (a + b) / 2 without binary noise. */
export function exactMid(a: number, b: number): number {
  const d = Math.max(decimals(a), decimals(b));
  const k = 10 ** d;
  return (Math.round(a * k) + Math.round(b * k)) / (2 * k);
}

/** `HH:MM:SS[.f…]` → `HH:MM:SS.ffffff`; null for blank or the legacy `99:99:99` "no time". */
export function padTime(t: string | undefined): string | null {
  if (!t || t.startsWith('99:99:99')) return null;
  const dot = t.indexOf('.');
  if (dot < 0) return `${t}.000000`;
  return (t + '000000').slice(0, dot + 7);
}

/** `MM/DD/YYYY` → `YYYY-MM-DD`. */
export function usDate(d: string | undefined): string | null {
  if (!d || d.length !== 10 || d[2] !== '/') return null;
  return `${d.slice(6)}-${d.slice(0, 2)}-${d.slice(3, 5)}`;
}
