import { inputError, L2hError } from '../../common/errors.js';
import type { BookFamily, Level, Side } from './types.js';

const INITIAL_CAPACITY = 64;
/** "Nothing changed": a small integer so the field stays a V8 small integer. */
const CLEAN = 0x3fffffff;

/**
 * One side of a book aggregated by price: parallel typed arrays kept sorted, looked up by binary
 * search. At the tens to hundreds of levels a depth feed holds, this is contiguous memory with no
 * per-level objects and a handful of predictable comparisons per lookup; a tree would add a node
 * allocation per level for no gain at that size. bench/suites/books.ts measures the result.
 *
 * The arrays run from worst to best, so the best level is the last element: most activity is
 * at the inside of the book, and inserting or deleting there shifts only the few elements above
 * it. Prices are only compared, never computed with; the same decimal text always parses to the
 * same number, so equality is exact.
 */
export class PriceSide {
  readonly side: Side;
  private readonly family: BookFamily;
  private prices = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Float64Array(INITIAL_CAPACITY);
  private counts = new Float64Array(INITIAL_CAPACITY);
  private n = 0;
  /** Best rank (0 = best) whose level changed since `markClean`; ranks above it are untouched. */
  private dirtyRank = 0;

  constructor(side: Side, family: BookFamily) {
    this.side = side;
    this.family = family;
  }

  get length(): number {
    return this.n;
  }

  /** Best price, NaN when empty (NaN compares false, which the cross check relies on). */
  bestPrice(): number {
    return this.n === 0 ? Number.NaN : this.prices[this.n - 1];
  }

  has(price: number): boolean {
    return this.search(price) >= 0;
  }

  /** Set a level to absolute values; returns true when the level is new. */
  set(price: number, size: number, orderCount: number): boolean {
    this.assertFinite(price, size);
    let i = this.search(price);
    const inserted = i < 0;
    if (inserted) {
      i = ~i;
      this.insertAt(i, price);
    } else {
      this.touch(i);
    }
    this.sizes[i] = size;
    this.counts[i] = orderCount;
    return inserted;
  }

  /**
   * Add deltas to a level, creating it if absent and removing it when its count reaches zero:
   * how by-order and by-maker books keep their price view incrementally. A size of zero with
   * orders still resting stays a level, because the feed said those orders exist.
   */
  adjust(price: number, sizeDelta: number, countDelta: number): void {
    this.assertFinite(price, sizeDelta);
    let i = this.search(price);
    if (i < 0) {
      if (countDelta <= 0) this.corrupt('adjust of an absent level', price);
      i = ~i;
      this.insertAt(i, price);
      this.sizes[i] = sizeDelta;
      this.counts[i] = countDelta;
      return;
    }
    const count = this.counts[i] + countDelta;
    if (count === 0) {
      this.removeAt(i);
      return;
    }
    if (count < 0) this.corrupt('level count below zero', price);
    this.touch(i);
    this.sizes[i] += sizeDelta;
    this.counts[i] = count;
  }

  /** Remove a level; false when there was none at that price. */
  remove(price: number): boolean {
    const i = this.search(price);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  clear(): void {
    this.n = 0;
    this.dirtyRank = 0;
  }

  /**
   * Whether any of the best `depth` levels changed (value, insertion or removal) since the last
   * `markClean`. A change deeper in the book leaves the better levels' ranks alone (ranks count
   * from the best end, where nothing shifted), so a cached top stays exact.
   */
  changedWithin(depth: number): boolean {
    return this.dirtyRank < depth;
  }

  markClean(): void {
    this.dirtyRank = CLEAN;
  }

  /** Rank 0 is the best level; a rank outside 0..length-1 reads NaN. */
  priceAt(rank: number): number {
    return rank >= 0 && rank < this.n ? this.prices[this.n - 1 - rank] : Number.NaN;
  }

  sizeAt(rank: number): number {
    return rank >= 0 && rank < this.n ? this.sizes[this.n - 1 - rank] : Number.NaN;
  }

  countAt(rank: number): number {
    return rank >= 0 && rank < this.n ? this.counts[this.n - 1 - rank] : Number.NaN;
  }

  /** Append the best `depth` levels to `out`, best first; returns their total size. */
  topInto(depth: number, out: Level[]): number {
    const last = this.n - 1;
    const stop = depth < this.n ? this.n - depth : 0;
    let total = 0;
    for (let i = last; i >= stop; i--) {
      const size = this.sizes[i];
      total += size;
      out.push({ price: this.prices[i], size, orderCount: this.counts[i] });
    }
    return total;
  }

  /** Index of `price`, or the bitwise complement of where it would be inserted. */
  private search(price: number): number {
    const p = this.prices;
    let lo = 0;
    let hi = this.n - 1;
    // Check the best level first: at the inside of the book that is the common hit.
    if (hi >= 0 && p[hi] === price) return hi;
    if (this.side === 'B') {
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = p[mid];
        if (v < price) lo = mid + 1;
        else if (v > price) hi = mid - 1;
        else return mid;
      }
    } else {
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const v = p[mid];
        if (v > price) lo = mid + 1;
        else if (v < price) hi = mid - 1;
        else return mid;
      }
    }
    return ~lo;
  }

  private insertAt(i: number, price: number): void {
    if (this.n === this.prices.length) this.grow();
    if (i < this.n) {
      this.prices.copyWithin(i + 1, i, this.n);
      this.sizes.copyWithin(i + 1, i, this.n);
      this.counts.copyWithin(i + 1, i, this.n);
    }
    this.prices[i] = price;
    this.n++;
    this.touch(i);
  }

  private removeAt(i: number): void {
    this.touch(i);
    const n = this.n;
    if (i < n - 1) {
      this.prices.copyWithin(i, i + 1, n);
      this.sizes.copyWithin(i, i + 1, n);
      this.counts.copyWithin(i, i + 1, n);
    }
    this.n = n - 1;
  }

  private touch(i: number): void {
    const rank = this.n - 1 - i;
    if (rank < this.dirtyRank) this.dirtyRank = rank;
  }

  private grow(): void {
    const cap = this.prices.length * 2;
    const prices = new Float64Array(cap);
    const sizes = new Float64Array(cap);
    const counts = new Float64Array(cap);
    prices.set(this.prices);
    sizes.set(this.sizes);
    counts.set(this.counts);
    this.prices = prices;
    this.sizes = sizes;
    this.counts = counts;
  }

  // A NaN price would silently break the ordering every lookup depends on, and a NaN size would
  // poison the level's sum for good: refuse them with the place named instead.
  assertFinite(price: number, size: number): void {
    if (!Number.isFinite(price) || !Number.isFinite(size)) {
      throw inputError(
        'book operation with a non-finite price or size',
        { book: this.family, side: this.side, price: String(price), size: String(size) },
        'the deriver must parse price and size fields to finite numbers before calling the book',
      );
    }
  }

  private corrupt(what: string, price: number): never {
    throw new L2hError(`price side out of step with its orders: ${what}`, {
      code: 'INTERNAL',
      context: { book: this.family, side: this.side, price },
    });
  }
}
