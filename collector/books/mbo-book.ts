import { BookSides } from './book-sides.js';
import { IntegrityFlag } from './integrity.js';
import type { Side } from './types.js';

/** What the book remembers of each order: `5` carries no price or size, so this is the only source. */
interface RestingOrder {
  side: Side;
  price: number;
  size: number;
}

/**
 * Market by order (`WOR`, §6.3), aggregated by price incrementally: every operation moves only
 * the levels it touches, so the price view costs O(log levels) per message.
 *
 * Two kinds of rows share the book:
 * - futures style, Order ID present: orders keyed by Order ID;
 * - Nasdaq market-maker rows, Order ID empty and MMID set: one row per (MMID, side). For these
 *   `6`/`3`/`4` all set the maker's quote on that side (IQFeed sends no `3` for them, and a `4`
 *   after a `5` legitimately re-creates the row), `5` removes it.
 *
 * Integrity choices, each counted and the book kept as the feed says:
 * - `3` for an id already held: counted as `duplicateAdd`, then treated as a replace (TF skips
 *   such adds; replacing keeps the latest state the feed stated).
 * - `4` for an unknown id: counted as `unknownUpdate`, then inserted, since an update carries
 *   the order's whole state.
 * - `3`/`4`/`6`/`5` naming a side other than the one the order rests on: counted as
 *   `sideChange`; updates move the order to the new side, deletes still remove it.
 * - size ≤ 0 on `3`/`4`/`6`: counted as `nonPositiveSize`, the order rests with that size.
 * - `5` for an unknown id or (MMID, side): counted as `unknownDelete`, nothing changes.
 */
export class MboBook extends BookSides {
  readonly family = 'mbo' as const;
  private readonly orders = new Map<string, RestingOrder>();
  // Keyed per side rather than by a joined "MMID|side" string, so no key is built per message.
  private readonly makerBids = new Map<string, RestingOrder>();
  private readonly makerAsks = new Map<string, RestingOrder>();

  constructor() {
    super('mbo');
  }

  /** `6` Order Summary: insert or replace. */
  summaryOrder(orderId: string, mmid: string, side: Side, price: number, size: number): number {
    if (orderId === '') return this.setMakerRow(mmid, side, price, size);
    const order = this.orders.get(orderId);
    const flags = sizeFlag(size);
    if (order === undefined) {
      this.insert(orderId, side, price, size);
      return this.finish(flags);
    }
    return this.finish(flags | this.replace(order, side, price, size));
  }

  /** `3` Order Add. */
  addOrder(orderId: string, mmid: string, side: Side, price: number, size: number): number {
    if (orderId === '') return this.setMakerRow(mmid, side, price, size);
    const order = this.orders.get(orderId);
    const flags = sizeFlag(size);
    if (order === undefined) {
      this.insert(orderId, side, price, size);
      return this.finish(flags);
    }
    return this.finish(flags | IntegrityFlag.duplicateAdd | this.replace(order, side, price, size));
  }

  /** `4` Order Update: new price and/or size for an existing order. */
  updateOrder(orderId: string, mmid: string, side: Side, price: number, size: number): number {
    if (orderId === '') return this.setMakerRow(mmid, side, price, size);
    const order = this.orders.get(orderId);
    const flags = sizeFlag(size);
    if (order === undefined) {
      this.insert(orderId, side, price, size);
      return this.finish(flags | IntegrityFlag.unknownUpdate);
    }
    return this.finish(flags | this.replace(order, side, price, size));
  }

  /** `5` Order Delete: the line has no price or size; the remembered ones decrement the level. */
  deleteOrder(orderId: string, mmid: string, side: Side): number {
    if (orderId === '') {
      const rows = this.makersOf(side);
      const row = rows.get(mmid);
      if (row === undefined) return this.finish(IntegrityFlag.unknownDelete);
      rows.delete(mmid);
      this.sideOf(side).adjust(row.price, -row.size, -1);
      return this.finish(0);
    }
    const order = this.orders.get(orderId);
    if (order === undefined) return this.finish(IntegrityFlag.unknownDelete);
    this.orders.delete(orderId);
    this.sideOf(order.side).adjust(order.price, -order.size, -1);
    return this.finish(order.side === side ? 0 : IntegrityFlag.sideChange);
  }

  /** `S,CLEAR DEPTH,<sym>,<side>`: every order and maker row on that side goes. */
  clearSide(side: Side): number {
    for (const [id, order] of this.orders) if (order.side === side) this.orders.delete(id);
    this.makersOf(side).clear();
    this.sideOf(side).clear();
    return this.finish(0);
  }

  clear(): number {
    this.orders.clear();
    this.makerBids.clear();
    this.makerAsks.clear();
    this.bids.clear();
    this.asks.clear();
    return this.finish(0);
  }

  /** Resting rows: orders by id plus market-maker rows. */
  orderCount(): number {
    return this.orders.size + this.makerBids.size + this.makerAsks.size;
  }

  private setMakerRow(mmid: string, side: Side, price: number, size: number): number {
    const rows = this.makersOf(side);
    const row = rows.get(mmid);
    if (row === undefined) {
      this.sideOf(side).adjust(price, size, 1);
      rows.set(mmid, { side, price, size });
    } else {
      this.move(row, side, price, size);
    }
    return this.finish(sizeFlag(size));
  }

  private insert(orderId: string, side: Side, price: number, size: number): void {
    // Adjust first: it refuses a non-finite price before the order map holds anything bad.
    this.sideOf(side).adjust(price, size, 1);
    this.orders.set(orderId, { side, price, size });
  }

  private replace(order: RestingOrder, side: Side, price: number, size: number): number {
    const flags = order.side === side ? 0 : IntegrityFlag.sideChange;
    this.move(order, side, price, size);
    return flags;
  }

  private move(order: RestingOrder, side: Side, price: number, size: number): void {
    if (order.side === side && order.price === price) {
      this.sideOf(side).adjust(price, size - order.size, 0);
    } else {
      // Add the new contribution before removing the old one so a bad price throws before the
      // book changes.
      this.sideOf(side).adjust(price, size, 1);
      this.sideOf(order.side).adjust(order.price, -order.size, -1);
      order.side = side;
      order.price = price;
    }
    order.size = size;
  }

  private makersOf(side: Side): Map<string, RestingOrder> {
    return side === 'B' ? this.makerBids : this.makerAsks;
  }
}

function sizeFlag(size: number): number {
  return size > 0 ? 0 : IntegrityFlag.nonPositiveSize;
}
