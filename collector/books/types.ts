/**
 * The vocabulary shared by the three book families. Books take typed operations, never
 * protocol lines: the deriver (collector/records) maps decoded L2 messages to calls.
 */

/** `B` bid (buy), `A` ask (sell): the letters IQFeed 6.2 puts in its Side field (§6.2). */
export type Side = 'B' | 'A';

export const SIDES: readonly Side[] = ['B', 'A'];

/** Which L2 watch built the book: `WPL` by price, `WOR` by order, legacy `w` by market maker. */
export type BookFamily = 'mbp' | 'mbo' | 'mm';

/** One aggregated price level. `orderCount` is orders (MBO), makers (MM) or the feed's count (MBP). */
export interface Level {
  readonly price: number;
  readonly size: number;
  readonly orderCount: number;
}

/**
 * The best `depth` levels of each side, best first (bids descending, asks ascending), with the
 * total size of the levels returned (what an L2 record's `total_bid_size` / `total_ask_size` hold).
 */
export interface BookTop {
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly totalBidSize: number;
  readonly totalAskSize: number;
}

/** Where the inside of the book stands: crossed = best bid > best ask, locked = equal. */
export type CrossState = 'normal' | 'locked' | 'crossed';

/**
 * What every family answers, whatever operations built it. Mutations differ per family and
 * return integrity flags (integrity.ts): 0 when the operation raised nothing.
 */
export interface OrderBook {
  readonly family: BookFamily;
  /**
   * Best `depth` levels per side; `depth` is a non-negative integer. The result is immutable and
   * is the very object the previous call returned when nothing within `depth` changed since, so
   * a caller may compare by identity to skip work.
   */
  top(depth: number): BookTop;
  /** Best price of a side, or NaN when the side is empty. */
  bestPrice(side: Side): number;
  /**
   * Level `rank` of a side (0 = best; NaN past `levelCount(side)`), read without allocating: for a
   * caller that builds its own level objects or writes JSON straight from the book.
   */
  priceAt(side: Side, rank: number): number;
  sizeAt(side: Side, rank: number): number;
  orderCountAt(side: Side, rank: number): number;
  isEmpty(): boolean;
  levelCount(side: Side): number;
  crossState(): CrossState;
  /** Flags raised by the last mutation (same value the mutation returned). */
  readonly lastFlags: number;
  integrity(): IntegrityCounts;
  /** Empty both sides; integrity counts are kept (they describe the feed, not the state). */
  clear(): number;
}

/**
 * Integrity issues seen since the book was created. The book is always kept as the feed said
 * (never repaired); these counts say where the feed looked wrong.
 */
export interface IntegrityCounts {
  /** Transitions into best bid > best ask (not messages while it persists). */
  readonly crossed: number;
  /** Transitions into best bid == best ask. */
  readonly locked: number;
  /** Upsert, add, update or quote with size ≤ 0. */
  readonly nonPositiveSize: number;
  /** Delete of a level, order or market maker the book does not hold. */
  readonly unknownDelete: number;
  /** Update (`4`) of an order id the book does not hold. */
  readonly unknownUpdate: number;
  /** Add, update, summary or delete of a held order id naming another side than it rests on. */
  readonly sideChange: number;
  /** Add (`3`) for an order id the book already holds. */
  readonly duplicateAdd: number;
}

export type IntegrityKind = keyof IntegrityCounts;
