/**
 * One symbol's market depth as the simulator needs it for mid-replay watches: per family, the
 * latest raw row per price level (by price), per order (by order) and per market maker, from
 * which the summary rows IQConnect sends after a watch are rebuilt (`7` for WPL, `6` for WOR,
 * `Z` for the legacy `w`). Rows are kept as the tape's own text, so `134.6200` goes out as
 * `134.6200`: only the type char changes.
 *
 * Deliberately its own small code: the simulator must not share book logic with the collector
 * it is testing (ARCHITECTURE.md, rules of the road).
 *
 * Row rules (IQFEED-PROTOCOL.md §6.2–6.4):
 * - by price (`7`/`8` upsert, `9` delete) keyed by (side, numeric price);
 * - by order (`0`/`3`/`4`/`6` upsert, `5` delete) keyed by Order ID, or by (MMID, side) when the
 *   Order ID is empty (Nasdaq market-maker rows delivered through WOR);
 * - legacy market maker (`Z`/`2`/`U` upsert) keyed by MMID; the legacy format has no delete;
 * - `S,CLEAR DEPTH,<sym>,<side>,` empties that side of the by-price and by-order books.
 * A row the rules cannot key (a `9` without a price, as in one client's parser) changes nothing.
 */

export type DepthFamily = 'mbp' | 'mbo' | 'mm';

const BID = 66; // 'B'

/** The text of field `n` (0 = the type) of a comma-separated line, '' past its end. */
export function fieldAt(line: string, n: number): string {
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = line.indexOf(',', start);
    if (c < 0) return '';
    start = c + 1;
  }
  const end = line.indexOf(',', start);
  return end < 0 ? line.slice(start) : line.slice(start, end);
}

/**
 * A copy of `s` that shares no memory with the text it was cut from. Tape lines are slices of
 * the reader's 64 KiB pieces of text, so a row kept in a book would otherwise keep its whole
 * piece alive: a long replay would hold much of the tape in memory, and every young piece a
 * book still pointed into was copied by each young-generation collection. Copying the row as it
 * is kept costs less (--speed max measured ~8% faster than copying the books now and then).
 */
export function ownCopy(s: string): string {
  return (s + ' ').slice(0, -1);
}

function priceKey(text: string): number {
  return text === '' ? Number.NaN : Number(text);
}

/**
 * A price as a Map key that equal prices share whatever their text (`134.62`, `134.6200`), read
 * straight from the line without allocating: the decimal digits as an integer with trailing
 * zeros removed, times 16, plus the number of decimals left; negative for negative prices (a
 * spread contract). Small integers are what a Map hashes fastest. NaN when the field is not a
 * plain decimal (empty, or a time where a price-less `9` has its time).
 */
export function priceKeyAt(line: string, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let i = start;
  const negative = line.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  let mantissa = 0;
  let decimals = -1;
  let digits = 0;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46 /* . */ && decimals < 0) decimals = 0;
    else if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else return Number.NaN;
  }
  if (digits === 0 || decimals > 15) return Number.NaN;
  if (decimals < 0) decimals = 0;
  while (decimals > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    decimals--;
  }
  const key = mantissa * 16 + decimals;
  return negative ? -key : key;
}

/** The price a key stands for (for ordering only). */
export function priceOfKey(key: number): number {
  const k = Math.abs(key);
  const decimals = k % 16;
  const value = (k - decimals) / 16 / 10 ** decimals;
  return key < 0 ? -value : value;
}

class ByPrice {
  readonly bids = new Map<number, string>();
  readonly asks = new Map<number, string>();

  /** `symEnd` is the index of the comma after the symbol. */
  apply(code: number, line: string, symEnd: number): void {
    const sideAt = symEnd + 1;
    const priceStart = sideAt + 2;
    const priceEnd = line.indexOf(',', priceStart);
    if (priceEnd < 0) return;
    const key = priceKeyAt(line, priceStart, priceEnd);
    if (Number.isNaN(key)) return; // an empty price, or a price-less 9: cannot tell which level
    const side = line.charCodeAt(sideAt) === BID ? this.bids : this.asks;
    if (code === 57 /* 9 */) side.delete(key);
    else side.set(key, ownCopy(line));
  }

  clear(bid: boolean): void {
    (bid ? this.bids : this.asks).clear();
  }

  get size(): number {
    return this.bids.size + this.asks.size;
  }

  rows(): string[] {
    const byPrice = (m: Map<number, string>) =>
      [...m.entries()].map(([k, line]) => ({ price: priceOfKey(k), line }));
    const bids = byPrice(this.bids).sort((a, b) => b.price - a.price);
    const asks = byPrice(this.asks).sort((a, b) => a.price - b.price);
    return [...bids, ...asks].map((r) => `7${r.line.slice(1)}`);
  }
}

class ByOrder {
  /** Key → raw row, in first-insertion order (ties in the summary keep arrival order). */
  readonly rows = new Map<string, string>();

  apply(code: number, line: string, symEnd: number): void {
    const idEnd = line.indexOf(',', symEnd + 1);
    if (idEnd < 0) return;
    let key: string;
    if (idEnd > symEnd + 1) {
      const id = line.slice(symEnd + 1, idEnd);
      // A cut of 13 chars or more is a view of the line's piece (see ownCopy): the key is kept too.
      key = id.length >= 13 ? ownCopy(id) : id;
    } else {
      const mmEnd = line.indexOf(',', idEnd + 1);
      if (mmEnd < 0) return;
      // Market-maker rows: one per (MMID, side). The separator cannot occur in feed text.
      key = `${line.slice(idEnd + 1, mmEnd)}\u0001${line.charAt(mmEnd + 1)}`;
    }
    if (code === 53 /* 5 */) this.rows.delete(key);
    else this.rows.set(key, ownCopy(line));
  }

  clear(bid: boolean): void {
    for (const [key, line] of this.rows) {
      if ((fieldAt(line, 4) === 'B') === bid) this.rows.delete(key);
    }
  }

  get size(): number {
    return this.rows.size;
  }

  rows6(): string[] {
    const bids: OrderRow[] = [];
    const asks: OrderRow[] = [];
    let seq = 0;
    for (const line of this.rows.values()) {
      const row = {
        line,
        price: priceKey(fieldAt(line, 5)),
        priority: priorityOf(fieldAt(line, 7)),
        seq: seq++,
      };
      (fieldAt(line, 4) === 'B' ? bids : asks).push(row);
    }
    bids.sort((a, b) => comparePrice(b.price, a.price) || a.priority - b.priority || a.seq - b.seq);
    asks.sort((a, b) => comparePrice(a.price, b.price) || a.priority - b.priority || a.seq - b.seq);
    return [...bids, ...asks].map((r) => `6${r.line.slice(1)}`);
  }
}

/** A legacy quote price: `0.` or empty means "no quote" (IQFEED-PROTOCOL.md §6.5). */
function positivePrice(text: string): number {
  const n = priceKey(text);
  return n > 0 ? n : Number.NaN;
}

interface OrderRow {
  readonly line: string;
  readonly price: number;
  readonly priority: number;
  readonly seq: number;
}

function priorityOf(text: string): number {
  const n = text === '' ? Number.NaN : Number(text);
  return Number.isNaN(n) ? Number.MAX_VALUE : n;
}

/** Ascending by price, rows without a price last. */
function comparePrice(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a - b;
}

class ByMarketMaker {
  readonly rows = new Map<string, string>();

  apply(line: string, symEnd: number): void {
    const mmEnd = line.indexOf(',', symEnd + 1);
    if (mmEnd < 0) return;
    this.rows.set(line.slice(symEnd + 1, mmEnd), ownCopy(line));
  }

  get size(): number {
    return this.rows.size;
  }

  /**
   * `Z` rows carry both sides of one market maker, so "best first" is by bid, best bid first;
   * market makers without a usable bid (price 0 or empty) follow, best ask first; then by MMID.
   * `2` updates go out as `Z` summaries; `U` rows (the no-protocol form, whose summary and
   * update look alike) stay `U`.
   */
  rowsZ(): string[] {
    const rows = [...this.rows.entries()].map(([mmid, line]) => ({
      mmid,
      line,
      bid: positivePrice(fieldAt(line, 3)),
      ask: positivePrice(fieldAt(line, 4)),
    }));
    rows.sort((a, b) => {
      const aNone = Number.isNaN(a.bid);
      const bNone = Number.isNaN(b.bid);
      if (aNone !== bNone) return aNone ? 1 : -1;
      if (!aNone && a.bid !== b.bid) return b.bid - a.bid;
      return comparePrice(a.ask, b.ask) || (a.mmid < b.mmid ? -1 : a.mmid > b.mmid ? 1 : 0);
    });
    return rows.map((r) => (r.line.charCodeAt(0) === 50 /* 2 */ ? `Z${r.line.slice(1)}` : r.line));
  }
}

export class DepthState {
  private readonly mbp = new ByPrice();
  private readonly mbo = new ByOrder();
  private readonly mm = new ByMarketMaker();

  /** Apply an L2 data row; `code` is its type char code, `symEnd` the comma after the symbol. */
  apply(code: number, line: string, symEnd: number): void {
    switch (code) {
      case 55: // 7
      case 56: // 8
      case 57: // 9
        this.mbp.apply(code, line, symEnd);
        return;
      case 48: // 0
      case 51: // 3
      case 52: // 4
      case 53: // 5
      case 54: // 6
        this.mbo.apply(code, line, symEnd);
        return;
      case 90: // Z
      case 50: // 2
      case 85: // U
        this.mm.apply(line, symEnd);
        return;
    }
  }

  /** `S,CLEAR DEPTH,<sym>,<side>,`: `side` is the side letter. */
  clear(side: string): void {
    const bid = side === 'B';
    this.mbp.clear(bid);
    this.mbo.clear(bid);
  }

  size(family: DepthFamily): number {
    return family === 'mbp' ? this.mbp.size : family === 'mbo' ? this.mbo.size : this.mm.size;
  }

  /** The summary rows a new watch of `family` gets: bids best first, then asks best first. */
  summary(family: DepthFamily): string[] {
    return family === 'mbp' ? this.mbp.rows() : family === 'mbo' ? this.mbo.rows6() : this.mm.rowsZ();
  }
}

/** Which family an L2 data type char belongs to, or null for non-depth lines. */
export function depthFamilyOf(code: number): DepthFamily | null {
  if (code >= 55 && code <= 57) return 'mbp';
  if (code === 48 || (code >= 51 && code <= 54)) return 'mbo';
  if (code === 90 || code === 50 || code === 85) return 'mm';
  return null;
}
