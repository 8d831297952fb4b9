import { L2hError } from '../../common/errors.js';
import { IntegrityTracker } from './integrity.js';
import { PriceSide } from './price-side.js';
import type { BookFamily, BookTop, CrossState, IntegrityCounts, Level, OrderBook, Side } from './types.js';

/**
 * What the three families share: two price sides, the integrity tracker and the read side of
 * `OrderBook`. Each family only decides how its operations move the price sides.
 */
export abstract class BookSides implements OrderBook {
  abstract readonly family: BookFamily;
  protected readonly bids: PriceSide;
  protected readonly asks: PriceSide;
  protected readonly tracker = new IntegrityTracker();
  // The last top() result: many messages change only levels deeper than a record's depth, and
  // then the same (immutable) top serves again instead of allocating a new one.
  private cachedTop: BookTop | null = null;
  private cachedDepth = -1;

  constructor(family: BookFamily) {
    this.bids = new PriceSide('B', family);
    this.asks = new PriceSide('A', family);
  }

  top(depth: number): BookTop {
    if (!Number.isInteger(depth) || depth < 0) {
      throw new L2hError('book depth must be a non-negative integer', {
        code: 'BAD_USAGE',
        context: { book: this.family, depth: String(depth) },
        hint: 'use --depth with a whole number such as 10',
      });
    }
    const cached = this.cachedTop;
    if (
      cached !== null &&
      depth === this.cachedDepth &&
      !this.bids.changedWithin(depth) &&
      !this.asks.changedWithin(depth)
    ) {
      return cached;
    }
    const bids: Level[] = [];
    const asks: Level[] = [];
    const totalBidSize = this.bids.topInto(depth, bids);
    const totalAskSize = this.asks.topInto(depth, asks);
    const top: BookTop = { bids, asks, totalBidSize, totalAskSize };
    this.bids.markClean();
    this.asks.markClean();
    this.cachedTop = top;
    this.cachedDepth = depth;
    return top;
  }

  bestPrice(side: Side): number {
    return this.sideOf(side).bestPrice();
  }

  priceAt(side: Side, rank: number): number {
    return this.sideOf(side).priceAt(rank);
  }

  sizeAt(side: Side, rank: number): number {
    return this.sideOf(side).sizeAt(rank);
  }

  orderCountAt(side: Side, rank: number): number {
    return this.sideOf(side).countAt(rank);
  }

  isEmpty(): boolean {
    return this.bids.length === 0 && this.asks.length === 0;
  }

  levelCount(side: Side): number {
    return this.sideOf(side).length;
  }

  crossState(): CrossState {
    return this.tracker.crossState();
  }

  get lastFlags(): number {
    return this.tracker.lastFlags;
  }

  integrity(): IntegrityCounts {
    return this.tracker.counts();
  }

  abstract clear(): number;

  protected sideOf(side: Side): PriceSide {
    return side === 'B' ? this.bids : this.asks;
  }

  /** Close an operation: add crossed/locked transitions, count, remember and return the flags. */
  protected finish(flags: number): number {
    return this.tracker.finish(flags, this.bids.bestPrice(), this.asks.bestPrice());
  }
}
