/**
 * RowBinary rows read straight from a record's JSONL bytes, for the ClickHouse sink.
 *
 * Why: the object path (rows.ts) parses each record's JSON (`env.record`) and walks the objects;
 * that cost 6–8 µs per L2 row of depth 10 (2.5 per L1 or tick row) on the collector's single
 * thread, the largest single cost of the sink pipeline. The deriver writes every record in one
 * exact form (record-bytes.ts: keys in a fixed order, no spaces, numbers as `String(n)`, `null`
 * for absent values), so a scanner that accepts that form only can copy strings as their bytes lie
 * and read numbers without making any JS value but a double: measured over real records, about
 * 1.5 µs per L2 row and 0.5 µs per L1 or tick row.
 *
 * The rule: a row is written here only when it is certain to be, byte for byte, the row the object
 * path writes. Anything unexpected (no line bytes, another key order, an escape in a string, a value
 * a column would refuse) makes `encodeRowFromBytes` leave the writer as it was and return false;
 * the caller then encodes that record through the object path, which writes the row or throws its
 * error. Nothing is guessed.
 */
import type { RecordEnvelope, RecordKind } from '../../records/types.js';
import { RowBinaryWriter } from './row-binary.js';
import { dayNumber } from './schema.js';

// How a field's value is read and which column type it is written as.
const STRING = 0;
const TIMESTAMP = 1;
const NULLABLE_STRING = 2;
const FLOAT = 3;
const NULLABLE_FLOAT = 4;
const INT = 5;
const NULLABLE_INT = 6;
const UINT = 7;
/** A book side: `[{"price":P,"size":S,"level":N},…]` → Array(Float64) prices, Array(Int64) sizes. */
const LEVELS = 8;

interface Field {
  /** The text before the value: `{"symbol":` for the first field, `,"name":` for the others. */
  readonly key: Buffer;
  readonly type: number;
}

/**
 * The fields of each kind in the order record-bytes.ts writes them, which is also the column order
 * of schema.ts (`bids` gives `bid_prices` and `bid_sizes`); `ts_us`, `day` and `ver` follow.
 */
function fields(spec: readonly (readonly [string, number])[]): readonly Field[] {
  const all: readonly (readonly [string, number])[] = [
    ['symbol', STRING],
    ['timestamp', TIMESTAMP],
    ...spec,
    ['session', STRING],
    ['seq', UINT],
  ];
  return all.map(([name, type], i) => ({ key: Buffer.from(`${i === 0 ? '{' : ','}"${name}":`), type }));
}

const FIELDS: Readonly<Record<RecordKind, readonly Field[]>> = {
  l2: fields([
    ['bids', LEVELS],
    ['asks', LEVELS],
    ['total_bid_size', INT],
    ['total_ask_size', INT],
    ['spread', NULLABLE_FLOAT],
    ['mid_price', NULLABLE_FLOAT],
  ]),
  l1: fields([
    ['bid', NULLABLE_FLOAT],
    ['bid_size', NULLABLE_INT],
    ['ask', NULLABLE_FLOAT],
    ['ask_size', NULLABLE_INT],
    ['spread', NULLABLE_FLOAT],
    ['mid_price', NULLABLE_FLOAT],
  ]),
  ticks: fields([
    ['price', FLOAT],
    ['size', NULLABLE_INT],
    ['conditions', NULLABLE_STRING],
    ['market_center', NULLABLE_INT],
    ['total_volume', NULLABLE_INT],
    ['tick_id', NULLABLE_INT],
  ]),
  gaps: fields([
    ['gap_end', STRING],
    ['duration_us', INT],
    ['reason', STRING],
    ['channel', STRING],
  ]),
};

const LEVEL_FIRST = Buffer.from('{"price":');
const LEVEL_NEXT = Buffer.from(',{"price":');
const LEVEL_SIZE = Buffer.from(',"size":');
const LEVEL_RANK = Buffer.from(',"level":');
const EMPTY = Buffer.alloc(0);

/** 10^k for k ≤ 16, each exact as a double (parsed, not computed, so no `**` rounding). */
const POW10 = Array.from({ length: 17 }, (_, k) => Number(`1e${k}`));
const TWO_POW_53 = 9_007_199_254_740_992;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Two ASCII digits at `at` as 0..99, or -1. */
function twoDigits(s: Buffer, at: number): number {
  const a = s[at] - 48;
  const b = s[at + 1] - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Whether `s[a, b)` is well-formed UTF-8: only then does decoding it to a string and encoding that
 * again (the object path) give back the same bytes; a malformed sequence would become U+FFFD.
 */
function isUtf8(s: Buffer, a: number, b: number): boolean {
  let i = a;
  while (i < b) {
    const c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // The range of the first continuation byte excludes overlong forms (after E0, F0), UTF-16
    // surrogates (after ED) and code points above U+10FFFF (after F4).
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + more >= b) return false;
    const c1 = s[i + 1];
    if (c1 < lo || c1 > hi) return false;
    for (let k = 2; k <= more; k++) {
      const ck = s[i + k];
      if (ck < 0x80 || ck > 0xbf) return false;
    }
    i += more + 1;
  }
  return true;
}

/**
 * The scanner: reads one line at `i` in `src` and writes its row through `w`. One instance is
 * reused for every row (the collector is single-threaded), so a row allocates nothing.
 */
class RowScanner {
  private src: Buffer = EMPTY;
  private i = 0;
  private w: RowBinaryWriter = new RowBinaryWriter(1);
  private tsUs = 0;
  private prices = new Float64Array(32);
  private sizes = new Float64Array(32);
  /** `dayNumber` of the last `env.day` seen: records come a day at a time. */
  private dayText = '';
  private dayValue = -1;
  /** `Date.UTC` of the last timestamp's date (keyed YYYYMMDD as a number), for the same reason. */
  private dateKey = -1;
  private dateMs = 0;

  encode(w: RowBinaryWriter, kind: RecordKind, env: RecordEnvelope, ver: number): boolean {
    const src = env.lineBytes;
    // The JSON is `[lineStart, lineEnd - 1)`; its `\n` stops every token, so no read runs past it.
    const end = env.lineEnd - 1;
    if (src === null || end <= env.lineStart || src[end] !== 10) return false;
    if (!Number.isSafeInteger(ver) || ver < 0) return false;
    const day = this.day(env.day);
    if (day < 0) return false;
    const rowStart = w.length;
    this.w = w;
    this.src = src;
    this.i = env.lineStart;
    const ok = this.row(FIELDS[kind]) && src[this.i] === 125 && this.i + 1 === end;
    if (ok) {
      w.int64(this.tsUs);
      w.uint16(day);
      w.uint64(ver);
    } else {
      // A row given up half way leaves nothing behind.
      w.truncate(rowStart);
    }
    // Not kept past the row: the line's chunk is the envelope's to free.
    this.src = EMPTY;
    return ok;
  }

  private day(text: string): number {
    if (text !== this.dayText) {
      this.dayText = text;
      this.dayValue = dayNumber(text) ?? -1;
    }
    return this.dayValue;
  }

  private row(fields: readonly Field[]): boolean {
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f];
      if (!this.expect(field.key) || !this.value(field.type)) return false;
    }
    return true;
  }

  private value(type: number): boolean {
    switch (type) {
      case STRING:
        return this.string();
      case TIMESTAMP:
        return this.timestamp() && this.string();
      case LEVELS:
        return this.levels();
      case FLOAT:
        return this.float();
      case INT:
        return this.int();
      case UINT:
        return this.uint();
      case NULLABLE_STRING:
        return this.nullFlag() || this.string();
      case NULLABLE_FLOAT:
        return this.nullFlag() || this.float();
      case NULLABLE_INT:
        return this.nullFlag() || this.int();
    }
    return false;
  }

  /** A Nullable column's flag: true after writing 1 for a `null` (consumed), else writes 0. */
  private nullFlag(): boolean {
    const s = this.src;
    const i = this.i;
    const isNull = s[i] === 110 && s[i + 1] === 117 && s[i + 2] === 108 && s[i + 3] === 108;
    if (isNull) this.i = i + 4;
    this.w.nullFlag(isNull);
    return isNull;
  }

  private float(): boolean {
    const v = this.number();
    if (!Number.isFinite(v)) return false;
    this.w.float64(v);
    return true;
  }

  private int(): boolean {
    const v = this.number();
    if (!Number.isSafeInteger(v)) return false;
    this.w.int64(v);
    return true;
  }

  private uint(): boolean {
    const v = this.number();
    if (!Number.isSafeInteger(v) || v < 0) return false;
    this.w.uint64(v);
    return true;
  }

  private expect(key: Buffer): boolean {
    const s = this.src;
    const i = this.i;
    const n = key.length;
    for (let k = 0; k < n; k++) if (s[i + k] !== key[k]) return false;
    this.i = i + n;
    return true;
  }

  /** A JSON string without escapes, written as LEB128 length and its bytes as they lie. */
  private string(): boolean {
    const s = this.src;
    if (s[this.i] !== 34) return false;
    const a = this.i + 1;
    let j = a;
    let high = false;
    for (;;) {
      const c = s[j];
      if (c === 34) break;
      // An escape would change the bytes; a raw control character (the line's `\n` included) is
      // not JSON at all.
      if (c === 92 || c < 32) return false;
      if (c >= 0x80) high = true;
      j++;
    }
    if (high && !isUtf8(s, a, j)) return false;
    this.w.varUInt(j - a);
    this.w.raw(s, a, j);
    this.i = j + 1;
    return true;
  }

  /**
   * Reads the timestamp string at the read position (not consumed) into `tsUs` as `timestampUs`
   * (schema.ts) does: exactly `YYYY-MM-DDTHH:MM:SS.ffffff`, fields not range-checked, the date and
   * time through `Date.UTC`, which normalises overflowing fields and maps years 0–99 to 1900–1999.
   */
  private timestamp(): boolean {
    const s = this.src;
    const a = this.i + 1;
    if (s[a + 26] !== 34) return false;
    if (s[a + 4] !== 45 || s[a + 7] !== 45 || s[a + 10] !== 84) return false; // - - T
    if (s[a + 13] !== 58 || s[a + 16] !== 58 || s[a + 19] !== 46) return false; // : : .
    const century = twoDigits(s, a);
    const year = twoDigits(s, a + 2);
    const month = twoDigits(s, a + 5);
    const date = twoDigits(s, a + 8);
    const hour = twoDigits(s, a + 11);
    const minute = twoDigits(s, a + 14);
    const second = twoDigits(s, a + 17);
    const us1 = twoDigits(s, a + 20);
    const us2 = twoDigits(s, a + 22);
    const us3 = twoDigits(s, a + 24);
    if ((century | year | month | date | hour | minute | second | us1 | us2 | us3) < 0) return false;
    const key = (century * 100 + year) * 10_000 + month * 100 + date;
    if (key !== this.dateKey) {
      this.dateKey = key;
      this.dateMs = Date.UTC(century * 100 + year, month - 1, date);
    }
    // Date.UTC adds the time of day to the date's ms the same way, in exact integers.
    const ms = this.dateMs + ((hour * 60 + minute) * 60 + second) * 1000;
    const tsUs = ms * 1000 + (us1 * 10_000 + us2 * 100 + us3);
    if (!Number.isSafeInteger(tsUs)) return false;
    this.tsUs = tsUs;
    return true;
  }

  private levels(): boolean {
    const s = this.src;
    if (s[this.i] !== 91) return false; // [
    this.i++;
    let n = 0;
    if (s[this.i] === 93) this.i++;
    else {
      for (;;) {
        if (!this.expect(n === 0 ? LEVEL_FIRST : LEVEL_NEXT)) return false;
        const price = this.number();
        if (!Number.isFinite(price) || !this.expect(LEVEL_SIZE)) return false;
        const size = this.number();
        if (!Number.isSafeInteger(size) || !this.expect(LEVEL_RANK)) return false;
        if (this.number() !== n + 1 || s[this.i] !== 125) return false; // }
        this.i++;
        if (n === this.prices.length) this.growLevels();
        this.prices[n] = price;
        this.sizes[n] = size;
        n++;
        if (s[this.i] === 93) {
          this.i++;
          break;
        }
      }
    }
    const w = this.w;
    w.varUInt(n);
    for (let k = 0; k < n; k++) w.float64(this.prices[k]);
    w.varUInt(n);
    for (let k = 0; k < n; k++) w.int64(this.sizes[k]);
    return true;
  }

  private growLevels(): void {
    const prices = new Float64Array(this.prices.length * 2);
    const sizes = new Float64Array(this.sizes.length * 2);
    prices.set(this.prices);
    sizes.set(this.sizes);
    this.prices = prices;
    this.sizes = sizes;
  }

  /**
   * The JSON number at the read position, exactly as `Number` reads its text (consumed); NaN when
   * there is no JSON number there. With at most 16 digits whose integer (the point left out) is
   * below 2^53, that integer is exact and so is 10^decimals: one correctly rounded division of
   * the two is the correctly rounded decimal, as `Number` gives.
   */
  private number(): number {
    const s = this.src;
    const start = this.i;
    let i = start;
    let c = s[i];
    const negative = c === 45;
    if (negative) c = s[++i];
    const digitsStart = i;
    let m = 0;
    if (c === 48) {
      c = s[++i];
      if (isDigit(c)) return Number.NaN; // a leading zero: not JSON
    } else if (c >= 49 && c <= 57) {
      do {
        m = m * 10 + (c - 48);
        c = s[++i];
      } while (isDigit(c));
    } else return Number.NaN;
    let digits = i - digitsStart;
    let decimals = 0;
    if (c === 46) {
      c = s[++i];
      if (!isDigit(c)) return Number.NaN;
      const fractionStart = i;
      do {
        m = m * 10 + (c - 48);
        c = s[++i];
      } while (isDigit(c));
      decimals = i - fractionStart;
      digits += decimals;
    }
    // Up to 15 digits the integer is below 2^53, so every step was exact; with 16 it was exact if
    // it came out below 2^53 (rounding is monotonic, so a true value ≥ 2^53 cannot round below).
    if (c === 101 || c === 69 || (digits > 15 && (digits > 16 || m >= TWO_POW_53))) {
      return this.numberFromText(start);
    }
    this.i = i;
    const v = decimals === 0 ? m : m / POW10[decimals];
    return negative ? -v : v;
  }

  /** A JSON number the fast reading cannot take exactly (an exponent, many digits), via `Number`. */
  private numberFromText(start: number): number {
    const s = this.src;
    let i = start;
    if (s[i] === 45) i++;
    if (s[i] === 48) i++;
    else if (s[i] >= 49 && s[i] <= 57) while (isDigit(s[i])) i++;
    else return Number.NaN;
    if (s[i] === 46) {
      if (!isDigit(s[++i])) return Number.NaN;
      while (isDigit(s[i])) i++;
    }
    if (s[i] === 101 || s[i] === 69) {
      i++;
      if (s[i] === 43 || s[i] === 45) i++;
      if (!isDigit(s[i])) return Number.NaN;
      while (isDigit(s[i])) i++;
    }
    this.i = i;
    return Number(s.toString('latin1', start, i));
  }
}

const scanner = new RowScanner();

/**
 * Appends the row of `env` (a `kind` record) to `w` straight from its JSONL bytes and returns
 * true; or, when it cannot be sure to write exactly what the object path would, writes nothing
 * and returns false.
 */
export function encodeRowFromBytes(
  w: RowBinaryWriter,
  kind: RecordKind,
  env: RecordEnvelope,
  ver: number,
): boolean {
  return scanner.encode(w, kind, env, ver);
}
