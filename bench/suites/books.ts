import {
  type MakerQuote,
  MboBook,
  MbpBook,
  MmBook,
  type OrderBook,
  type Side,
} from '../../collector/books/index.js';
import { type BenchFigure, figure } from '../figure.js';
import { measureRate } from '../measure.js';
import type { BenchContext, BenchSuite } from '../suite.js';

/**
 * Book update throughput per family on realistic operation mixes: activity concentrated at the
 * inside, a few hundred levels per side, thousands of resting orders. Each figure sits beside a
 * baseline measured in the same run on the same keys: a plain `Map` set/delete per operation,
 * which is the least any keyed book must do and keeps no price order at all.
 *
 * Nearly every L2 message also produces a record holding the top `depth` levels, so the suite
 * also times "update + top(10)" (the book's own level objects; served from its cache when the
 * update was deeper than 10 levels) and "update + read 10 levels by accessors" (no allocation:
 * what a record builder making its own level objects pays the book). Targets, a budget of ours:
 * the collector must move 250k msg/s end to end on 2 cores (≤ 4 µs per message for every stage
 * together); the book stage gets ≤ 0.5 µs per update (≥ 2M/s) and ≤ 1 µs with its read (≥ 1M/s).
 */

const UPDATE_TARGET = 2_000_000;
const WITH_TOP_TARGET = 1_000_000;
const DEPTH = 10;

/** Deterministic PRNG (mulberry32) so every run replays the same operations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prices as the deriver gets them: parsed from the feed's decimal text, one per tick. */
function priceOfTick(tick: number): number {
  return Number.parseFloat(`${Math.floor(tick / 100)}.${String(tick % 100).padStart(2, '0')}`);
}

/** Distance from the inside in ticks: most activity near the top, a long tail to `max`. */
function depthTicks(r: () => number, mean: number, max: number): number {
  return Math.min(max, Math.floor(-Math.log(1 - r()) * mean));
}

const SIDE_OF: readonly Side[] = ['B', 'A'];

/** What the caller reads after each operation, as the record builder will. */
type Read = 'none' | 'top' | 'accessors';

function readBook(book: OrderBook, read: Read): number {
  if (read === 'none') return 0;
  if (read === 'top') return book.top(DEPTH).totalBidSize;
  // The allocation-free path: what a record builder writing its own level objects would do.
  let sum = 0;
  const bids = Math.min(DEPTH, book.levelCount('B'));
  for (let r = 0; r < bids; r++)
    sum += book.priceAt('B', r) + book.sizeAt('B', r) + book.orderCountAt('B', r);
  const asks = Math.min(DEPTH, book.levelCount('A'));
  for (let r = 0; r < asks; r++)
    sum += book.priceAt('A', r) + book.sizeAt('A', r) + book.orderCountAt('A', r);
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Market by price

const MBP_UPSERT = 0;
const MBP_DELETE = 1;

interface MbpOps {
  readonly n: number;
  readonly kind: Uint8Array;
  readonly side: Uint8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly count: Float64Array;
}

/**
 * A `WPL` day: a 300-level snapshot per side, then `8` updates (most at the inside), `9`
 * deletes, new levels, and the inside moving a tick now and then.
 */
function mbpOps(count: number, seed: number): MbpOps {
  const r = prng(seed);
  const ops: MbpOps = {
    n: count,
    kind: new Uint8Array(count),
    side: new Uint8Array(count),
    price: new Float64Array(count),
    size: new Float64Array(count),
    count: new Float64Array(count),
  };
  const levels = [new Set<number>(), new Set<number>()];
  let bestBid = 10_000;
  let i = 0;
  const push = (kind: number, side: number, tick: number): void => {
    if (i >= count) return;
    ops.kind[i] = kind;
    ops.side[i] = side;
    ops.price[i] = priceOfTick(tick);
    ops.size[i] = 1 + Math.floor(r() * 2000);
    ops.count[i] = 1 + Math.floor(r() * 30);
    if (kind === MBP_DELETE) levels[side].delete(tick);
    else levels[side].add(tick);
    i++;
  };
  for (let d = 0; d < 300; d++) {
    push(MBP_UPSERT, 0, bestBid - d);
    push(MBP_UPSERT, 1, bestBid + 1 + d);
  }
  while (i < count) {
    if (r() < 0.01) {
      // The inside moves a tick: the best level on one side is taken out, the other side steps in.
      // The new inside level on the side that gave way is refreshed (it may have been deleted).
      if (r() < 0.5) {
        push(MBP_DELETE, 1, bestBid + 1);
        bestBid++;
        push(MBP_UPSERT, 0, bestBid);
        push(MBP_UPSERT, 1, bestBid + 1);
      } else {
        push(MBP_DELETE, 0, bestBid);
        bestBid--;
        push(MBP_UPSERT, 1, bestBid + 1);
        push(MBP_UPSERT, 0, bestBid);
      }
      continue;
    }
    const side = r() < 0.5 ? 0 : 1;
    const d = depthTicks(r, 12, 299);
    const tick = side === 0 ? bestBid - d : bestBid + 1 + d;
    if (levels[side].has(tick) && d > 0 && r() < 0.2) push(MBP_DELETE, side, tick);
    else push(MBP_UPSERT, side, tick);
  }
  return ops;
}

function applyMbp(book: MbpBook, ops: MbpOps, read: Read): number {
  let check = 0;
  for (let i = 0; i < ops.n; i++) {
    const side = SIDE_OF[ops.side[i]];
    check +=
      ops.kind[i] === MBP_UPSERT
        ? book.upsertLevel(side, ops.price[i], ops.size[i], ops.count[i])
        : book.deleteLevel(side, ops.price[i]);
    check += readBook(book, read);
  }
  return check + book.levelCount('B') + book.levelCount('A');
}

function mbpBaseline(ops: MbpOps): () => number {
  return () => {
    const sides = [new Map<number, number>(), new Map<number, number>()];
    for (let i = 0; i < ops.n; i++) {
      const levels = sides[ops.side[i]];
      if (ops.kind[i] === MBP_UPSERT) levels.set(ops.price[i], ops.size[i]);
      else levels.delete(ops.price[i]);
    }
    return sides[0].size + sides[1].size;
  };
}

// ---------------------------------------------------------------------------------------------
// Market by order

const MBO_SUMMARY = 0;
const MBO_ADD = 1;
const MBO_UPDATE = 2;
const MBO_DELETE = 3;

interface MboOps {
  readonly n: number;
  readonly kind: Uint8Array;
  readonly side: Uint8Array;
  readonly id: readonly string[];
  readonly price: Float64Array;
  readonly size: Float64Array;
}

/**
 * A futures `WOR` day: a 5,000-order snapshot, then adds and deletes in balance, updates that
 * mostly shrink an order in place and sometimes move it, the inside drifting.
 */
function mboOps(count: number, seed: number): MboOps {
  const r = prng(seed);
  const ops = {
    n: count,
    kind: new Uint8Array(count),
    side: new Uint8Array(count),
    id: new Array<string>(count),
    price: new Float64Array(count),
    size: new Float64Array(count),
  };
  // Live orders: id, side, tick, size. Deletes pick a random live order (swap-remove).
  const live: { id: string; side: number; tick: number; size: number }[] = [];
  let nextId = 648_907_593_934;
  let bestBid = 450_000;
  let i = 0;
  const emit = (kind: number, o: { id: string; side: number; tick: number; size: number }): void => {
    ops.kind[i] = kind;
    ops.side[i] = o.side;
    ops.id[i] = o.id;
    ops.price[i] = priceOfTick(o.tick);
    ops.size[i] = o.size;
    i++;
  };
  const newOrder = (): { id: string; side: number; tick: number; size: number } => {
    const side = r() < 0.5 ? 0 : 1;
    const d = depthTicks(r, 20, 299);
    return {
      id: String(nextId++),
      side,
      tick: side === 0 ? bestBid - d : bestBid + 1 + d,
      size: 1 + Math.floor(r() * 50),
    };
  };
  for (let k = 0; k < 5000 && i < count; k++) {
    const o = newOrder();
    live.push(o);
    emit(MBO_SUMMARY, o);
  }
  while (i < count) {
    if (r() < 0.005) {
      // The inside moves a tick: a trade takes out the orders at the level that gives way, so
      // the book never crosses.
      const up = r() < 0.5;
      const side = up ? 1 : 0;
      const tick = up ? bestBid + 1 : bestBid;
      for (let j = live.length - 1; j >= 0 && i < count; j--) {
        const o = live[j];
        if (o.side !== side || o.tick !== tick) continue;
        live[j] = live[live.length - 1];
        live.pop();
        emit(MBO_DELETE, o);
      }
      bestBid += up ? 1 : -1;
      continue;
    }
    // Adds lean towards keeping about 5,000 orders resting; fills and deletes take the rest.
    const k = r();
    if (k < (live.length < 5000 ? 0.45 : 0.35) || live.length === 0) {
      const o = newOrder();
      live.push(o);
      emit(MBO_ADD, o);
    } else if (k < 0.8) {
      const j = Math.floor(r() * live.length);
      const o = live[j];
      live[j] = live[live.length - 1];
      live.pop();
      emit(MBO_DELETE, o);
    } else {
      const o = live[Math.floor(r() * live.length)];
      if (r() < 0.8) o.size = Math.max(1, o.size - 1 - Math.floor(r() * 5));
      else o.tick += o.side === 0 ? -1 : 1;
      emit(MBO_UPDATE, o);
    }
  }
  return ops;
}

function applyMbo(book: MboBook, ops: MboOps, read: Read): number {
  let check = 0;
  for (let i = 0; i < ops.n; i++) {
    const side = SIDE_OF[ops.side[i]];
    switch (ops.kind[i]) {
      case MBO_SUMMARY:
        check += book.summaryOrder(ops.id[i], '', side, ops.price[i], ops.size[i]);
        break;
      case MBO_ADD:
        check += book.addOrder(ops.id[i], '', side, ops.price[i], ops.size[i]);
        break;
      case MBO_UPDATE:
        check += book.updateOrder(ops.id[i], '', side, ops.price[i], ops.size[i]);
        break;
      default:
        check += book.deleteOrder(ops.id[i], '', side);
    }
    check += readBook(book, read);
  }
  return check + book.orderCount();
}

function mboBaseline(ops: MboOps): () => number {
  return () => {
    const orders = new Map<string, number>();
    for (let i = 0; i < ops.n; i++) {
      if (ops.kind[i] === MBO_DELETE) orders.delete(ops.id[i]);
      else orders.set(ops.id[i], ops.price[i]);
    }
    return orders.size;
  };
}

// ---------------------------------------------------------------------------------------------
// Market by market maker

interface MmOps {
  readonly n: number;
  readonly mmid: readonly string[];
  /** null removes the maker. */
  readonly quotes: readonly (MakerQuote | null)[];
}

/**
 * A legacy `w` watch: 60 makers re-quoting around the inside (which stays put: makers' quotes
 * that straddle a moved inside would lock and cross), a few leaving and coming back, a few
 * with no quote (`0.` with `F,F`).
 */
function mmOps(count: number, seed: number): MmOps {
  const r = prng(seed);
  const makers = Array.from({ length: 60 }, (_, k) => `M${String(k).padStart(3, '0')}`);
  const mmid: string[] = [];
  const quotes: (MakerQuote | null)[] = [];
  const bestBid = 1240;
  const present = new Set(makers);
  const quote = (): MakerQuote => {
    const bid = bestBid - depthTicks(r, 4, 60);
    const ask = bestBid + 1 + depthTicks(r, 4, 60);
    const noQuote = r() < 0.03;
    return {
      bid: noQuote ? 0 : priceOfTick(bid),
      bidSize: 100 * (1 + Math.floor(r() * 20)),
      ask: noQuote ? 0 : priceOfTick(ask),
      askSize: 100 * (1 + Math.floor(r() * 20)),
      bidValid: !noQuote,
      askValid: !noQuote,
    };
  };
  for (const m of makers) {
    mmid.push(m);
    quotes.push(quote());
  }
  while (mmid.length < count) {
    const m = makers[Math.floor(r() * makers.length)];
    mmid.push(m);
    if (present.has(m) && r() < 0.02) {
      present.delete(m);
      quotes.push(null);
    } else {
      present.add(m);
      quotes.push(quote());
    }
  }
  return { n: count, mmid, quotes };
}

function applyMm(book: MmBook, ops: MmOps, read: Read): number {
  let check = 0;
  for (let i = 0; i < ops.n; i++) {
    const q = ops.quotes[i];
    check += q === null ? book.removeMaker(ops.mmid[i]) : book.setQuote(ops.mmid[i], q);
    check += readBook(book, read);
  }
  return check + book.makerCount();
}

function mmBaseline(ops: MmOps): () => number {
  return () => {
    const makers = new Map<string, MakerQuote>();
    for (let i = 0; i < ops.n; i++) {
      const q = ops.quotes[i];
      if (q === null) makers.delete(ops.mmid[i]);
      else makers.set(ops.mmid[i], q);
    }
    return makers.size;
  };
}

// ---------------------------------------------------------------------------------------------

interface Family {
  readonly name: string;
  readonly units: number;
  readonly book: (read: Read) => () => number;
  readonly baseline: () => number;
  /** What the book looks like mid-run, for the log: levels per side, resting rows. */
  readonly shape: string;
}

function measureFamily(context: BenchContext, f: Family): BenchFigure[] {
  const options = context.quick ? { rounds: 4, warmup: 2 } : { rounds: 10, warmup: 3 };
  const update = measureRate(f.book('none'), f.units, options);
  const withTop = measureRate(f.book('top'), f.units, options);
  const withRead = measureRate(f.book('accessors'), f.units, options);
  const base = measureRate(f.baseline, f.units, options);
  context.log(
    `${f.name} (${f.shape}): update ${Math.round(update.perSecond)}/s, ` +
      `+top(${DEPTH}) ${Math.round(withTop.perSecond)}/s, +accessors ${Math.round(withRead.perSecond)}/s, ` +
      `Map ${Math.round(base.perSecond)}/s`,
  );
  const baseline = { name: `Map set/delete, same ${f.name} keys`, value: Math.round(base.perSecond) };
  const withTarget = (name: string, perSecond: number, target: number): BenchFigure =>
    figure({
      name,
      value: Math.round(perSecond),
      unit: 'ops/s',
      baseline,
      target: { op: '>=', value: target },
    });
  return [
    withTarget(`${f.name} book updates`, update.perSecond, UPDATE_TARGET),
    withTarget(`${f.name} book update + top(${DEPTH})`, withTop.perSecond, WITH_TOP_TARGET),
    withTarget(
      `${f.name} book update + read ${DEPTH} levels by accessors`,
      withRead.perSecond,
      WITH_TOP_TARGET,
    ),
  ];
}

function shapeOf(book: { levelCount(side: Side): number }, extra = ''): string {
  return `${book.levelCount('B')}/${book.levelCount('A')} levels${extra}`;
}

export async function run(context: BenchContext): Promise<BenchFigure[]> {
  const count = context.quick ? 50_000 : 300_000;
  const mbp = mbpOps(count, 11);
  const mbo = mboOps(count, 12);
  const mm = mmOps(count, 13);

  // Run each workload once untimed to describe the book it builds and to prove the generator
  // sends only operations a well-behaved feed would.
  const mbpBook = new MbpBook();
  applyMbp(mbpBook, mbp, 'none');
  const mboBook = new MboBook();
  applyMbo(mboBook, mbo, 'none');
  const mmBook = new MmBook();
  applyMm(mmBook, mm, 'none');
  const integrity = [mbpBook, mboBook, mmBook].map((b) => b.integrity());
  if (integrity.some((c) => c.unknownDelete + c.unknownUpdate + c.duplicateAdd + c.crossed + c.locked > 0)) {
    throw new Error(
      `books bench: a workload produced integrity issues, its generator is out of step: ${JSON.stringify(integrity)}`,
    );
  }

  return [
    ...measureFamily(context, {
      name: 'mbp',
      units: mbp.n,
      book: (read) => () => applyMbp(new MbpBook(), mbp, read),
      baseline: mbpBaseline(mbp),
      shape: shapeOf(mbpBook),
    }),
    ...measureFamily(context, {
      name: 'mbo',
      units: mbo.n,
      book: (read) => () => applyMbo(new MboBook(), mbo, read),
      baseline: mboBaseline(mbo),
      shape: shapeOf(mboBook, `, ${mboBook.orderCount()} orders`),
    }),
    ...measureFamily(context, {
      name: 'mm',
      units: mm.n,
      book: (read) => () => applyMm(new MmBook(), mm, read),
      baseline: mmBaseline(mm),
      shape: shapeOf(mmBook, `, ${mmBook.makerCount()} makers`),
    }),
  ];
}

export const booksSuite: BenchSuite = {
  name: 'books',
  description: 'order book updates/s per family (mbp, mbo, mm) beside a Map set/delete of the same keys',
  run,
};
