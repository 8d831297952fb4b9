import { BookSides } from './book-sides.js';
import { IntegrityFlag } from './integrity.js';

/**
 * One market maker's quote as legacy depth sends it (`Z` summary, `2` update, §6.4; `U` rows
 * without a protocol set, §6.5). The caller may reuse one object for every call: the book copies
 * the fields.
 */
export interface MakerQuote {
  readonly bid: number;
  readonly bidSize: number;
  readonly ask: number;
  readonly askSize: number;
  /** The `Bid Info Valid` flag (`T`). */
  readonly bidValid: boolean;
  /** The `Ask Info Valid` flag (`T`). */
  readonly askValid: boolean;
}

/** A maker's last quote plus what it put into each price side, so it can be taken out exactly. */
interface MakerState {
  bidIn: boolean;
  bid: number;
  bidSize: number;
  askIn: boolean;
  ask: number;
  askSize: number;
}

/**
 * Market by market maker: one quote per MMID, aggregated by price across makers per side
 * (size = sum of the makers' sizes, orderCount = number of makers at that price).
 *
 * A side of a quote counts in the book only when its info-valid flag is `T` and its price is
 * not 0. IQConnect sends `0.` with `F,F` for "no quote" (§6.5); a 0 price is treated as "no
 * price" even when flagged valid, because a maker quoting at exactly zero is not a real
 * equity quote and letting it in would put a phantom 0 bid at the bottom (or a 0 ask at the top)
 * of the book. A side that does not count is neither checked nor shown.
 *
 * Integrity: a counting side with size ≤ 0 is kept and flagged `nonPositiveSize`;
 * `removeMaker` of an unknown MMID is `unknownDelete`. `2` for a maker not yet seen is not an
 * issue: the legacy feed gives no way to tell a late maker from a missed summary row.
 */
export class MmBook extends BookSides {
  readonly family = 'mm' as const;
  private readonly makers = new Map<string, MakerState>();

  constructor() {
    super('mm');
  }

  /** `Z`, `2` or `U`: replace the maker's whole quote. */
  setQuote(mmid: string, quote: MakerQuote): number {
    const bidIn = quote.bidValid && quote.bid !== 0;
    const askIn = quote.askValid && quote.ask !== 0;
    // Refuse a non-finite counting side before anything changes, so a bad line leaves the
    // book as it was.
    if (bidIn) this.bids.assertFinite(quote.bid, quote.bidSize);
    if (askIn) this.asks.assertFinite(quote.ask, quote.askSize);
    // In before out: a maker re-quoting the same price then only changes that level's size
    // instead of removing and re-inserting it.
    if (bidIn) this.bids.adjust(quote.bid, quote.bidSize, 1);
    if (askIn) this.asks.adjust(quote.ask, quote.askSize, 1);
    let state = this.makers.get(mmid);
    if (state === undefined) {
      state = { bidIn: false, bid: 0, bidSize: 0, askIn: false, ask: 0, askSize: 0 };
      this.makers.set(mmid, state);
    } else {
      this.takeOut(state);
    }
    state.bidIn = bidIn;
    state.bid = quote.bid;
    state.bidSize = quote.bidSize;
    state.askIn = askIn;
    state.ask = quote.ask;
    state.askSize = quote.askSize;
    const bad = (bidIn && !(quote.bidSize > 0)) || (askIn && !(quote.askSize > 0));
    return this.finish(bad ? IntegrityFlag.nonPositiveSize : 0);
  }

  removeMaker(mmid: string): number {
    const state = this.makers.get(mmid);
    if (state === undefined) return this.finish(IntegrityFlag.unknownDelete);
    this.makers.delete(mmid);
    this.takeOut(state);
    return this.finish(0);
  }

  clear(): number {
    this.makers.clear();
    this.bids.clear();
    this.asks.clear();
    return this.finish(0);
  }

  makerCount(): number {
    return this.makers.size;
  }

  private takeOut(state: MakerState): void {
    if (state.bidIn) this.bids.adjust(state.bid, -state.bidSize, -1);
    if (state.askIn) this.asks.adjust(state.ask, -state.askSize, -1);
  }
}
