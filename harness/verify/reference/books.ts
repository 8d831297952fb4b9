/**
 * The reference order books: deliberately simple maps, rebuilt for comparison by sorting. They
 * share no code with collector/books. Semantics follow IQFEED-PROTOCOL.md §6.3 and the rules in
 * ARCHITECTURE.md ("the book kept as the feed says": odd sizes stay, unknown deletes do nothing).
 */
export interface RefLevel {
  readonly price: number;
  readonly size: number;
}

export interface RefTop {
  readonly bids: RefLevel[];
  readonly asks: RefLevel[];
}

type Side = 'B' | 'A';

export interface RefBook {
  top(depth: number): RefTop;
}

function topOf(levels: Map<number, number>, side: Side, depth: number): RefLevel[] {
  const prices = [...levels.keys()].sort((a, b) => (side === 'B' ? b - a : a - b));
  return prices.slice(0, depth).map((price) => ({ price, size: levels.get(price)! }));
}

export class RefPriceBook implements RefBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();

  set(side: Side, price: number, size: number): void {
    (side === 'B' ? this.bids : this.asks).set(price, size);
  }

  remove(side: Side, price: number): void {
    (side === 'B' ? this.bids : this.asks).delete(price);
  }

  clear(side?: Side): void {
    if (side !== 'A') this.bids.clear();
    if (side !== 'B') this.asks.clear();
  }

  top(depth: number): RefTop {
    return { bids: topOf(this.bids, 'B', depth), asks: topOf(this.asks, 'A', depth) };
  }
}

interface RefOrder {
  side: Side;
  price: number;
  size: number;
}

export class RefOrderBook implements RefBook {
  readonly orders = new Map<string, RefOrder>();

  put(key: string, side: Side, price: number, size: number): void {
    this.orders.set(key, { side, price, size });
  }

  remove(key: string): void {
    this.orders.delete(key);
  }

  clear(side?: Side): void {
    for (const [k, o] of this.orders) if (side === undefined || o.side === side) this.orders.delete(k);
  }

  top(depth: number): RefTop {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const o of this.orders.values()) {
      const m = o.side === 'B' ? bids : asks;
      m.set(o.price, (m.get(o.price) ?? 0) + o.size);
    }
    return { bids: topOf(bids, 'B', depth), asks: topOf(asks, 'A', depth) };
  }
}

interface RefQuote {
  bid: number | null;
  bidSize: number;
  ask: number | null;
  askSize: number;
}

export class RefMakerBook implements RefBook {
  readonly makers = new Map<string, RefQuote>();

  put(mmid: string, q: RefQuote): void {
    this.makers.set(mmid, q);
  }

  clear(): void {
    this.makers.clear();
  }

  top(depth: number): RefTop {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const q of this.makers.values()) {
      if (q.bid !== null) bids.set(q.bid, (bids.get(q.bid) ?? 0) + q.bidSize);
      if (q.ask !== null) asks.set(q.ask, (asks.get(q.ask) ?? 0) + q.askSize);
    }
    return { bids: topOf(bids, 'B', depth), asks: topOf(asks, 'A', depth) };
  }
}
