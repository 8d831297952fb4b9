import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopesFromJsonl } from '../../../../bench/envelopes.js';
import { MbpBook } from '../../../../collector/books/index.js';
import { Envelope, jsonString, RecordJson } from '../../../../collector/records/json.js';
import { RecordBytes, SymbolLines } from '../../../../collector/records/record-bytes.js';
import type { GapReason, RecordEnvelope, RecordKind } from '../../../../collector/records/types.js';
import { encodeRowFromBytes } from '../../../../collector/sinks/clickhouse/rows-from-bytes.js';
import { bookStepper, bookSteps } from '../../books/book-steps.js';
import { leadWriter, viaEncodeRows, viaObjects } from './encode-helpers.js';

const VER = 1_753_400_000_000_000;

// Values as the feed sends them, and now and then the odd ones `String` prints with many digits,
// an exponent or a sign. Float columns take any finite double.
const price = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 10_000) },
  { weight: 1, arbitrary: fc.integer({ min: -10_000_000, max: 10_000_000 }).map((n) => n / 100) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1e-7, 1e21, 1e22, 0.1 + 0.2, 123456789.125, 2 ** 53, 2 ** 53 + 2, 5e-324),
  },
);
/** Int64 values, rarely one the column refuses (fractional, beyond 2^53). */
const size = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
  { weight: 5, arbitrary: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1e21, 1e22, -3, 2 ** 53, 2 ** 53 + 2) },
);
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
/** Symbols and sessions: mostly plain, some needing escapes, non-ASCII, astral or lone surrogates. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('AAPL', '@ESU25', 'BRK.A', 'ÜBER€', '🚀X', '\ud800', '') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }),
  },
  { weight: 1, arbitrary: fc.constantFrom('Q"X\\Y', 'a\nb') },
);

const two = (lo: number, hi: number) =>
  fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
/**
 * Timestamps in record form, mostly plausible, some with fields `Date.UTC` has to normalise
 * (month 00 or 13, hour 99, year 0050), and some not in record form at all.
 */
const timestamp = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 1970, max: 2200 }).map(String) },
          { weight: 1, arbitrary: fc.constantFrom('0000', '0050', '0100', '1969', '2255', '2256', '9999') },
        ),
        fc.oneof({ weight: 4, arbitrary: two(1, 12) }, two(0, 99)),
        fc.oneof({ weight: 4, arbitrary: two(1, 28) }, two(0, 99)),
        two(0, 99),
        two(0, 99),
        two(0, 99),
        fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, '0')),
      )
      .map(([y, mo, d, h, mi, s, us]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${us}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2025-07-25 09:30:00.000001',
      '2025-07-25T09:30:00.0000',
      '2025-07-25T09:30:00.0000001',
      '2025-07-25T09:30:0a.000001',
      '2025/07/25T09:30:00.000001',
      '',
    ),
  },
);
/** The envelope's day: the timestamp's, as the deriver sets it, or one ClickHouse cannot hold. */
const dayFor = (ts: string, pick: number): string =>
  ['19691231', '2012062', '21500101'][pick] ?? ts.slice(0, 10).replace(/-/g, '');
const dayPick = fc.oneof({ weight: 20, arbitrary: fc.constant(-1) }, fc.integer({ min: 0, max: 2 }));
const ver = fc.oneof({ weight: 20, arbitrary: fc.constant(VER) }, fc.constantFrom(0, -1, 1.5, 2 ** 53));

/** The line `RecordBytes` wrote last, as the deriver hands it to the sinks. */
function lineEnvelope<K extends RecordKind>(
  bytes: RecordBytes,
  kind: K,
  symbol: string,
  seq: number,
  day: string,
): RecordEnvelope<K> {
  return new Envelope(kind, symbol, seq, day, null, bytes.chunk, bytes.start, bytes.end);
}

/**
 * The scanner writes exactly the object path's row, or nothing: and it declines only records the
 * object path refuses or whose strings hold escapes, so the property is not met by falling back.
 */
function checkScanner(kind: RecordKind, env: RecordEnvelope, v: number): void {
  const expected = viaObjects(kind, [env], v);
  const w = leadWriter();
  const before = Buffer.from(w.bytes());
  const ok = encodeRowFromBytes(w, kind, env, v);
  const line = env.lineBytes!.subarray(env.lineStart, env.lineEnd);
  expect(ok).toBe('bytes' in expected && !line.includes(0x5c));
  if (ok) expect({ bytes: w.bytes().toString('hex') }).toEqual(expected);
  else expect(w.bytes()).toEqual(before);
  expect(viaEncodeRows(kind, [env], v)).toEqual(expected);
}

describe('ClickHouse rows from record bytes', () => {
  it('writes the L2 rows of a changing book as the object path does', () => {
    const op = bookSteps(price, size);
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 40 }),
        text,
        text,
        timestamp,
        dayPick,
        ver,
        (ops, depth, symbol, session, ts, pick, v) => {
          const book = new MbpBook();
          const bytes = new RecordBytes(session, 256);
          const sym = new SymbolLines(jsonString(symbol));
          const step = bookStepper(book);
          for (const [i, o] of ops.entries()) {
            step(o, i);
            bytes.l2(sym, ts, book, depth, i + 1);
            checkScanner('l2', lineEnvelope(bytes, 'l2', symbol, i + 1, dayFor(ts, pick)), v);
          }
        },
      ),
    );
  });

  it('writes L1, tick and gap rows as the object path does', () => {
    const reason = fc.constantFrom<GapReason>('disconnect', 'server-disconnected', 'stale-feed', 'restart');
    fc.assert(
      fc.property(
        fc.record({
          symbol: text,
          session: text,
          ts: timestamp,
          pick: dayPick,
          v: ver,
          bid: nullable(price),
          bidSize: nullable(size),
          ask: nullable(price),
          askSize: nullable(size),
          tickPrice: price,
          tickId: nullable(fc.oneof(size, fc.integer({ min: 2 ** 52, max: 2 ** 53 - 1 }))),
          conditions: nullable(fc.oneof(fc.constantFrom('8717', '3D', ''), text)),
          seq: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constant(2 ** 53 - 1)),
          duration: size,
          reason,
          channel: fc.constantFrom<'L1' | 'L2'>('L1', 'L2'),
        }),
        (r) => {
          const bytes = new RecordBytes(r.session, 128);
          const sym = new SymbolLines(jsonString(r.symbol));
          const day = dayFor(r.ts, r.pick);
          bytes.l1(sym, r.ts, r.bid, r.bidSize, r.ask, r.askSize, r.seq);
          checkScanner('l1', lineEnvelope(bytes, 'l1', r.symbol, r.seq, day), r.v);
          bytes.tick(sym, r.ts, r.tickPrice, r.bidSize, r.conditions, r.askSize, r.tickId, r.tickId, r.seq);
          checkScanner('ticks', lineEnvelope(bytes, 'ticks', r.symbol, r.seq, day), r.v);
          const gap = new RecordJson(r.session).gap(
            jsonString(r.symbol),
            r.ts,
            r.ts,
            r.duration,
            r.reason,
            r.channel,
            r.seq,
          );
          bytes.gap(sym, gap);
          checkScanner('gaps', lineEnvelope(bytes, 'gaps', r.symbol, r.seq, day), r.v);
        },
      ),
    );
  });

  /** An L2 line with `spread` and `mid_price` as given, otherwise as the deriver writes it. */
  const l2Line = (spread: string, mid: string, symbol = '"A"', session = '"s"'): string =>
    `{"symbol":${symbol},"timestamp":"2025-07-25T09:30:00.000001","bids":[{"price":1.5,"size":2,"level":1}],` +
    `"asks":[],"total_bid_size":2,"total_ask_size":0,"spread":${spread},"mid_price":${mid},` +
    `"session":${session},"seq":9}`;
  const fromLines = (lines: readonly string[]): RecordEnvelope[] =>
    envelopesFromJsonl(
      lines.map((json) => ({ kind: 'l2' as const, symbol: 'A', seq: 9, day: '20250725', json })),
      'x\n',
    );

  it('reads every JSON number form as Number does, -0 and exponents included', () => {
    const forms = [
      ['-0', '-0.0'],
      ['0', '0.000'],
      ['1e21', '1E+21'],
      ['1.5e-7', '-2.5E-3'],
      ['0.30000000000000004', '123456789012345678'],
      ['9007199254740993', '900719925474099.3'],
      ['0.1234567890123456', '1234567890.123456'],
      ['0.0000000000000000000000001', '1e-400'],
      ['1e309', '-1e309'],
    ];
    for (const [spread, mid] of forms) {
      const [env] = fromLines([l2Line(spread!, mid!)]);
      const expected = viaObjects('l2', [env!], VER);
      const infinite = !Number.isFinite(Number(spread)) || !Number.isFinite(Number(mid));
      expect('error' in expected, `${spread} ${mid}`).toBe(infinite);
      const w = leadWriter();
      expect(encodeRowFromBytes(w, 'l2', env!, VER), `${spread} ${mid}`).toBe(!infinite);
      if (!infinite) expect({ bytes: w.bytes().toString('hex') }).toEqual(expected);
    }
    const w = leadWriter();
    const [negativeZero] = fromLines([l2Line('-0', 'null')]);
    encodeRowFromBytes(w, 'l2', negativeZero!, VER);
    expect(w.bytes().toString('hex')).toContain(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80]).toString('hex'));
  });

  it('leaves what is not JSON to the object path, which throws as it always did', () => {
    for (const bad of ['01', '1.', '.5', '+1', '-', '1e', '1e+', '--1', 'nul', 'NaN', '0x10']) {
      const [env] = fromLines([l2Line(bad, 'null')]);
      const w = leadWriter();
      expect(encodeRowFromBytes(w, 'l2', env!, VER), bad).toBe(false);
      expect(w.length, bad).toBe(5);
      const expected = viaObjects('l2', [env!], VER);
      expect(expected, bad).toMatchObject({ error: { name: 'SyntaxError' } });
      expect(viaEncodeRows('l2', [env!], VER)).toEqual(expected);
    }
  });

  it('copies well-formed UTF-8 as it lies and leaves malformed bytes to the object path', () => {
    const rest = l2Line('0.5', '1.25').slice('{"symbol":"A'.length);
    const withSymbol = (bytes: number[]): RecordEnvelope => {
      const line = Buffer.concat([Buffer.from('{"symbol":"'), Buffer.from(bytes), Buffer.from(`${rest}\n`)]);
      return new Envelope('l2', 'A', 9, '20250725', null, line, 0, line.length);
    };
    const cases: [number[], boolean][] = [
      [[0x41], true],
      [[0xc3, 0x9c, 0xe2, 0x82, 0xac], true], // Ü€
      [[0xf0, 0x9f, 0x9a, 0x80], true], // 🚀
      [[0xef, 0xbf, 0xbd], true], // U+FFFD itself
      [[0x7f], true],
      [[0xc3, 0x28], false], // a lead byte without its continuation
      [[0xc0, 0x80], false], // overlong
      [[0xe0, 0x80, 0x80], false], // overlong
      [[0xed, 0xa0, 0x80], false], // a surrogate
      [[0xf4, 0x90, 0x80, 0x80], false], // above U+10FFFF
      [[0xf8, 0x80, 0x80, 0x80, 0x80], false],
      [[0xe2, 0x82], false], // cut short by the closing quote
      [[0x80], false],
    ];
    for (const [bytes, fast] of cases) {
      const env = withSymbol(bytes);
      const w = leadWriter();
      expect(encodeRowFromBytes(w, 'l2', env, VER), bytes.join(' ')).toBe(fast);
      const expected = viaObjects('l2', [env], VER);
      expect('bytes' in expected).toBe(true);
      if (fast) expect({ bytes: w.bytes().toString('hex') }).toEqual(expected);
      expect(viaEncodeRows('l2', [env], VER)).toEqual(expected);
    }
  });

  it('writes deep books, long strings and many rows into one growing writer', () => {
    const levels = (n: number) =>
      Array.from({ length: n }, (_, k) => `{"price":${100 + k / 100},"size":${k},"level":${k + 1}}`).join(
        ',',
      );
    const total = (n: number) => (n * (n - 1)) / 2;
    const session = 'é'.repeat(200);
    const lines = [130, 0, 1, 300].map(
      (n, k) =>
        `{"symbol":"${'S'.repeat(150 * k)}","timestamp":"2025-07-25T09:30:00.000001","bids":[${levels(n)}],` +
        `"asks":[${levels(n)}],"total_bid_size":${total(n)},"total_ask_size":${total(n)},"spread":null,` +
        `"mid_price":null,"session":"${session}","seq":${k}}`,
    );
    const envelopes = fromLines(lines);
    const w = leadWriter();
    for (const env of envelopes) expect(encodeRowFromBytes(w, 'l2', env, VER)).toBe(true);
    expect({ bytes: w.bytes().toString('hex') }).toEqual(viaObjects('l2', envelopes, VER));
  });
});
