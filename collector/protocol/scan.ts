import type { Channel } from './channel.js';
import { type DecodeError, decodeError } from './decode-error.js';
import {
  compactDateTimeToIso,
  compactDateToIso,
  EXPECTED,
  type FieldValue,
  isIsoDate,
  isTime,
  isUsDate,
  parseDecimal,
  parseInteger,
  usDateToIso,
  type ValueKind,
} from './values.js';

const COMMA = 44;
const ISO_DATE = 'a date YYYY-MM-DD';
/** Power of two: the symbol cache is direct-mapped on a cheap hash. */
const SYMBOL_SLOTS = 64;

/**
 * Reads the comma-separated fields of one line left to right, by hand: no split, no regex, one
 * `indexOf` per field. Each read names the DTN field it expects so that the first problem
 * becomes a DecodeError naming that field (the first problem wins; later reads carry on
 * harmlessly and the decoder returns `error` instead of the message). One reader serves every
 * line of a connection.
 *
 * Fields beyond the ones a decoder reads are ignored: IQConnect appends columns in newer
 * versions (vectors 0, 88 and 89 carry two extra tokens), and the optional trailing comma is
 * just one more empty field.
 */
export class FieldReader {
  error: DecodeError | null = null;
  private line = '';
  private channel: Channel = 'L1';
  /** Start of the next field; past the end of the line when no field is left. */
  private pos = 0;
  /** Start of the field read last (for errors about it). */
  private start = 0;
  /** Where the line's fields begin, and the index of that first field (for error indexes). */
  private from = 0;
  private firstIndex = 0;
  /**
   * Recently seen symbols and the last date: a feed repeats them on nearly every line, so
   * handing back the same string saves an allocation per field (and gives downstream maps
   * interned keys).
   */
  private readonly symbols: string[] = new Array<string>(SYMBOL_SLOTS).fill('');
  private lastDate = '';
  /** The last L1 date as sent (`MM/DD/YYYY`) and as ISO. */
  private lastUsRaw = '';
  private lastUsIso = '';

  /** Begin a line whose field `index` starts at character `from`. */
  reset(line: string, channel: Channel, from: number, index: number): void {
    this.line = line;
    this.channel = channel;
    this.pos = from;
    this.from = from;
    this.firstIndex = index;
    this.error = null;
  }

  /**
   * Raw text of a field ahead without reading it: 0 is the next field, 1 the one after. Null
   * past the end of the line. For the few messages whose layout shows only in their content.
   */
  peek(ahead: number): string | null {
    const line = this.line;
    let p = this.pos;
    for (let k = 0; k < ahead; k++) {
      const e = line.indexOf(',', p);
      if (p > line.length || e < 0) return null;
      p = e + 1;
    }
    if (p > line.length) return null;
    const e = line.indexOf(',', p);
    return line.slice(p, e < 0 ? line.length : e);
  }

  /** Index of the field starting at `start` (or of the missing field past the end). */
  private indexAt(start: number): number {
    const line = this.line;
    // No field at all after the type (`S`, `O`): the first one is the missing one.
    if (this.from > line.length) return this.firstIndex;
    const stop = Math.min(start, line.length);
    let commas = 0;
    for (let i = line.indexOf(',', this.from); i >= 0 && i < stop; i = line.indexOf(',', i + 1)) commas++;
    // Past the end: the fields present are commas + 1, and the missing one comes after them.
    return this.firstIndex + commas + (start > line.length ? 1 : 0);
  }

  /** Records a problem with the field just read, whose text was `got`. First problem wins. */
  fail(field: string, expected: string, got: string): void {
    if (this.error === null) {
      this.error = decodeError(this.channel, this.line, field, this.indexAt(this.start), expected, got);
    }
  }

  private bad(field: string, expected: string, start: number, end: number): void {
    if (this.error === null) {
      const got = this.line.slice(start, end);
      this.error = decodeError(this.channel, this.line, field, this.indexAt(start), expected, got);
    }
  }

  private missing(field: string, expected: string): void {
    if (this.error === null) {
      this.error = decodeError(this.channel, this.line, field, this.indexAt(this.pos), expected, null);
    }
  }

  /**
   * Moves past the next field and returns its end; its start is `this.start`. Returns -1 (and
   * records the problem) when the line has no field left. Reads after a problem carry on
   * harmlessly: the decoder returns `error`, not what they produced.
   */
  private next(field: string, expected: string): number {
    const line = this.line;
    const s = this.pos;
    if (s > line.length) {
      this.missing(field, expected);
      return -1;
    }
    let e = line.indexOf(',', s);
    if (e < 0) e = line.length;
    this.start = s;
    this.pos = e + 1;
    return e;
  }

  /** A field whose value is not looked at (a `(Reserved)` column). */
  skip(field: string): void {
    this.next(field, 'a field');
  }

  /** Text; empty is null. */
  text(field: string): string | null {
    const e = this.next(field, EXPECTED.text);
    if (e < 0 || e === this.start) return null;
    return this.line.slice(this.start, e);
  }

  /** Text that must be present (a keyword, an MMID). */
  required(field: string, expected = 'a value (not empty)'): string {
    const e = this.next(field, expected);
    if (e < 0) return '';
    if (e === this.start) {
      this.bad(field, expected, e, e);
      return '';
    }
    return this.line.slice(this.start, e);
  }

  /** A symbol (required), shared with earlier lines that had the same one. */
  symbol(field: string): string {
    const e = this.next(field, 'a symbol');
    if (e < 0) return '';
    const s = this.start;
    const length = e - s;
    if (length === 0) {
      this.bad(field, 'a symbol', s, e);
      return '';
    }
    const line = this.line;
    const slot = (line.charCodeAt(s) + 7 * line.charCodeAt(e - 1) + 31 * length) & (SYMBOL_SLOTS - 1);
    const cached = this.symbols[slot];
    if (cached.length === length && line.startsWith(cached, s)) return cached;
    const symbol = line.slice(s, e);
    this.symbols[slot] = symbol;
    return symbol;
  }

  /**
   * A decimal number; empty is null. Numeric reads refuse anything not finite, not only NaN: an
   * infinity would pass the decoder and then throw in the book or the record writer.
   */
  number(field: string): number | null {
    const e = this.next(field, EXPECTED.price);
    const s = this.start;
    if (e < 0 || e === s) return null;
    const v = parseDecimal(this.line, s, e);
    if (!Number.isFinite(v)) this.bad(field, EXPECTED.price, s, e);
    return v;
  }

  requiredNumber(field: string): number {
    const e = this.next(field, EXPECTED.price);
    if (e < 0) return 0;
    const v = parseDecimal(this.line, this.start, e);
    if (!Number.isFinite(v)) this.bad(field, EXPECTED.price, this.start, e);
    return v;
  }

  /** An integer; empty is null. */
  integer(field: string): number | null {
    const e = this.next(field, EXPECTED.integer);
    const s = this.start;
    if (e < 0 || e === s) return null;
    const v = parseInteger(this.line, s, e);
    if (!Number.isFinite(v)) this.bad(field, EXPECTED.integer, s, e);
    return v;
  }

  requiredInteger(field: string): number {
    const e = this.next(field, EXPECTED.integer);
    if (e < 0) return 0;
    const v = parseInteger(this.line, this.start, e);
    if (!Number.isFinite(v)) this.bad(field, EXPECTED.integer, this.start, e);
    return v;
  }

  /** `A` (ask / sell) or `B` (bid / buy). */
  side(field: string): 'A' | 'B' {
    const e = this.next(field, 'A or B');
    if (e < 0) return 'A';
    const s = this.start;
    if (e - s === 1) {
      const c = this.line.charCodeAt(s);
      if (c === 65) return 'A';
      if (c === 66) return 'B';
    }
    this.bad(field, 'A or B', s, e);
    return 'A';
  }

  /** A time of day, kept as wire text; empty is null. */
  time(field: string): string | null {
    const e = this.next(field, EXPECTED.time);
    const s = this.start;
    if (e < 0 || e === s) return null;
    if (!isTime(this.line, s, e)) this.bad(field, EXPECTED.time, s, e);
    return this.line.slice(s, e);
  }

  /** A Level 2 date `YYYY-MM-DD`, kept as is; empty is null. */
  isoDate(field: string): string | null {
    const e = this.next(field, ISO_DATE);
    const s = this.start;
    if (e < 0 || e === s) return null;
    const line = this.line;
    const last = this.lastDate;
    if (e - s === 10 && last.length === 10 && line.startsWith(last, s)) return last;
    if (!isIsoDate(line, s, e)) {
      this.bad(field, ISO_DATE, s, e);
      return null;
    }
    const date = line.slice(s, e);
    this.lastDate = date;
    return date;
  }

  /** A Level 1 date `MM/DD/YYYY`, returned as ISO; empty is null. */
  usDate(field: string): string | null {
    const e = this.next(field, EXPECTED.date);
    const s = this.start;
    if (e < 0 || e === s) return null;
    const line = this.line;
    const raw = this.lastUsRaw;
    // Every L1 line of a day carries the same date: build its ISO text once, not per line.
    if (e - s === 10 && raw.length === 10 && line.startsWith(raw, s)) return this.lastUsIso;
    const iso = usDateToIso(line, s, e);
    if (iso === null) {
      this.bad(field, EXPECTED.date, s, e);
      return null;
    }
    this.lastUsRaw = line.slice(s, e);
    this.lastUsIso = iso;
    return iso;
  }

  /** `YYYYMMDD`, returned as ISO; empty is null. */
  compactDate(field: string): string | null {
    const expected = 'a date YYYYMMDD';
    const e = this.next(field, expected);
    const s = this.start;
    if (e < 0 || e === s) return null;
    const iso = compactDateToIso(this.line, s, e);
    if (iso === null) this.bad(field, expected, s, e);
    return iso;
  }

  /**
   * `YYYYMMDD HH:MM:SS` (colons) or `YYYYMMDD HHMMSS`, returned as ISO; empty is null unless
   * `required`.
   */
  compactDateTime(field: string, colons: boolean, required = false): string | null {
    const expected = colons ? 'a timestamp YYYYMMDD HH:MM:SS' : 'a timestamp YYYYMMDD HHMMSS';
    const e = this.next(field, expected);
    const s = this.start;
    if (e < 0) return null;
    if (e === s) {
      if (required) this.bad(field, expected, s, e);
      return null;
    }
    const iso = compactDateTimeToIso(this.line, s, e, colons);
    if (iso === null) this.bad(field, expected, s, e);
    return iso;
  }

  /** One field of a catalogue kind (Q/P and F layouts). */
  value(kind: ValueKind, field: string): FieldValue {
    switch (kind) {
      case 'text':
        return this.text(field);
      case 'price':
      case 'decimal':
        return this.number(field);
      case 'integer':
        return this.integer(field);
      case 'date':
        return this.usDate(field);
      case 'time':
        return this.time(field);
    }
  }

  /**
   * Moves past the next field, checking it exactly as `value` would (the same problems, the same
   * first error) without building its value: for a field the caller does not read.
   */
  check(kind: ValueKind, field: string): void {
    switch (kind) {
      case 'text':
        this.next(field, EXPECTED.text);
        return;
      case 'price':
      case 'decimal':
        this.number(field);
        return;
      case 'integer':
        this.integer(field);
        return;
      case 'date': {
        const e = this.next(field, EXPECTED.date);
        const s = this.start;
        if (e > s && !isUsDate(this.line, s, e)) this.bad(field, EXPECTED.date, s, e);
        return;
      }
      case 'time': {
        const e = this.next(field, EXPECTED.time);
        const s = this.start;
        if (e > s && !isTime(this.line, s, e)) this.bad(field, EXPECTED.time, s, e);
        return;
      }
    }
  }

  /**
   * Everything from here to the end of the line, for text that may contain commas (headlines,
   * error text). One trailing comma is the line's own and is dropped. Empty is null.
   */
  rest(field: string, required: boolean): string | null {
    const line = this.line;
    const p = this.pos;
    if (p > line.length) {
      if (required) this.missing(field, 'text');
      return null;
    }
    let end = line.length;
    if (end > p && line.charCodeAt(end - 1) === COMMA) end--;
    this.start = p;
    this.pos = line.length + 1;
    if (end === p) {
      if (required) this.bad(field, 'text (not empty)', p, p);
      return null;
    }
    return line.slice(p, end);
  }

  /** The remaining fields as a list (field names, watches); one trailing empty field dropped. */
  list(): string[] {
    const line = this.line;
    const p = this.pos;
    if (p > line.length) return [];
    const items = line.slice(p).split(',');
    if (items[items.length - 1] === '') items.pop();
    this.start = p;
    this.pos = line.length + 1;
    return items;
  }
}
