import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyIntegrityCounts,
  IntegrityFlag,
  type IntegrityKind,
  integrityKinds,
  type MakerQuote,
  MmBook,
} from '../../../collector/books/index.js';
import { L2hError } from '../../../common/errors.js';
import {
  aggregate,
  type Contribution,
  crossFlags,
  crossOf,
  expectBookMatches,
  expectFullTop,
  PRICES,
} from './brute.js';

const p = Number.parseFloat;

function quote(bid: string, bidSize: number, ask: string, askSize: number, valid = 'T,T'): MakerQuote {
  const [b, a] = valid.split(',');
  return { bid: p(bid), bidSize, ask: p(ask), askSize, bidValid: b === 'T', askValid: a === 'T' };
}

function blin(): MmBook {
  const book = new MmBook();
  // U,BLIN,NSDQ,12.4,12.41,100,50,…,T,T,  and  U,BLIN,BOSX,0.,0.,0,0,…,F,F,
  book.setQuote('NSDQ', quote('12.4', 100, '12.41', 50));
  book.setQuote('BOSX', quote('0.', 0, '0.', 0, 'F,F'));
  book.setQuote('ARCA', quote('12.40', 200, '12.42', 100));
  book.setQuote('EDGX', quote('12.38', 300, '12.41', 25));
  return book;
}

describe('MmBook by hand', () => {
  it('aggregates quotes by price across market makers and skips a no-quote maker', () => {
    const book = blin();
    expect(book.top(10)).toEqual({
      bids: [
        { price: 12.4, size: 300, orderCount: 2 },
        { price: 12.38, size: 300, orderCount: 1 },
      ],
      asks: [
        { price: 12.41, size: 75, orderCount: 2 },
        { price: 12.42, size: 100, orderCount: 1 },
      ],
      totalBidSize: 600,
      totalAskSize: 175,
    });
    expect(book.makerCount()).toBe(4);
    expect(book.integrity()).toEqual(emptyIntegrityCounts());
  });

  it('replaces a maker quote whole, dropping a side whose valid flag went F', () => {
    const book = blin();
    expect(book.setQuote('NSDQ', quote('12.39', 100, '12.41', 50, 'T,F'))).toBe(0);
    expect(book.top(10).bids).toEqual([
      { price: 12.4, size: 200, orderCount: 1 },
      { price: 12.39, size: 100, orderCount: 1 },
      { price: 12.38, size: 300, orderCount: 1 },
    ]);
    expect(book.top(10).asks).toEqual([
      { price: 12.41, size: 25, orderCount: 1 },
      { price: 12.42, size: 100, orderCount: 1 },
    ]);
  });

  it('changes only the size when a maker re-quotes the same price', () => {
    const book = blin();
    book.setQuote('ARCA', quote('12.40', 500, '12.42', 100));
    expect(book.top(1).bids).toEqual([{ price: 12.4, size: 600, orderCount: 2 }]);
    expect(book.levelCount('B')).toBe(2);
  });

  it('removes a maker and flags the removal of an unknown one', () => {
    const book = blin();
    expect(book.removeMaker('ARCA')).toBe(0);
    expect(book.top(1).bids).toEqual([{ price: 12.4, size: 100, orderCount: 1 }]);
    expect(book.top(5).asks).toEqual([{ price: 12.41, size: 75, orderCount: 2 }]);
    expect(book.removeMaker('BOSX')).toBe(0); // known, even though it quoted nothing
    expect(book.removeMaker('XXXX')).toBe(IntegrityFlag.unknownDelete);
    expect(book.makerCount()).toBe(2);
    expect(book.integrity().unknownDelete).toBe(1);
  });

  it('treats a zero price as no quote even when flagged valid', () => {
    const book = new MmBook();
    expect(book.setQuote('NSDQ', quote('0.', 100, '12.41', 50, 'T,T'))).toBe(0);
    expect(book.levelCount('B')).toBe(0);
    expect(book.top(1).asks).toEqual([{ price: 12.41, size: 50, orderCount: 1 }]);
  });

  it('flags a counting side with size ≤ 0 and keeps it; ignores sizes on sides that do not count', () => {
    const book = new MmBook();
    expect(book.setQuote('NSDQ', quote('12.40', 0, '12.41', 50))).toBe(IntegrityFlag.nonPositiveSize);
    expect(book.top(1).bids).toEqual([{ price: 12.4, size: 0, orderCount: 1 }]);
    expect(book.setQuote('ARCA', quote('12.39', 10, '12.45', 0, 'T,F'))).toBe(0);
    expect(book.integrity().nonPositiveSize).toBe(1);
  });

  it('counts locked and crossed books across makers as transitions', () => {
    const book = blin(); // 12.40 / 12.41
    expect(book.setQuote('IEXG', quote('12.41', 10, '12.44', 10))).toBe(IntegrityFlag.locked);
    expect(book.setQuote('IEXG', quote('12.41', 20, '12.44', 10))).toBe(0);
    expect(integrityKinds(book.setQuote('BATS', quote('12.42', 10, '12.45', 10)))).toEqual(['crossed']);
    expect(book.removeMaker('BATS')).toBe(IntegrityFlag.locked);
    expect(book.removeMaker('IEXG')).toBe(0);
    expect(book.crossState()).toBe('normal');
    expect(book.integrity()).toMatchObject({ crossed: 1, locked: 2 });
  });

  it('refuses a non-finite price on a counting side and leaves the maker as it was', () => {
    const book = blin();
    const before = book.top(10);
    expect(() => book.setQuote('ARCA', quote('12.40', 200, 'x', 100))).toThrow(L2hError);
    expect(book.top(10)).toEqual(before);
    // A non-counting side may hold anything: it is never looked at.
    expect(book.setQuote('ARCA', quote('12.40', 200, 'x', 100, 'T,F'))).toBe(0);
  });

  it('clears every maker', () => {
    const book = blin();
    book.clear();
    expect(book.isEmpty()).toBe(true);
    expect(book.makerCount()).toBe(0);
    expect(book.removeMaker('NSDQ')).toBe(IntegrityFlag.unknownDelete);
  });
});

type MmOp =
  | { kind: 'set'; mmid: string; quote: MakerQuote }
  | { kind: 'remove'; mmid: string }
  | { kind: 'clear' };

const price = fc.constantFrom(0, ...PRICES);
const size = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  fc.integer({ min: -3, max: 0 }),
);
const mmid = fc.constantFrom('NSDQ', 'AMEX', 'MEMX', 'ARCA', 'EDGX', 'BOSX');
const makerQuote: fc.Arbitrary<MakerQuote> = fc.record({
  bid: price,
  bidSize: size,
  ask: price,
  askSize: size,
  bidValid: fc.boolean(),
  askValid: fc.boolean(),
});
const op: fc.Arbitrary<MmOp> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('set' as const), mmid, quote: makerQuote }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), mmid }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

function contributions(quotes: Map<string, MakerQuote>): Contribution[] {
  const out: Contribution[] = [];
  for (const q of quotes.values()) {
    if (q.bidValid && q.bid !== 0) out.push({ side: 'B', price: q.bid, size: q.bidSize, count: 1 });
    if (q.askValid && q.ask !== 0) out.push({ side: 'A', price: q.ask, size: q.askSize, count: 1 });
  }
  return out;
}

describe('MmBook properties', () => {
  it('equals a brute-force aggregation of its quotes after every operation, flags included', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 200, size: 'max' }),
        fc.integer({ min: 0, max: 10 }),
        (ops, depth) => {
          const book = new MmBook();
          const quotes = new Map<string, MakerQuote>();
          const counts: Record<IntegrityKind, number> = emptyIntegrityCounts();
          let cross = crossOf(aggregate([]));
          // One reused quote object, as the deriver will do: the book must copy, not keep it.
          const scratch = { bid: 0, bidSize: 0, ask: 0, askSize: 0, bidValid: false, askValid: false };
          for (const o of ops) {
            let expected = 0;
            let flags: number;
            if (o.kind === 'clear') {
              quotes.clear();
              flags = book.clear();
            } else if (o.kind === 'remove') {
              if (!quotes.delete(o.mmid)) expected |= IntegrityFlag.unknownDelete;
              flags = book.removeMaker(o.mmid);
            } else {
              const q = o.quote;
              quotes.set(o.mmid, q);
              const badBid = q.bidValid && q.bid !== 0 && q.bidSize <= 0;
              const badAsk = q.askValid && q.ask !== 0 && q.askSize <= 0;
              if (badBid || badAsk) expected |= IntegrityFlag.nonPositiveSize;
              Object.assign(scratch, q);
              flags = book.setQuote(o.mmid, scratch);
            }
            const view = aggregate(contributions(quotes));
            const next = crossOf(view);
            expected |= crossFlags(cross, next);
            cross = next;
            for (const k of integrityKinds(expected)) counts[k]++;
            expect(flags).toBe(expected);
            expect(book.lastFlags).toBe(expected);
            expect(book.makerCount()).toBe(quotes.size);
            expectBookMatches(book, view, depth);
          }
          expect(book.integrity()).toEqual(counts);
          expectFullTop(book, aggregate(contributions(quotes)));
        },
      ),
      { numRuns: 100 },
    );
  });
});
