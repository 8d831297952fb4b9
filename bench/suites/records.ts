import { MbpBook } from '../../collector/books/index.js';
import { RecordJson } from '../../collector/records/json.js';
import { type BenchFigure, figure } from '../figure.js';
import { measureRate } from '../measure.js';
import type { BenchSuite } from '../suite.js';

/**
 * Record encoding: the JSON text of L2 (10 levels a side), L1 quote and tick records as the
 * deriver builds it (collector/records/json.ts `RecordJson`, hand-concatenated from the book),
 * beside `JSON.stringify` of the same record as an object in the same run. The baseline for L2
 * includes building the level objects from the book, as a stringify-based encoder would have to.
 */

const DEPTH = 10;
const SESSION = '9a59d7b3-08d7-499e-9d52-643b28997fca';

/** Books of a few symbols, 15 levels a side, prices on a cent grid around different mids. */
export function benchBooks(): MbpBook[] {
  const books: MbpBook[] = [];
  for (let s = 0; s < 8; s++) {
    const book = new MbpBook();
    const mid = 100 + s * 37.25;
    for (let k = 0; k < 15; k++) {
      book.upsertLevel(
        'B',
        Math.round((mid - 0.01 * (k + 1)) * 100) / 100,
        100 * (1 + ((k * 7 + s) % 13)),
        1 + (k % 4),
      );
      book.upsertLevel(
        'A',
        Math.round((mid + 0.01 * (k + 1)) * 100) / 100,
        100 * (1 + ((k * 5 + s) % 11)),
        1 + (k % 3),
      );
    }
    books.push(book);
  }
  return books;
}

const SYMBOLS = ['"AAPL"', '"MSFT"', '"SPY"', '"QQQ"', '"TSLA"', '"NVDA"', '"AMZN"', '"@ESU25"'];

function stringifyL2(book: MbpBook, symbol: string, timestamp: string, seq: number): string {
  const side = (s: 'B' | 'A') => {
    const out: { price: number; size: number; level: number }[] = [];
    const n = Math.min(DEPTH, book.levelCount(s));
    for (let r = 0; r < n; r++)
      out.push({ price: book.priceAt(s, r), size: book.sizeAt(s, r), level: r + 1 });
    return out;
  };
  const bids = side('B');
  const asks = side('A');
  const bid = bids[0]!.price;
  const ask = asks[0]!.price;
  return JSON.stringify({
    symbol,
    timestamp,
    bids,
    asks,
    total_bid_size: bids.reduce((t, l) => t + l.size, 0),
    total_ask_size: asks.reduce((t, l) => t + l.size, 0),
    spread: Math.round((ask - bid) * 1e6) / 1e6,
    mid_price: Math.round(((ask + bid) / 2) * 1e6) / 1e6,
    session: SESSION,
    seq,
  });
}

export const recordsSuite: BenchSuite = {
  name: 'records',
  description: 'record JSON encoding/s (L2 depth 10, L1, tick) beside JSON.stringify of the same record',
  async run(context): Promise<readonly BenchFigure[]> {
    const rounds = context.quick ? 3 : 10;
    const warmup = context.quick ? 1 : 3;
    const n = 50_000;
    const books = benchBooks();
    const json = new RecordJson(SESSION);
    const ts = '2025-07-25T09:30:00.004241';
    const opts = { rounds, warmup, cpu: true };

    const l2 = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++) len += json.l2(SYMBOLS[i & 7]!, ts, books[i & 7]!, DEPTH, i).length;
        return len;
      },
      n,
      opts,
    );
    const l2Base = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++)
          len += stringifyL2(books[i & 7]!, SYMBOLS[i & 7]!.slice(1, -1), ts, i).length;
        return len;
      },
      n,
      opts,
    );
    const l1 = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++)
          len += json.l1(SYMBOLS[i & 7]!, ts, 215.41, 300 + (i & 7), 215.43, 500, i).length;
        return len;
      },
      n,
      opts,
    );
    const l1Base = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++) {
          len += JSON.stringify({
            symbol: SYMBOLS[i & 7]!.slice(1, -1),
            timestamp: ts,
            bid: 215.41,
            bid_size: 300 + (i & 7),
            ask: 215.43,
            ask_size: 500,
            spread: 0.02,
            mid_price: 215.42,
            session: SESSION,
            seq: i,
          }).length;
        }
        return len;
      },
      n,
      opts,
    );
    const tick = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++)
          len += json.tick(
            SYMBOLS[i & 7]!,
            ts,
            215.42,
            100,
            '3D',
            11,
            1_000_000 + i,
            5_000_000 + i,
            i,
          ).length;
        return len;
      },
      n,
      opts,
    );
    const tickBase = measureRate(
      () => {
        let len = 0;
        for (let i = 0; i < n; i++) {
          len += JSON.stringify({
            symbol: SYMBOLS[i & 7]!.slice(1, -1),
            timestamp: ts,
            price: 215.42,
            size: 100,
            conditions: '3D',
            market_center: 11,
            total_volume: 1_000_000 + i,
            tick_id: 5_000_000 + i,
            session: SESSION,
            seq: i,
          }).length;
        }
        return len;
      },
      n,
      opts,
    );
    const row = (name: string, r: typeof l2, base: typeof l2, baseName: string): BenchFigure => {
      context.log(
        `${name}: ${Math.round(r.perSecond)} records/s (${Math.round(r.perCpuSecond ?? 0)} per CPU-second); ` +
          `${baseName}: ${Math.round(base.perSecond)}`,
      );
      return figure({
        name,
        value: Math.round(r.perSecond),
        unit: 'records/s',
        baseline: { name: baseName, value: Math.round(base.perSecond) },
        note: `${Math.round(r.perCpuSecond ?? 0)} records per CPU-second; best of ${rounds} rounds of ${n}`,
      });
    };
    return [
      row('encode L2 record (10 levels a side)', l2, l2Base, 'JSON.stringify of the same record'),
      row('encode L1 quote record', l1, l1Base, 'JSON.stringify of the same record'),
      row('encode tick record', tick, tickBase, 'JSON.stringify of the same record'),
    ];
  },
};
