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
 * The decimal number written in s[start, end), or NaN; never an infinity. Accepts `134.6200`,
 * `2938.`, `.5`, `-0.25`; rejects exponents, spaces and signs other than a leading minus. Fast
 * path: an exact integer mantissa divided by an exact power of ten is one correctly rounded
 * division, so it equals what `Number()` gives; longer texts go to `Number()` itself.
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
    // Over 309 integer digits reads as Infinity, which the book and the record writer throw on:
    // such a line must be a DecodeError like any other malformed number.
    if (!Number.isFinite(value)) return Number.NaN;
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

/** The two digits at s[i] as 0–99, or -1 when either is not a digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The four digits at s[i] as 0–9999, or -1. */
function fourDigits(s: string, i: number): number {
  const hi = twoDigits(s, i);
  const lo = twoDigits(s, i + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

/** Days in each month of a common year; index 0 unused so that months index directly. */
const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether year-month-day is a day of the Gregorian calendar. Negative parts (from a non-digit)
 * fail the month or day bounds. A wrong date would otherwise land in a wrong day partition or an
 * impossible record timestamp.
 */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  if (day <= MONTH_DAYS[month]) return true;
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * `HH:MM:SS` at s[start] within 00:00:00–23:59:59. No second 60: IQFEED-PROTOCOL.md and its
 * sources show no leap second ever sent, so a 60 is a corrupt field, not a rare valid one.
 */
function isClock(s: string, start: number): boolean {
  if (s.charCodeAt(start + 2) !== 58 || s.charCodeAt(start + 5) !== 58) return false;
  const h = twoDigits(s, start);
  const m = twoDigits(s, start + 3);
  const sec = twoDigits(s, start + 6);
  return h >= 0 && h <= 23 && m >= 0 && m <= 59 && sec >= 0 && sec <= 59;
}

/** Legacy depth's "no time" (§6.5), the one out-of-range time the feed sends on purpose. */
function isNoTime(s: string, start: number): boolean {
  return (
    twoDigits(s, start) === 99 &&
    s.charCodeAt(start + 2) === 58 &&
    twoDigits(s, start + 3) === 99 &&
    s.charCodeAt(start + 5) === 58 &&
    twoDigits(s, start + 6) === 99
  );
}

/**
 * `HH:MM:SS` or `HH:MM:SS.f…` within the day, or legacy depth's `99:99:99` "no time" (with or
 * without a fraction, as accepted before times were range-checked; records read it as no time).
 */
export function isTime(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 8) return false;
  if (!isClock(s, start) && !isNoTime(s, start)) return false;
  if (n === 8) return true;
  if (n === 9 || s.charCodeAt(start + 8) !== 46) return false;
  for (let i = start + 9; i < end; i++) if (!isDigit(s, i)) return false;
  return true;
}

/** `YYYY-MM-DD` (Level 2 dates), a real calendar day. */
export function isIsoDate(s: string, start: number, end: number): boolean {
  return (
    end - start === 10 &&
    s.charCodeAt(start + 4) === 45 &&
    s.charCodeAt(start + 7) === 45 &&
    isCalendarDate(fourDigits(s, start), twoDigits(s, start + 5), twoDigits(s, start + 8))
  );
}

/** `MM/DD/YYYY` (Level 1 dates), a real calendar day. */
export function isUsDate(s: string, start: number, end: number): boolean {
  return (
    end - start === 10 &&
    s.charCodeAt(start + 2) === 47 &&
    s.charCodeAt(start + 5) === 47 &&
    isCalendarDate(fourDigits(s, start + 6), twoDigits(s, start), twoDigits(s, start + 3))
  );
}

/** `MM/DD/YYYY` → `YYYY-MM-DD`, or null when the text is not such a date. */
export function usDateToIso(s: string, start: number, end: number): string | null {
  if (!isUsDate(s, start, end)) return null;
  return `${s.slice(start + 6, end)}-${s.slice(start, start + 2)}-${s.slice(start + 3, start + 5)}`;
}

function isCompactDate(s: string, start: number): boolean {
  return isCalendarDate(fourDigits(s, start), twoDigits(s, start + 4), twoDigits(s, start + 6));
}

/** `YYYYMMDD` → `YYYY-MM-DD`, or null. */
export function compactDateToIso(s: string, start: number, end: number): string | null {
  if (end - start !== 8 || !isCompactDate(s, start)) return null;
  return `${s.slice(start, start + 4)}-${s.slice(start + 4, start + 6)}-${s.slice(start + 6, end)}`;
}

/**
 * `YYYYMMDD HH:MM:SS` (T lines) or `YYYYMMDD HHMMSS` (news, CLIENTSTATS) → ISO
 * `YYYY-MM-DDTHH:MM:SS`, or null. `colons` says which of the two forms is expected. These are
 * clock readings, never legacy depth's `99:99:99`.
 */
export function compactDateTimeToIso(s: string, start: number, end: number, colons: boolean): string | null {
  const t = start + 9;
  if (end - t !== (colons ? 8 : 6) || s.charCodeAt(start + 8) !== 32 || !isCompactDate(s, start)) return null;
  const date = `${s.slice(start, start + 4)}-${s.slice(start + 4, start + 6)}-${s.slice(start + 6, start + 8)}`;
  if (colons) return isClock(s, t) ? `${date}T${s.slice(t, end)}` : null;
  const h = twoDigits(s, t);
  const m = twoDigits(s, t + 2);
  const sec = twoDigits(s, t + 4);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return null;
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
  if (value.length !== 19 || value.charCodeAt(10) !== 84 || !isClock(value, 11)) {
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
