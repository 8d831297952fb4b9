import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Level, PriceSide, type Side } from '../../../collector/books/index.js';
import { L2hError } from '../../../common/errors.js';

function all(side: PriceSide): Level[] {
  const out: Level[] = [];
  side.topInto(side.length, out);
  return out;
}

describe('PriceSide', () => {
  it('orders bids descending and asks ascending, best first', () => {
    const bids = new PriceSide('B', 'mbp');
    const asks = new PriceSide('A', 'mbp');
    for (const x of [3, 1, 2]) {
      bids.set(x, x * 10, 1);
      asks.set(x, x * 10, 1);
    }
    expect(all(bids).map((l) => l.price)).toEqual([3, 2, 1]);
    expect(all(asks).map((l) => l.price)).toEqual([1, 2, 3]);
    expect(bids.bestPrice()).toBe(3);
    expect(asks.bestPrice()).toBe(1);
    expect([asks.priceAt(1), asks.sizeAt(1), asks.countAt(1)]).toEqual([2, 20, 1]);
  });

  it('removes a level when an adjustment takes its count to zero, even with size left', () => {
    const s = new PriceSide('B', 'mbo');
    s.adjust(10, 5, 1);
    s.adjust(10, 7, 1);
    s.adjust(10, -5, -1);
    expect(all(s)).toEqual([{ price: 10, size: 7, orderCount: 1 }]);
    s.adjust(10, -3, -1); // a caller out of step with its orders would leave size 4 behind
    expect(s.length).toBe(0);
  });

  it('reports an adjustment of a level it does not hold as an internal error', () => {
    const s = new PriceSide('A', 'mm');
    let caught: unknown;
    try {
      s.adjust(10, -5, -1);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(L2hError);
    expect((caught as L2hError).code).toBe('INTERNAL');
    expect((caught as L2hError).context).toMatchObject({ book: 'mm', side: 'A', price: 10 });
  });

  it('matches a sorted map over long random sequences across hundreds of prices', () => {
    const op = fc.record({
      remove: fc.boolean(),
      // Decimal text as the feed sends it: the same text always parses to the same number.
      price: fc
        .integer({ min: 0, max: 400 })
        .map((t) => Number.parseFloat(`${100 + Math.floor(t / 100)}.${String(t % 100).padStart(2, '0')}`)),
      size: fc.integer({ min: 1, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom<Side>('B', 'A'),
        fc.array(op, { minLength: 1, maxLength: 3000, size: 'max' }),
        (side, ops) => {
          const s = new PriceSide(side, 'mbp');
          const ref = new Map<number, number>();
          for (const o of ops) {
            if (o.remove) expect(s.remove(o.price)).toBe(ref.delete(o.price));
            else {
              expect(s.set(o.price, o.size, 1)).toBe(!ref.has(o.price));
              ref.set(o.price, o.size);
            }
          }
          const sorted = [...ref]
            .sort(side === 'B' ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0])
            .map(([price, size]) => ({ price, size, orderCount: 1 }));
          expect(all(s)).toEqual(sorted);
          for (const [price] of ref) expect(s.has(price)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
