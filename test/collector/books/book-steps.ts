import fc from 'fast-check';
import type { MbpBook } from '../../../collector/books/index.js';
import type { Side } from '../../../collector/books/types.js';

/** One generated change to a by-price book: set a level, or delete one. */
export interface BookStep {
  readonly side: Side;
  readonly price: number;
  readonly size: number;
  readonly del: boolean;
}

/** Steps for `bookStepper`: a set or a delete, on either side, at the prices and sizes given. */
export function bookSteps(price: fc.Arbitrary<number>, size: fc.Arbitrary<number>): fc.Arbitrary<BookStep> {
  return fc.record({ side: fc.constantFrom<Side>('B', 'A'), price, size, del: fc.boolean() });
}

/**
 * A book changing step by step, for property tests of what is written from it. A delete hits a
 * price set earlier: one still there (the levels below it shift) or one already gone; with nothing
 * set yet it is a set. Returns a function to call with each step and its index.
 */
export function bookStepper(book: MbpBook): (step: BookStep, i: number) => void {
  const prices: number[] = [];
  return (o, i) => {
    if (o.del && prices.length > 0) book.deleteLevel(o.side, prices[i % prices.length]!);
    else {
      book.upsertLevel(o.side, o.price, o.size, 1);
      prices.push(o.price);
    }
  };
}
