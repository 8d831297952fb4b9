import { BookSides } from './book-sides.js';
import { IntegrityFlag } from './integrity.js';
import type { Side } from './types.js';

/**
 * Market by price (`WPL`): the feed sends whole levels. `7` summary and `8` update both map to
 * `upsertLevel` (size and order count are absolute, not deltas), `9` to `deleteLevel`,
 * `S,CLEAR DEPTH,<sym>,<side>` to `clearSide`.
 *
 * A level with size ≤ 0 is kept as sent (and flagged): the book mirrors the feed, and the
 * verifier's reference book must agree on that rather than on a repair.
 */
export class MbpBook extends BookSides {
  readonly family = 'mbp' as const;

  constructor() {
    super('mbp');
  }

  upsertLevel(side: Side, price: number, size: number, orderCount: number): number {
    this.sideOf(side).set(price, size, orderCount);
    return this.finish(size > 0 ? 0 : IntegrityFlag.nonPositiveSize);
  }

  deleteLevel(side: Side, price: number): number {
    return this.finish(this.sideOf(side).remove(price) ? 0 : IntegrityFlag.unknownDelete);
  }

  clearSide(side: Side): number {
    this.sideOf(side).clear();
    return this.finish(0);
  }

  clear(): number {
    this.bids.clear();
    this.asks.clear();
    return this.finish(0);
  }
}
