import { describe, expect, it } from 'vitest';
import { createBook, MboBook, MbpBook, MmBook } from '../../../collector/books/index.js';

describe('createBook', () => {
  it('makes an empty book of each family with nothing flagged', () => {
    const cases = [
      ['mbp', MbpBook],
      ['mbo', MboBook],
      ['mm', MmBook],
    ] as const;
    for (const [family, type] of cases) {
      const book = createBook(family);
      expect(book).toBeInstanceOf(type);
      expect(book.family).toBe(family);
      expect(book.isEmpty()).toBe(true);
      expect(book.lastFlags).toBe(0);
      expect(book.crossState()).toBe('normal');
      expect(book.top(10)).toEqual({ bids: [], asks: [], totalBidSize: 0, totalAskSize: 0 });
    }
  });
});
