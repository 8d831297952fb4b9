import { MboBook } from './mbo-book.js';
import { MbpBook } from './mbp-book.js';
import { MmBook } from './mm-book.js';
import type { BookFamily } from './types.js';

export { BookSides } from './book-sides.js';
export {
  emptyIntegrityCounts,
  IntegrityFlag,
  IntegrityTracker,
  integrityKinds,
} from './integrity.js';
export { MboBook } from './mbo-book.js';
export { MbpBook } from './mbp-book.js';
export { type MakerQuote, MmBook } from './mm-book.js';
export { PriceSide } from './price-side.js';
export type {
  BookFamily,
  BookTop,
  CrossState,
  IntegrityCounts,
  IntegrityKind,
  Level,
  OrderBook,
  Side,
} from './types.js';
export { SIDES } from './types.js';

export type AnyBook = MbpBook | MboBook | MmBook;

/** A new empty book of the family a symbol is watched with (`--l2 mbp|mbo|mm`). */
export function createBook(family: BookFamily): AnyBook {
  switch (family) {
    case 'mbp':
      return new MbpBook();
    case 'mbo':
      return new MboBook();
    case 'mm':
      return new MmBook();
  }
}
