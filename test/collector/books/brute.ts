import { expect } from 'vitest';
import {
  type CrossState,
  IntegrityFlag,
  type Level,
  type OrderBook,
  type Side,
} from '../../../collector/books/index.js';

/**
 * Brute-force reference for the property tests: aggregates whole collections from scratch on
 * every call, sorting with the plain comparator, with none of the books' incremental code.
 */
export interface Contribution {
  readonly side: Side;
  readonly price: number;
  readonly size: number;
  /** Orders or makers this entry stands for (1), or a feed-given level count (MBP). */
  readonly count: number;
}

export interface BruteView {
  readonly bids: Level[];
  readonly asks: Level[];
}

export function aggregate(entries: Iterable<Contribution>): BruteView {
  const bySide: Record<Side, Map<number, { size: number; count: number }>> = {
    B: new Map(),
    A: new Map(),
  };
  for (const e of entries) {
    const levels = bySide[e.side];
    const level = levels.get(e.price) ?? { size: 0, count: 0 };
    level.size += e.size;
    level.count += e.count;
    levels.set(e.price, level);
  }
  const toLevels = (m: Map<number, { size: number; count: number }>): Level[] =>
    [...m].map(([price, l]) => ({ price, size: l.size, orderCount: l.count }));
  return {
    bids: toLevels(bySide.B).sort((a, b) => b.price - a.price),
    asks: toLevels(bySide.A).sort((a, b) => a.price - b.price),
  };
}

export function crossOf(view: BruteView): CrossState {
  if (view.bids.length === 0 || view.asks.length === 0) return 'normal';
  const bid = view.bids[0].price;
  const ask = view.asks[0].price;
  return bid > ask ? 'crossed' : bid === ask ? 'locked' : 'normal';
}

/** Transition bits the books should raise when the cross state moves from `before` to `after`. */
export function crossFlags(before: CrossState, after: CrossState): number {
  if (before === after) return 0;
  return after === 'crossed' ? IntegrityFlag.crossed : after === 'locked' ? IntegrityFlag.locked : 0;
}

/**
 * The book's whole price view, read level by level through the accessors, equals the reference
 * and is sorted, and `top(depth)` is its prefix. Only `top(depth)` is called per operation, so a
 * property run exercises the book's top cache across many operations (`expectFullTop` checks
 * `top` over the whole book, once at the end of a run).
 */
export function expectBookMatches(book: OrderBook, view: BruteView, depth: number): void {
  for (const [side, levels] of [
    ['B', view.bids],
    ['A', view.asks],
  ] as const) {
    expect(book.levelCount(side)).toBe(levels.length);
    const read = levels.map((_, rank) => ({
      price: book.priceAt(side, rank),
      size: book.sizeAt(side, rank),
      orderCount: book.orderCountAt(side, rank),
    }));
    expect(read).toEqual(levels);
    for (let i = 1; i < read.length; i++) {
      if (side === 'B') expect(read[i - 1].price).toBeGreaterThan(read[i].price);
      else expect(read[i - 1].price).toBeLessThan(read[i].price);
    }
    for (const rank of [-1, levels.length]) {
      expect(book.priceAt(side, rank)).toBeNaN();
      expect(book.sizeAt(side, rank)).toBeNaN();
      expect(book.orderCountAt(side, rank)).toBeNaN();
    }
  }
  const top = book.top(depth);
  const bids = view.bids.slice(0, depth);
  const asks = view.asks.slice(0, depth);
  expect(top.bids).toEqual(bids);
  expect(top.asks).toEqual(asks);
  expect(top.totalBidSize).toBe(bids.reduce((s, l) => s + l.size, 0));
  expect(top.totalAskSize).toBe(asks.reduce((s, l) => s + l.size, 0));
  expect(book.isEmpty()).toBe(view.bids.length === 0 && view.asks.length === 0);
  expect(book.crossState()).toBe(crossOf(view));
  expect(book.bestPrice('B')).toBe(view.bids[0]?.price ?? Number.NaN);
  expect(book.bestPrice('A')).toBe(view.asks[0]?.price ?? Number.NaN);
}

export function expectFullTop(book: OrderBook, view: BruteView): void {
  const full = book.top(Number.MAX_SAFE_INTEGER);
  expect(full.bids).toEqual(view.bids);
  expect(full.asks).toEqual(view.asks);
}

/** Prices as the deriver makes them: parsed from decimal text, a few ticks apart so they collide. */
export const PRICE_TEXTS = ['9.97', '9.98', '9.99', '10.00', '10.01', '10.02', '10.03', '10.04'];
export const PRICES = PRICE_TEXTS.map((t) => Number.parseFloat(t));
