import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MbpBook } from '../../../collector/books/index.js';
import {
  Envelope,
  jsonNumber,
  jsonString,
  RecordJson,
  recordJsonBytes,
} from '../../../collector/records/json.js';
import { dayOf, laterTime, padTime, stamp } from '../../../collector/records/timestamp.js';
import { T0 } from './helpers.js';

describe('record JSON', () => {
  it('escapes only what JSON needs and prints numbers in their shortest form', () => {
    expect(jsonString('@ES#')).toBe('"@ES#"');
    expect(jsonString('a"b\\c\n')).toBe(JSON.stringify('a"b\\c\n'));
    expect(jsonNumber(215.11)).toBe('215.11');
    expect(jsonNumber(0.1 + 0.2 - 0.2)).toBe(String(0.1 + 0.2 - 0.2));
    expect(jsonNumber(null)).toBe('null');
    expect(() => jsonNumber(Number.NaN)).toThrow(RangeError);
  });

  it('parses back to the same values for any book (JSON.parse agrees with the hand-built text)', () => {
    const price = fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 10_000);
    const level = fc.record({
      side: fc.constantFrom('B' as const, 'A' as const),
      price,
      size: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(
        fc.array(level, { maxLength: 30 }),
        fc.integer({ min: 1, max: 12 }),
        fc.string(),
        (levels, depth, symbol) => {
          const book = new MbpBook();
          for (const l of levels) book.upsertLevel(l.side, l.price, l.size, 1);
          const json = new RecordJson('s"1').l2(
            jsonString(symbol),
            '2025-07-25T09:30:00.000000',
            book,
            depth,
            7,
          );
          const r = JSON.parse(json) as Record<string, unknown>;
          const top = book.top(depth);
          expect(Object.keys(r)).toEqual([
            'symbol',
            'timestamp',
            'bids',
            'asks',
            'total_bid_size',
            'total_ask_size',
            'spread',
            'mid_price',
            'session',
            'seq',
          ]);
          expect(r.symbol).toBe(symbol);
          expect(r.session).toBe('s"1');
          expect(r.bids).toEqual(top.bids.map((l, i) => ({ price: l.price, size: l.size, level: i + 1 })));
          expect(r.asks).toEqual(top.asks.map((l, i) => ({ price: l.price, size: l.size, level: i + 1 })));
          expect(r.total_bid_size).toBe(top.totalBidSize);
          if (top.bids.length > 0 && top.asks.length > 0) {
            // Exact decimal: never the float noise of a plain subtraction.
            expect(String(r.spread)).toBe(String(Number((top.asks[0].price - top.bids[0].price).toFixed(4))));
          } else {
            expect(r.spread).toBeNull();
          }
        },
      ),
    );
  });

  it('gives an envelope whose record is its JSON parsed', () => {
    const e = new Envelope('l1', 'AAPL', 3, '20250725', '{"symbol":"AAPL","seq":3}');
    expect(e.record).toEqual({ symbol: 'AAPL', seq: 3 });
    expect(recordJsonBytes(e).toString('utf8')).toBe('{"symbol":"AAPL","seq":3}');
  });

  it('reads an envelope made from JSONL bytes without keeping text or objects on it', () => {
    const line = Buffer.from('xx{"symbol":"Ü","seq":4}\nyy', 'utf8');
    const start = 2;
    const end = line.indexOf(10) + 1;
    const e = new Envelope('l1', 'Ü', 4, '20250725', null, line, start, end);
    expect(e.json).toBe('{"symbol":"Ü","seq":4}');
    expect(e.record).toEqual({ symbol: 'Ü', seq: 4 });
    // A fresh parse each time: nothing is cached on the envelope while it waits in a batch.
    expect(e.record).not.toBe(e.record);
    const bytes = recordJsonBytes(e);
    expect(bytes.toString('utf8')).toBe(e.json);
    // A view of the line, not a copy.
    expect(bytes.buffer).toBe(line.buffer);
    expect(Object.keys(e)).not.toContain('parsed');
  });
});

describe('record timestamps', () => {
  it('pads, cuts and drops wire times', () => {
    expect(padTime('09:30:00')).toBe('09:30:00.000000');
    expect(padTime('09:30:00.5')).toBe('09:30:00.500000');
    expect(padTime('09:30:00.123456')).toBe('09:30:00.123456');
    expect(padTime('09:30:00.1234567')).toBe('09:30:00.123456');
    expect(padTime('99:99:99')).toBeNull();
    expect(padTime('')).toBeNull();
    expect(padTime(null)).toBeNull();
    expect(laterTime('09:30:00.000001', '09:29:59.999999')).toBe('09:30:00.000001');
    expect(laterTime(null, '09:29:59.999999')).toBe('09:29:59.999999');
    // More than 12 hours apart: midnight lies between them, and the smaller is the later.
    expect(laterTime('23:59:59.700000', '00:00:00.400000')).toBe('00:00:00.400000');
    expect(laterTime('00:00:00.400000', '23:59:59.700000')).toBe('00:00:00.400000');
    expect(laterTime('20:00:00.000000', '08:00:00.000000')).toBe('20:00:00.000000');
  });

  it('falls back per part: own, then the T line, then the receive time in US Eastern', () => {
    const t = { date: '2025-07-24', time: '23:59:59.000000' };
    expect(stamp('2025-07-25', '09:30:00.000001', t, T0)).toBe('2025-07-25T09:30:00.000001');
    expect(stamp(null, '23:59:58.000001', t, T0)).toBe('2025-07-24T23:59:58.000001');
    expect(stamp('2025-07-25', null, t, T0)).toBe('2025-07-25T23:59:59.000000');
    expect(stamp(null, null, null, T0 + 42)).toBe('2025-07-25T09:30:00.000042');
    expect(dayOf('2025-07-25T09:30:00.000042')).toBe('20250725');
  });

  it('dates a time taken with a date from elsewhere by the nearest day: midnight may lie between them', () => {
    // A bid time from before midnight, read after the 00:00:00 T line: the day before the T date.
    const afterMidnight = { date: '2025-07-26', time: '00:00:00.000000' };
    expect(stamp(null, '23:59:59.700000', afterMidnight, T0)).toBe('2025-07-25T23:59:59.700000');
    // A time just past midnight, read before the next T line: the day after.
    const beforeMidnight = { date: '2025-12-31', time: '23:59:59.000000' };
    expect(stamp(null, '00:00:00.400000', beforeMidnight, T0)).toBe('2026-01-01T00:00:00.400000');
    // Within 12 hours: the source's date as it is; and a date of the message's own is kept.
    expect(stamp(null, '12:00:00.000000', afterMidnight, T0)).toBe('2025-07-26T12:00:00.000000');
    expect(stamp('2025-07-26', '23:59:59.700000', afterMidnight, T0)).toBe('2025-07-26T23:59:59.700000');
    // From the receive time too (T0 is 09:30 Eastern on 2025-07-25).
    expect(stamp(null, '23:00:00.000000', null, T0)).toBe('2025-07-24T23:00:00.000000');
    expect(dayOf('2024-01-02T00:00:00.000000')).toBe('20240102');
  });
});
