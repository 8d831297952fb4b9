import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyIntegrityCounts,
  IntegrityFlag,
  type IntegrityKind,
  integrityKinds,
  MbpBook,
  type Side,
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

function seeded(): MbpBook {
  const book = new MbpBook();
  // 7,SYM,B,10.01,100,2 … the summary burst of a by-price watch.
  book.upsertLevel('B', p('10.01'), 100, 2);
  book.upsertLevel('B', p('10.00'), 50, 1);
  book.upsertLevel('B', p('10.02'), 30, 1);
  book.upsertLevel('A', p('10.05'), 10, 1);
  book.upsertLevel('A', p('10.04'), 20, 2);
  book.upsertLevel('A', p('10.07'), 5, 1);
  return book;
}

describe('MbpBook by hand', () => {
  it('keeps levels best first and totals the levels it returns', () => {
    const book = seeded();
    expect(book.top(2)).toEqual({
      bids: [
        { price: 10.02, size: 30, orderCount: 1 },
        { price: 10.01, size: 100, orderCount: 2 },
      ],
      asks: [
        { price: 10.04, size: 20, orderCount: 2 },
        { price: 10.05, size: 10, orderCount: 1 },
      ],
      totalBidSize: 130,
      totalAskSize: 30,
    });
    expect(book.levelCount('B')).toBe(3);
    expect(book.levelCount('A')).toBe(3);
    expect(book.top(0)).toEqual({ bids: [], asks: [], totalBidSize: 0, totalAskSize: 0 });
    expect(book.top(10).bids.map((l) => l.price)).toEqual([10.02, 10.01, 10]);
    expect(book.integrity()).toEqual(emptyIntegrityCounts());
  });

  it('treats size and order count of an update as absolute, not deltas', () => {
    const book = seeded();
    expect(book.upsertLevel('B', p('10.01'), 40, 3)).toBe(0);
    expect(book.top(2).bids[1]).toEqual({ price: 10.01, size: 40, orderCount: 3 });
    expect(book.levelCount('B')).toBe(3);
  });

  it('deletes a level by side and price, and flags a delete of an unknown level', () => {
    const book = seeded();
    expect(book.deleteLevel('A', p('10.04'))).toBe(0);
    expect(book.top(1).asks).toEqual([{ price: 10.05, size: 10, orderCount: 1 }]);
    // 10.02 exists on the bid side only.
    expect(book.deleteLevel('A', p('10.02'))).toBe(IntegrityFlag.unknownDelete);
    expect(book.lastFlags).toBe(IntegrityFlag.unknownDelete);
    expect(book.levelCount('B')).toBe(3);
    expect(book.integrity().unknownDelete).toBe(1);
  });

  it('clears one side on CLEAR DEPTH and leaves the other', () => {
    const book = seeded();
    book.clearSide('B');
    expect(book.levelCount('B')).toBe(0);
    expect(book.top(1).asks[0].price).toBe(10.04);
    expect(book.isEmpty()).toBe(false);
    book.clearSide('A');
    expect(book.isEmpty()).toBe(true);
    expect(book.bestPrice('B')).toBeNaN();
  });

  it('keeps a zero or negative size level as sent and flags it', () => {
    const book = seeded();
    expect(book.upsertLevel('A', p('10.06'), 0, 0)).toBe(IntegrityFlag.nonPositiveSize);
    expect(book.upsertLevel('A', p('10.04'), -5, 1)).toBe(IntegrityFlag.nonPositiveSize);
    expect(book.top(3).asks).toEqual([
      { price: 10.04, size: -5, orderCount: 1 },
      { price: 10.05, size: 10, orderCount: 1 },
      { price: 10.06, size: 0, orderCount: 0 },
    ]);
    expect(book.integrity().nonPositiveSize).toBe(2);
    expect(integrityKinds(book.lastFlags)).toEqual(['nonPositiveSize']);
  });

  it('counts transitions into locked and crossed, not each message while they last', () => {
    const book = seeded(); // best bid 10.02, best ask 10.04
    expect(book.upsertLevel('B', p('10.04'), 5, 1)).toBe(IntegrityFlag.locked);
    expect(book.crossState()).toBe('locked');
    expect(book.upsertLevel('B', p('10.04'), 6, 1)).toBe(0); // still locked
    expect(book.upsertLevel('B', p('10.05'), 5, 1)).toBe(IntegrityFlag.crossed);
    expect(book.upsertLevel('B', p('10.05'), 7, 1)).toBe(0); // still crossed
    expect(book.upsertLevel('A', p('10.03'), 7, 1)).toBe(0); // deeper cross, same incident
    expect(book.deleteLevel('B', p('10.05'))).toBe(0); // 10.04 bid vs 10.03 ask: still crossed
    expect(book.deleteLevel('A', p('10.03'))).toBe(IntegrityFlag.locked); // back to locked: a new entry
    expect(book.deleteLevel('B', p('10.04'))).toBe(0); // normal again
    expect(book.crossState()).toBe('normal');
    // A crossing upsert with a bad size reports both.
    expect(integrityKinds(book.upsertLevel('B', p('10.06'), 0, 0))).toEqual(['crossed', 'nonPositiveSize']);
    expect(book.upsertLevel('A', p('10.01'), 3, 1)).toBe(0);
    expect(book.integrity()).toMatchObject({ crossed: 2, locked: 2, nonPositiveSize: 1 });
    book.clearSide('A');
    expect(book.crossState()).toBe('normal');
  });

  it('refuses a non-finite price with a BAD_INPUT error and leaves the book unchanged', () => {
    const book = seeded();
    const before = book.top(10);
    let caught: unknown;
    try {
      book.upsertLevel('B', Number.NaN, 10, 1);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(L2hError);
    expect((caught as L2hError).code).toBe('BAD_INPUT');
    expect((caught as L2hError).context).toMatchObject({ book: 'mbp', side: 'B', price: 'NaN' });
    expect(book.top(10)).toEqual(before);
  });

  it('serves the same top again while nothing within its depth changed', () => {
    const book = seeded(); // bids 10.02 10.01 10.00, asks 10.04 10.05 10.07
    const first = book.top(2);
    expect(book.top(2)).toBe(first);
    book.upsertLevel('B', p('10.00'), 999, 9); // third bid: below depth 2
    book.upsertLevel('A', p('10.09'), 1, 1); // a new fourth ask
    book.deleteLevel('A', p('10.07'));
    expect(book.top(2)).toBe(first);
    expect(book.top(3)).not.toBe(first);
    expect(book.top(3).bids[2]).toEqual({ price: 10, size: 999, orderCount: 9 });
    const second = book.top(2);
    expect(second).toEqual(first);
    book.upsertLevel('A', p('10.05'), 11, 1); // second ask: within depth
    const third = book.top(2);
    expect(third).not.toBe(second);
    expect(third.asks[1]).toEqual({ price: 10.05, size: 11, orderCount: 1 });
    expect(second.asks[1]).toEqual({ price: 10.05, size: 10, orderCount: 1 }); // old result untouched
    book.upsertLevel('B', p('10.03'), 1, 1); // new best bid pushes the others down
    expect(book.top(2).bids.map((l) => l.price)).toEqual([10.03, 10.02]);
    book.clearSide('A');
    expect(book.top(2).asks).toEqual([]);
  });

  it('refuses a depth that is not a non-negative integer', () => {
    const book = seeded();
    expect(() => book.top(-1)).toThrow(L2hError);
    expect(() => book.top(2.5)).toThrow(/non-negative integer/);
  });

  it('grows past its initial capacity and keeps order', () => {
    const book = new MbpBook();
    for (let i = 0; i < 500; i++) book.upsertLevel('B', p(((i * 7919) % 500).toString()), 1, 1);
    const bids = book.top(500).bids;
    expect(bids).toHaveLength(500);
    expect(bids[0].price).toBe(499);
    expect(bids[499].price).toBe(0);
  });
});

type MbpOp =
  | { kind: 'upsert'; side: Side; price: number; size: number; count: number }
  | { kind: 'delete'; side: Side; price: number }
  | { kind: 'clearSide'; side: Side }
  | { kind: 'clear' };

const side = fc.constantFrom<Side>('B', 'A');
const price = fc.constantFrom(...PRICES);
const op: fc.Arbitrary<MbpOp> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('upsert' as const),
      side,
      price,
      size: fc.oneof(
        { weight: 9, arbitrary: fc.integer({ min: 1, max: 1000 }) },
        fc.integer({ min: -3, max: 0 }),
      ),
      count: fc.integer({ min: 0, max: 20 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), side, price }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clearSide' as const), side }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('MbpBook properties', () => {
  it('equals a brute-force book after every operation, flags included', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 200, size: 'max' }),
        fc.integer({ min: 0, max: 10 }),
        (ops, depth) => {
          const book = new MbpBook();
          const levels = new Map<string, Contribution>();
          const counts: Record<IntegrityKind, number> = emptyIntegrityCounts();
          let cross = crossOf(aggregate(levels.values()));
          for (const o of ops) {
            let expected = 0;
            let flags: number;
            switch (o.kind) {
              case 'upsert':
                levels.set(`${o.side}${o.price}`, {
                  side: o.side,
                  price: o.price,
                  size: o.size,
                  count: o.count,
                });
                if (o.size <= 0) expected |= IntegrityFlag.nonPositiveSize;
                flags = book.upsertLevel(o.side, o.price, o.size, o.count);
                break;
              case 'delete':
                if (!levels.delete(`${o.side}${o.price}`)) expected |= IntegrityFlag.unknownDelete;
                flags = book.deleteLevel(o.side, o.price);
                break;
              case 'clearSide':
                for (const [k, l] of levels) if (l.side === o.side) levels.delete(k);
                flags = book.clearSide(o.side);
                break;
              case 'clear':
                levels.clear();
                flags = book.clear();
                break;
            }
            const view = aggregate(levels.values());
            const next = crossOf(view);
            expected |= crossFlags(cross, next);
            cross = next;
            for (const k of integrityKinds(expected)) counts[k]++;
            expect(flags).toBe(expected);
            expect(book.lastFlags).toBe(expected);
            expectBookMatches(book, view, depth);
          }
          expect(book.integrity()).toEqual(counts);
          expectFullTop(book, aggregate(levels.values()));
        },
      ),
      { numRuns: 100 },
    );
  });
});
