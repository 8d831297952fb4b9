import { L2hError } from '../../common/errors.js';
import { toPlainString } from './decimal.js';

/**
 * How one field's text becomes a value (SOURCES.md "expect canonicalisation"): prices and other
 * decimals become numbers, integers become integers, `MM/DD/YYYY` dates become ISO
 * `YYYY-MM-DD`, times of day stay wire text, everything else (hex codes, MMIDs, message
 * contents) stays a string. An empty field is null whatever the kind.
 */
export type ValueKind = 'text' | 'price' | 'decimal' | 'integer' | 'date' | 'time';

export type FieldValue = string | number | null;

export type ValueOf<K extends ValueKind> = K extends 'price' | 'decimal' | 'integer' ? number : string;

/** What a field of each kind must look like, as said in a DecodeError's `expected`. */
export const EXPECTED: Readonly<Record<ValueKind, string>> = {
  text: 'text',
  price: 'a decimal number such as 134.6200',
  decimal: 'a decimal number such as 0.25',
  integer: 'an integer (at most 2^53)',
  date: 'a date MM/DD/YYYY',
  time: 'a time HH:MM:SS[.ffffff]',
};

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The decimal number written in s[start, end), or NaN. Accepts `134.6200`, `2938.`, `.5`,
 * `-0.25`; rejects exponents, spaces and signs other than a leading minus. Fast path: an exact
 * integer mantissa divided by an exact power of ten is one correctly rounded division, so it
 * equals what `Number()` gives; longer texts go to `Number()` itself.
 */
export function parseDecimal(s: string, start: number, end: number): number {
  let i = start;
  const negative = i < end && s.charCodeAt(i) === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0) return Number.NaN;
  let value: number;
  if (mantissa <= Number.MAX_SAFE_INTEGER && scale < POW10.length) {
    value = scale === 0 ? mantissa : mantissa / POW10[scale];
  } else {
    value = Number(s.slice(negative ? start + 1 : start, end));
  }
  return negative ? -value : value;
}

/** The integer written in s[start, end) (optional leading minus), or NaN, or NaN beyond 2^53. */
export function parseInteger(s: string, start: number, end: number): number {
  let i = start;
  const negative = i < end && s.charCodeAt(i) === 45;
  if (negative) i++;
  if (i === end) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  if (value > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative ? -value : value;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** `HH:MM:SS` or `HH:MM:SS.f…` (legacy depth uses `99:99:99` for "no time", so no range check). */
export function isTime(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 8) return false;
  if (
    !isDigit(s, start) ||
    !isDigit(s, start + 1) ||
    s.charCodeAt(start + 2) !== 58 ||
    !isDigit(s, start + 3) ||
    !isDigit(s, start + 4) ||
    s.charCodeAt(start + 5) !== 58 ||
    !isDigit(s, start + 6) ||
    !isDigit(s, start + 7)
  ) {
    return false;
  }
  if (n === 8) return true;
  if (n === 9 || s.charCodeAt(start + 8) !== 46) return false;
  for (let i = start + 9; i < end; i++) if (!isDigit(s, i)) return false;
  return true;
}

/** `YYYY-MM-DD` (Level 2 dates). */
export function isIsoDate(s: string, start: number, end: number): boolean {
  return (
    end - start === 10 &&
    isDigit(s, start) &&
    isDigit(s, start + 1) &&
    isDigit(s, start + 2) &&
    isDigit(s, start + 3) &&
    s.charCodeAt(start + 4) === 45 &&
    isDigit(s, start + 5) &&
    isDigit(s, start + 6) &&
    s.charCodeAt(start + 7) === 45 &&
    isDigit(s, start + 8) &&
    isDigit(s, start + 9)
  );
}

function allDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(s, i)) return false;
  return true;
}

/** `MM/DD/YYYY` (Level 1 dates). */
export function isUsDate(s: string, start: number, end: number): boolean {
  return (
    end - start === 10 &&
    s.charCodeAt(start + 2) === 47 &&
    s.charCodeAt(start + 5) === 47 &&
    allDigits(s, start, start + 2) &&
    allDigits(s, start + 3, start + 5) &&
    allDigits(s, start + 6, end)
  );
}

/** `MM/DD/YYYY` → `YYYY-MM-DD`, or null when the text is not such a date. */
export function usDateToIso(s: string, start: number, end: number): string | null {
  if (!isUsDate(s, start, end)) return null;
  return `${s.slice(start + 6, end)}-${s.slice(start, start + 2)}-${s.slice(start + 3, start + 5)}`;
}

/** `YYYYMMDD` → `YYYY-MM-DD`, or null. */
export function compactDateToIso(s: string, start: number, end: number): string | null {
  if (end - start !== 8 || !allDigits(s, start, end)) return null;
  return `${s.slice(start, start + 4)}-${s.slice(start + 4, start + 6)}-${s.slice(start + 6, end)}`;
}

/**
 * `YYYYMMDD HH:MM:SS` (T lines) or `YYYYMMDD HHMMSS` (news, CLIENTSTATS) → ISO
 * `YYYY-MM-DDTHH:MM:SS`, or null. `colons` says which of the two forms is expected.
 */
export function compactDateTimeToIso(s: string, start: number, end: number, colons: boolean): string | null {
  const date = compactDateToIso(s, start, start + 8);
  if (date === null || s.charCodeAt(start + 8) !== 32) return null;
  const t = start + 9;
  if (colons) {
    if (end - t !== 8 || !isTime(s, t, end)) return null;
    return `${date}T${s.slice(t, end)}`;
  }
  if (end - t !== 6 || !allDigits(s, t, end)) return null;
  return `${date}T${s.slice(t, t + 2)}:${s.slice(t + 2, t + 4)}:${s.slice(t + 4, end)}`;
}

// ── Encoding ────────────────────────────────────────────────────────────────────────────────

function encodeError(what: string, value: unknown): L2hError {
  return new L2hError(`cannot encode ${what}: ${JSON.stringify(value)}`, {
    code: 'INTERNAL',
    context: { field: what },
    hint: 'encoders take messages shaped like the decoders produce them',
  });
}

/** Text as a field: refuses what would break the line (a comma, CR or LF). */
export function formatText(what: string, value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 10 || c === 13) throw encodeError(what, value);
  }
  return value;
}

/** Free text at the end of a line (headlines, error text): commas allowed, CR/LF not. */
export function formatTail(what: string, value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 10 || c === 13) throw encodeError(what, value);
  }
  return value;
}

export function formatNumber(what: string, value: number): string {
  if (!Number.isFinite(value)) throw encodeError(what, value);
  return toPlainString(value);
}

export function formatInteger(what: string, value: number): string {
  if (!Number.isSafeInteger(value)) throw encodeError(what, value);
  return String(value);
}

/** ISO `YYYY-MM-DD` → `MM/DD/YYYY`. */
export function isoToUsDate(what: string, value: string): string {
  if (!isIsoDate(value, 0, value.length)) throw encodeError(what, value);
  return `${value.slice(5, 7)}/${value.slice(8, 10)}/${value.slice(0, 4)}`;
}

/** ISO `YYYY-MM-DD` → `YYYYMMDD`. */
export function isoToCompactDate(what: string, value: string): string {
  if (!isIsoDate(value, 0, value.length)) throw encodeError(what, value);
  return value.slice(0, 4) + value.slice(5, 7) + value.slice(8, 10);
}

/** ISO `YYYY-MM-DDTHH:MM:SS` → `YYYYMMDD HH:MM:SS` (colons) or `YYYYMMDD HHMMSS`. */
export function isoToCompactDateTime(what: string, value: string, colons: boolean): string {
  if (value.length !== 19 || value.charCodeAt(10) !== 84 || !isTime(value, 11, 19)) {
    throw encodeError(what, value);
  }
  const date = isoToCompactDate(what, value.slice(0, 10));
  const time = value.slice(11, 19);
  return `${date} ${colons ? time : time.slice(0, 2) + time.slice(3, 5) + time.slice(6, 8)}`;
}

export function formatIsoDate(what: string, value: string): string {
  if (!isIsoDate(value, 0, value.length)) throw encodeError(what, value);
  return value;
}

export function formatTime(what: string, value: string): string {
  if (!isTime(value, 0, value.length)) throw encodeError(what, value);
  return value;
}

/** One field of a given kind as wire text; null is the empty field. */
export function formatValue(kind: ValueKind, what: string, value: FieldValue | undefined): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'price':
    case 'decimal':
      if (typeof value !== 'number') throw encodeError(what, value);
      return formatNumber(what, value);
    case 'integer':
      if (typeof value !== 'number') throw encodeError(what, value);
      return formatInteger(what, value);
    case 'date':
      if (typeof value !== 'string') throw encodeError(what, value);
      return isoToUsDate(what, value);
    case 'time':
      if (typeof value !== 'string') throw encodeError(what, value);
      return formatTime(what, value);
    case 'text':
      return typeof value === 'number' ? formatNumber(what, value) : formatText(what, value);
  }
}

/** Fields joined into one line. */
export function joinFields(fields: readonly string[], trailingComma: boolean): string {
  const line = fields.join(',');
  return trailingComma ? `${line},` : line;
}

/**
 * The last field of a line whose text may itself contain commas (headlines, error text, a
 * market maker's name). The decoder drops one trailing comma, so text that ends in a comma gets
 * one more to survive the trip.
 */
export function formatLastText(what: string, value: string, trailingComma: boolean): string {
  const text = formatTail(what, value);
  return trailingComma || text.endsWith(',') ? `${text},` : text;
}

/** A list as the last fields of a line: one extra comma keeps a final empty item. */
export function formatList(what: string, items: readonly string[]): string {
  const parts = items.map((item) => formatText(what, item));
  const joined = parts.join(',');
  return parts.length > 0 && parts[parts.length - 1] === '' ? `${joined},` : joined;
}
