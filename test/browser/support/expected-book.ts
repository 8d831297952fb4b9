/**
 * What the monitor should show, computed from the tape lines a test wrote: a few lines of
 * market-by-price and last-trade bookkeeping that share nothing with the collector's code.
 */
import type { Side, TapeLine } from './tape.js';

export interface Level {
  readonly price: number;
  readonly size: number;
}

export interface ExpectedBook {
  /** Best first: bids high to low, asks low to high. */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

const DECIMAL = /^\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

/**
 * The book of `symbol` after every L2 line: `7`/`8` set the size at (side, price), `9` removes the
 * level. A row whose price or size is not a plain number changes nothing: the feed sent garbage.
 */
export function mbpBookAfter(lines: readonly TapeLine[], symbol: string): ExpectedBook {
  const sides: Record<Side, Map<number, number>> = { B: new Map(), A: new Map() };
  for (const { channel, line } of lines) {
    if (channel !== 'L2') continue;
    const f = line.split(',');
    if (f[1] !== symbol || (f[2] !== 'B' && f[2] !== 'A')) continue;
    const book = sides[f[2]];
    const price = f[3] ?? '';
    if (!DECIMAL.test(price)) continue;
    if (f[0] === '7' || f[0] === '8') {
      const size = f[4] ?? '';
      if (WHOLE.test(size)) book.set(Number(price), Number(size));
    } else if (f[0] === '9') {
      book.delete(Number(price));
    }
  }
  const levels = (m: Map<number, number>, descending: boolean): Level[] =>
    [...m.entries()]
      .map(([price, size]) => ({ price, size }))
      .sort((a, b) => (descending ? b.price - a.price : a.price - b.price));
  return { bids: levels(sides.B, true), asks: levels(sides.A, false) };
}

export interface Trade {
  readonly price: number;
  readonly size: number;
  /** ISO 8601 without offset, as CONTRACTS §2 writes event times. */
  readonly timestamp: string;
}

/**
 * The last trade of `symbol` on L1: the newest `Q` whose Message Contents (field 15 of the tape's
 * layout) holds `C`, read from its Most Recent Trade fields.
 */
export function lastTradeOf(lines: readonly TapeLine[], symbol: string): Trade | null {
  let last: Trade | null = null;
  for (const { channel, line } of lines) {
    if (channel !== 'L1' || !line.startsWith(`Q,${symbol},`)) continue;
    const f = line.split(',');
    if (!(f[15] ?? '').includes('C')) continue;
    const [mm, dd, yyyy] = (f[20] ?? '').split('/');
    last = { price: Number(f[2]), size: Number(f[3]), timestamp: `${yyyy}-${mm}-${dd}T${f[4]}` };
  }
  return last;
}
