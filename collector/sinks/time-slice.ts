/**
 * Long work on the collector's one thread (a sink encoding a batch, a catch-up deriving the
 * journal), cut into slices of about `SLICE_MS` with a turn of the event loop between them.
 *
 * Why time and not a count: under a flood the feed takes a turn of several thousand lines (tens
 * of milliseconds, collector.ts `yieldSoon`) between two of a sink's slices. Slices of a fixed
 * 2,000 rows gave the ClickHouse encoder ~3 ms of every such turn: it advanced ~55k lines/s while
 * the feed came in at ~120k, and a catch-up deriving 2,048 lines a turn could never reach a feed
 * that took 4,096. A slice of a few milliseconds keeps the feed's socket reads as prompt as
 * before while letting the work keep pace with the feed.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../common/clock.js';

/** A slice's length; the feed's own turns under a flood are a few times longer. */
export const SLICE_MS = 8;

/**
 * Items (rows, lines) between two looks at the clock: a few hundred µs of work, so a slice ends
 * close to its length, and reading the clock per item would cost more than the items.
 */
export const SLICE_CHECK_EVERY = 256;

export class TimeSlice {
  private startUs: number;

  constructor(
    private readonly clock: Pick<Clock, 'monoUs'>,
    private readonly sliceMs: number = SLICE_MS,
  ) {
    this.startUs = clock.monoUs();
  }

  /** The slice is used up: `pause` before going on. */
  due(): boolean {
    return this.clock.monoUs() - this.startUs >= this.sliceMs * 1000;
  }

  /** Give the event loop a turn and start a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.startUs = this.clock.monoUs();
  }
}
