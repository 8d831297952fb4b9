import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MbpBook } from '../../../collector/books/index.js';
import { jsonString, RecordJson } from '../../../collector/records/json.js';
import { chunkBytesFor, RecordBytes, SymbolLines } from '../../../collector/records/record-bytes.js';
import { bookStepper, bookSteps } from '../books/book-steps.js';

/** The line `RecordBytes` wrote last. */
const written = (w: RecordBytes): string => w.chunk.toString('utf8', w.start, w.end);

// Prices as the feed sends them (up to 4 decimals), sizes as integers or odd decimals, and now
// and then a value whose shortest form has an exponent: every one must print as String() does.
const price = fc.oneof(
  fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 10_000),
  fc.constantFrom(1e-7, 1e21, 0.1 + 0.2, 123456789.125),
);
const size = fc.oneof(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.constantFrom(0.5, 1e22, -3, 2 ** 53 + 2));
const op = bookSteps(price, size);
const text = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) });

describe('RecordBytes', () => {
  it('writes the same JSON as RecordJson, byte for byte, over a book changing step by step', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        text,
        text,
        (ops, depth, symbol, session) => {
          const book = new MbpBook();
          const reference = new RecordJson(session);
          // A tiny chunk size: records straddle chunk ends and each gets a new chunk.
          const bytes = new RecordBytes(session, 64);
          const sym = new SymbolLines(jsonString(symbol));
          const step = bookStepper(book);
          for (const [i, o] of ops.entries()) {
            step(o, i);
            const ts = '2025-07-25T09:30:00.000001';
            bytes.l2(sym, ts, book, depth, i + 1);
            expect(written(bytes)).toBe(`${reference.l2(jsonString(symbol), ts, book, depth, i + 1)}\n`);
          }
        },
      ),
    );
  });

  it('writes L1, tick and gap records as RecordJson does, latin1 text and escapes included', () => {
    const num = fc.option(fc.oneof(price, size), { nil: null });
    fc.assert(
      fc.property(
        text,
        num,
        num,
        num,
        num,
        fc.option(text, { nil: null }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (symbol, a, b, c, d, conditions, seq) => {
          const reference = new RecordJson('S1');
          const bytes = new RecordBytes('S1', 128);
          const sym = new SymbolLines(jsonString(symbol));
          const q = jsonString(symbol);
          const ts = '2025-07-25T09:30:00.000000';
          bytes.l1(sym, ts, a, b, c, d, seq);
          expect(written(bytes)).toBe(`${reference.l1(q, ts, a, b, c, d, seq)}\n`);
          bytes.tick(sym, ts, a ?? 1.5, b, conditions, c, d, a, seq);
          expect(written(bytes)).toBe(`${reference.tick(q, ts, a ?? 1.5, b, conditions, c, d, a, seq)}\n`);
          const gap = reference.gap(q, ts, ts, 42, 'stale-feed', 'L2', seq);
          bytes.gap(sym, gap);
          expect(written(bytes)).toBe(`${gap}\n`);
        },
      ),
    );
  });

  it('refuses a non-finite number in an L1 or tick record, as jsonNumber does', () => {
    const sym = new SymbolLines('"X"');
    const bytes = new RecordBytes('S1');
    expect(() => bytes.l1(sym, '2025-07-25T09:30:00.000000', Number.NaN, 1, 2, 3, 1)).toThrow(RangeError);
    expect(() =>
      bytes.tick(sym, '2025-07-25T09:30:00.000000', Number.POSITIVE_INFINITY, 1, null, 1, 1, 1, 1),
    ).toThrow(RangeError);
  });

  it('keeps each symbol and kind in its own chunks, so one stream lies side by side', () => {
    const bytes = new RecordBytes('S1', 4096);
    const syms = [new SymbolLines('"A"'), new SymbolLines('"B"')];
    const last = syms.map(() => ({ chunk: null as Buffer | null, end: 0 }));
    let adjacent = 0;
    for (let seq = 1; seq <= 40; seq++) {
      for (const [i, sym] of syms.entries()) {
        bytes.l1(sym, '2025-07-25T09:30:00.000000', seq, 1, seq + 1, 1, seq);
        if (bytes.chunk === last[i].chunk) {
          // Interleaved with the other symbol's records, yet right after its own last line.
          expect(bytes.start).toBe(last[i].end);
          adjacent++;
        } else {
          expect(bytes.start).toBe(0);
        }
        last[i] = { chunk: bytes.chunk, end: bytes.end };
      }
    }
    expect(adjacent).toBeGreaterThan(60);
    expect(syms[0].l1.chunk).not.toBe(syms[1].l1.chunk);
  });

  it('sizes chunks by the number of symbols, within bounds', () => {
    expect(chunkBytesFor(6)).toBe(256 * 1024);
    expect(chunkBytesFor(500)).toBe(16 * 1024);
    expect(chunkBytesFor(100)).toBe(16 * 1024);
    expect(chunkBytesFor(20)).toBe(128 * 1024);
    expect(chunkBytesFor(0)).toBe(256 * 1024);
  });
});
