import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyIntegrityCounts,
  IntegrityFlag,
  type IntegrityKind,
  integrityKinds,
  MboBook,
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

/** Futures-style orders (ids as real feeds send them: large integers as text). */
function futures(): MboBook {
  const book = new MboBook();
  book.summaryOrder('648907593934', '', 'B', p('4512.25'), 10);
  book.summaryOrder('648907593935', '', 'B', p('4512.25'), 5);
  book.summaryOrder('648907593936', '', 'B', p('4512.00'), 7);
  book.summaryOrder('648907593937', '', 'A', p('4512.50'), 3);
  book.summaryOrder('648907593938', '', 'A', p('4512.75'), 8);
  return book;
}

describe('MboBook by hand, orders keyed by Order ID', () => {
  it('aggregates orders into levels with size sums and order counts', () => {
    const book = futures();
    expect(book.top(10)).toEqual({
      bids: [
        { price: 4512.25, size: 15, orderCount: 2 },
        { price: 4512, size: 7, orderCount: 1 },
      ],
      asks: [
        { price: 4512.5, size: 3, orderCount: 1 },
        { price: 4512.75, size: 8, orderCount: 1 },
      ],
      totalBidSize: 22,
      totalAskSize: 11,
    });
    expect(book.orderCount()).toBe(5);
  });

  it('decrements the level of the deleted order from its remembered price and size', () => {
    const book = futures();
    // 5,@ESZ21,648907593934,,B,… — no price or size on the line.
    expect(book.deleteOrder('648907593934', '', 'B')).toBe(0);
    expect(book.top(1).bids).toEqual([{ price: 4512.25, size: 5, orderCount: 1 }]);
    expect(book.deleteOrder('648907593935', '', 'B')).toBe(0);
    expect(book.top(1).bids).toEqual([{ price: 4512, size: 7, orderCount: 1 }]);
    expect(book.levelCount('B')).toBe(1);
  });

  it('moves an updated order between levels and keeps the level it left right', () => {
    const book = futures();
    expect(book.updateOrder('648907593935', '', 'B', p('4512.00'), 20)).toBe(0);
    expect(book.top(2).bids).toEqual([
      { price: 4512.25, size: 10, orderCount: 1 },
      { price: 4512, size: 27, orderCount: 2 },
    ]);
    // Same price, new size.
    expect(book.updateOrder('648907593934', '', 'B', p('4512.25'), 4)).toBe(0);
    expect(book.top(1).bids[0]).toEqual({ price: 4512.25, size: 4, orderCount: 1 });
    // And the delete after the update removes the updated size from the new level.
    book.deleteOrder('648907593935', '', 'B');
    expect(book.top(2).bids[1]).toEqual({ price: 4512, size: 7, orderCount: 1 });
  });

  it('counts an add for a held id as a duplicate and replaces the order', () => {
    const book = futures();
    expect(book.addOrder('648907593937', '', 'A', p('4513.00'), 40)).toBe(IntegrityFlag.duplicateAdd);
    expect(book.top(5).asks).toEqual([
      { price: 4512.75, size: 8, orderCount: 1 },
      { price: 4513, size: 40, orderCount: 1 },
    ]);
    expect(book.orderCount()).toBe(5);
    expect(book.integrity().duplicateAdd).toBe(1);
  });

  it('treats a summary row for a held id as a replace, not an issue', () => {
    const book = futures();
    expect(book.summaryOrder('648907593938', '', 'A', p('4512.50'), 1)).toBe(0);
    expect(book.top(5).asks).toEqual([{ price: 4512.5, size: 4, orderCount: 2 }]);
  });

  it('flags an update of an unknown order and inserts it as the feed states', () => {
    const book = futures();
    expect(book.updateOrder('1', '', 'A', p('4513.00'), 2)).toBe(IntegrityFlag.unknownUpdate);
    expect(book.top(5).asks.at(-1)).toEqual({ price: 4513, size: 2, orderCount: 1 });
    expect(book.integrity().unknownUpdate).toBe(1);
  });

  it('flags a delete of an unknown order and changes nothing', () => {
    const book = futures();
    const before = book.top(10);
    expect(book.deleteOrder('42', '', 'B')).toBe(IntegrityFlag.unknownDelete);
    expect(book.top(10)).toEqual(before);
    expect(book.integrity().unknownDelete).toBe(1);
  });

  it('flags a side change on update and moves the order to the side the feed names', () => {
    const book = futures();
    expect(book.updateOrder('648907593936', '', 'A', p('4513.00'), 7)).toBe(IntegrityFlag.sideChange);
    expect(book.levelCount('B')).toBe(1);
    expect(book.top(5).asks.at(-1)).toEqual({ price: 4513, size: 7, orderCount: 1 });
    // A delete naming the old side still removes the order, and says the sides disagree.
    expect(book.deleteOrder('648907593936', '', 'B')).toBe(IntegrityFlag.sideChange);
    expect(book.levelCount('A')).toBe(2);
    expect(book.integrity().sideChange).toBe(2);
  });

  it('flags zero size on add or update and keeps the order resting with it', () => {
    const book = futures();
    expect(book.updateOrder('648907593937', '', 'A', p('4512.50'), 0)).toBe(IntegrityFlag.nonPositiveSize);
    expect(book.top(1).asks).toEqual([{ price: 4512.5, size: 0, orderCount: 1 }]);
    expect(book.deleteOrder('648907593937', '', 'A')).toBe(0);
    expect(book.top(1).asks[0].price).toBe(4512.75);
  });

  it('clears every order on one side and forgets them', () => {
    const book = futures();
    book.clearSide('B');
    expect(book.levelCount('B')).toBe(0);
    expect(book.levelCount('A')).toBe(2);
    expect(book.orderCount()).toBe(2);
    expect(book.deleteOrder('648907593934', '', 'B')).toBe(IntegrityFlag.unknownDelete);
    book.clear();
    expect(book.isEmpty()).toBe(true);
    expect(book.orderCount()).toBe(0);
  });

  it('counts crossed and locked transitions from order flow', () => {
    const book = futures(); // 4512.25 / 4512.50
    expect(book.addOrder('9', '', 'B', p('4512.50'), 1)).toBe(IntegrityFlag.locked);
    expect(book.addOrder('10', '', 'B', p('4512.50'), 1)).toBe(0);
    expect(book.updateOrder('9', '', 'B', p('4512.75'), 1)).toBe(IntegrityFlag.crossed);
    expect(book.deleteOrder('9', '', 'B')).toBe(IntegrityFlag.locked);
    expect(book.deleteOrder('10', '', 'B')).toBe(0);
    expect(book.crossState()).toBe('normal');
    expect(book.integrity()).toMatchObject({ crossed: 1, locked: 2 });
  });

  it('refuses a non-finite price before changing the order', () => {
    const book = futures();
    const before = book.top(10);
    expect(() => book.updateOrder('648907593934', '', 'B', Number.NaN, 10)).toThrow(L2hError);
    expect(book.top(10)).toEqual(before);
    expect(book.deleteOrder('648907593934', '', 'B')).toBe(0);
    expect(book.top(1).bids[0]).toEqual({ price: 4512.25, size: 5, orderCount: 1 });
  });
});

describe('MboBook by hand, Nasdaq market-maker rows keyed by (MMID, side)', () => {
  function nasdaq(): MboBook {
    const book = new MboBook();
    // 6,QQQ,,AMEX,A,408.8400,100,,4,… and friends: Order ID empty, MMID set.
    book.summaryOrder('', 'AMEX', 'A', p('408.8400'), 100);
    book.summaryOrder('', 'NSDQ', 'A', p('408.8400'), 300);
    book.summaryOrder('', 'NSDQ', 'B', p('408.8000'), 200);
    book.summaryOrder('', 'MEMX', 'B', p('408.8100'), 100);
    book.summaryOrder('', 'CHXE', 'B', p('408.8000'), 50);
    return book;
  }

  it('holds one row per maker and side, aggregated by price', () => {
    const book = nasdaq();
    expect(book.top(5)).toEqual({
      bids: [
        { price: 408.81, size: 100, orderCount: 1 },
        { price: 408.8, size: 250, orderCount: 2 },
      ],
      asks: [{ price: 408.84, size: 400, orderCount: 2 }],
      totalBidSize: 350,
      totalAskSize: 400,
    });
    expect(book.orderCount()).toBe(5);
  });

  it('replaces a maker row on update without touching its other side', () => {
    const book = nasdaq();
    // 4,QQQ,,NSDQ,B,408.8200,300,…
    expect(book.updateOrder('', 'NSDQ', 'B', p('408.8200'), 300)).toBe(0);
    expect(book.top(5).bids).toEqual([
      { price: 408.82, size: 300, orderCount: 1 },
      { price: 408.81, size: 100, orderCount: 1 },
      { price: 408.8, size: 50, orderCount: 1 },
    ]);
    expect(book.top(5).asks).toEqual([{ price: 408.84, size: 400, orderCount: 2 }]);
  });

  it('removes only the named side of a maker on delete', () => {
    const book = nasdaq();
    // 5,QQQ,,NSDQ,B,,2022-04-06,
    expect(book.deleteOrder('', 'NSDQ', 'B')).toBe(0);
    expect(book.top(5).bids).toEqual([
      { price: 408.81, size: 100, orderCount: 1 },
      { price: 408.8, size: 50, orderCount: 1 },
    ]);
    expect(book.top(5).asks).toEqual([{ price: 408.84, size: 400, orderCount: 2 }]);
    // MEMX has no ask row.
    expect(book.deleteOrder('', 'MEMX', 'A')).toBe(IntegrityFlag.unknownDelete);
  });

  it('accepts an update that re-creates a removed maker row as normal flow', () => {
    const book = nasdaq();
    book.deleteOrder('', 'MEMX', 'B');
    expect(book.updateOrder('', 'MEMX', 'B', p('408.8300'), 100)).toBe(0);
    expect(book.top(1).bids).toEqual([{ price: 408.83, size: 100, orderCount: 1 }]);
    expect(book.integrity()).toEqual(emptyIntegrityCounts());
  });

  it('lets a maker row and an order with an id share a level', () => {
    const book = nasdaq();
    book.addOrder('77', 'NSDQ', 'B', p('408.8100'), 5);
    expect(book.top(1).bids).toEqual([{ price: 408.81, size: 105, orderCount: 2 }]);
    book.clearSide('B');
    expect(book.orderCount()).toBe(2);
    expect(book.deleteOrder('', 'CHXE', 'B')).toBe(IntegrityFlag.unknownDelete);
  });
});

type MboOp =
  | { kind: 'summary' | 'add' | 'update'; id: string; mmid: string; side: Side; price: number; size: number }
  | { kind: 'delete'; id: string; mmid: string; side: Side }
  | { kind: 'clearSide'; side: Side }
  | { kind: 'clear' };

const side = fc.constantFrom<Side>('B', 'A');
const price = fc.constantFrom(...PRICES);
// Few ids so adds collide and deletes hit; '' is a Nasdaq market-maker row.
const id = fc.constantFrom('', '', '1', '2', '3', '4', '5', '6', '648907593934');
const mmid = fc.constantFrom('NSDQ', 'AMEX', 'MEMX');
const size = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  fc.integer({ min: -3, max: 0 }),
);
const op: fc.Arbitrary<MboOp> = fc.oneof(
  {
    weight: 14,
    arbitrary: fc.record({
      kind: fc.constantFrom('summary' as const, 'add' as const, 'update' as const),
      id,
      mmid,
      side,
      price,
      size,
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('delete' as const), id, mmid, side }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clearSide' as const), side }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('MboBook properties', () => {
  it('equals a brute-force aggregation of its orders after every operation, flags included', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 200, size: 'max' }),
        fc.integer({ min: 0, max: 10 }),
        (ops, depth) => {
          const book = new MboBook();
          // The model keys market-maker rows by a joined string: simple, unlike the book.
          const orders = new Map<string, Contribution>();
          const counts: Record<IntegrityKind, number> = emptyIntegrityCounts();
          let cross = crossOf(aggregate(orders.values()));
          for (const o of ops) {
            let expected = 0;
            let flags: number;
            if (o.kind === 'clear') {
              orders.clear();
              flags = book.clear();
            } else if (o.kind === 'clearSide') {
              for (const [k, v] of orders) if (v.side === o.side) orders.delete(k);
              flags = book.clearSide(o.side);
            } else {
              const key = o.id === '' ? `mm:${o.mmid}:${o.side}` : `id:${o.id}`;
              const held = orders.get(key);
              if (o.kind === 'delete') {
                if (held === undefined) expected |= IntegrityFlag.unknownDelete;
                else if (held.side !== o.side) expected |= IntegrityFlag.sideChange;
                orders.delete(key);
                flags = book.deleteOrder(o.id, o.mmid, o.side);
              } else {
                if (o.size <= 0) expected |= IntegrityFlag.nonPositiveSize;
                if (o.id !== '') {
                  if (held !== undefined && held.side !== o.side) expected |= IntegrityFlag.sideChange;
                  if (held !== undefined && o.kind === 'add') expected |= IntegrityFlag.duplicateAdd;
                  if (held === undefined && o.kind === 'update') expected |= IntegrityFlag.unknownUpdate;
                }
                orders.set(key, { side: o.side, price: o.price, size: o.size, count: 1 });
                const call =
                  o.kind === 'summary'
                    ? book.summaryOrder
                    : o.kind === 'add'
                      ? book.addOrder
                      : book.updateOrder;
                flags = call.call(book, o.id, o.mmid, o.side, o.price, o.size);
              }
            }
            const view = aggregate(orders.values());
            const next = crossOf(view);
            expected |= crossFlags(cross, next);
            cross = next;
            for (const k of integrityKinds(expected)) counts[k]++;
            expect(flags).toBe(expected);
            expect(book.lastFlags).toBe(expected);
            expect(book.orderCount()).toBe(orders.size);
            expectBookMatches(book, view, depth);
          }
          expect(book.integrity()).toEqual(counts);
          expectFullTop(book, aggregate(orders.values()));
        },
      ),
      { numRuns: 100 },
    );
  });
});
