/**
 * A connection that fell behind the live replay, served from the tape by its own cursor.
 *
 * IQConnect keeps a queue per client: a slow reader falls behind alone while every other client
 * stays live. The simulator does the same without holding the backlog in memory: when an L1/L2
 * connection's output goes over its bound, it leaves the live replay (hub.ts) and this cursor
 * re-reads the tape from the line it left at, giving it exactly what the live replay would have
 * (the same rule, one-route.ts; the same second ticks, `T` lines included), as fast as it reads
 * and never more than its bound ahead of it. Once it has reached the live replay's position it
 * rejoins it. The backlog is the tape itself: nothing is buffered without bound, nothing dropped.
 *
 * The reader is kept for the connection's life and only moves forward: a later fall-behind skips
 * what was delivered live meanwhile, so re-reading costs at most one pass over the tape per
 * connection.
 */
import { openTape, type TapeLine, type TapeReader } from '../../collector/tape/reader.js';
import type { ConnectionOutput } from '../session/output.js';
import { SECOND_US } from '../sim-time.js';
import type { FieldList } from '../state/field-list.js';
import type { OneRoute } from './one-route.js';

/** Where the live replay is: every connection on it has been given this much. */
export interface LivePosition {
  readonly linesReplayed: number;
  readonly nextTickSimUs: number;
  readonly isEnded: boolean;
  readonly simAtZeroUs: number;
  readonly simNowUs: number;
}

export interface CatchUpOptions {
  readonly tape: string;
  readonly batchSize: number;
  readonly readChunkBytes: number;
  /** Lines (and ticks) between two yields to the event loop. */
  readonly sliceLines: number;
  readonly live: LivePosition;
  readonly route: OneRoute;
  readonly out: ConnectionOutput;
  /** The connection has been given everything the live replay gave: put it back on it. */
  readonly onCaughtUp: () => void;
  readonly onError: (err: unknown) => void;
}

export class CatchUpCursor {
  private reader: TapeReader | null = null;
  private opening: Promise<void> | null = null;
  private iterator: AsyncIterator<readonly TapeLine[]> | null = null;
  private batch: readonly TapeLine[] = [];
  private pos = 0;
  private fetching = false;
  private exhausted = false;
  /** Tape lines taken so far (skipped or sent). */
  private lines = 0;
  /** Lines up to which the connection was served live: taken without sending. */
  private skipTo = 0;
  private nextTickUs = 0;
  private simNow = 0;
  private running = false;
  private scheduled = false;
  private closed = false;
  /** Lines sent to the connection from here (what it got while behind the live replay). */
  private given = 0;

  constructor(private readonly o: CatchUpOptions) {}

  /** Simulated time of what the connection is being given now (faults at a time use it). */
  get simNowUs(): number {
    return this.simNow;
  }

  get isBehind(): boolean {
    return this.running;
  }

  /** Tape lines the connection has been given (live, then by this cursor). */
  get position(): number {
    return Math.max(this.lines, this.skipTo);
  }

  /** Lines this cursor has sent, over every time the connection fell behind. */
  get linesGiven(): number {
    return this.given;
  }

  /**
   * The connection left the live replay now: serve it from here. `tapeList` is the live replay's
   * Q/P layout at this point (the tape's field-name lines before it are not read again).
   */
  fallBehind(tapeList: FieldList): void {
    if (this.closed || this.running) return;
    const live = this.o.live;
    this.skipTo = live.linesReplayed;
    this.nextTickUs = live.nextTickSimUs;
    this.simNow = live.simNowUs;
    this.o.route.resetTapeList(tapeList);
    this.running = true;
    this.schedule();
  }

  /**
   * Stop serving the connection from here, without closing the tape: it goes back on the live
   * replay at its place, and what lay between is never sent (a later fall-behind starts anew).
   */
  abandon(): void {
    this.running = false;
  }

  /** The connection is gone (or the run is over): stop and close the tape. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    const reader = this.reader;
    this.reader = null;
    void this.iterator?.return?.()?.catch(() => {});
    void reader?.close().catch(() => {});
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(this.step);
  }

  private readonly step = (): void => {
    this.scheduled = false;
    if (!this.running || this.closed) return;
    try {
      this.run();
    } catch (err) {
      this.fail(err);
    }
  };

  private run(): void {
    const out = this.o.out;
    if (out.isClosed) {
      this.close();
      return;
    }
    if (!this.ready()) return;
    const before = out.lines;
    try {
      this.slice();
    } finally {
      this.given += out.lines - before;
    }
  }

  private slice(): void {
    const { out, live, route, sliceLines } = this.o;
    for (let n = 0; n < sliceLines; n++) {
      if (this.lines < this.skipTo) {
        if (!this.hasLine()) return;
        this.pos++;
        this.lines++;
        continue;
      }
      if (out.overBound) {
        out.flush();
        out.onResume(() => this.schedule());
        return;
      }
      if (this.lines < live.linesReplayed) {
        if (!this.hasLine()) return;
        const tl = this.batch[this.pos]!;
        const lineSim = live.simAtZeroUs + tl.offsetUs;
        if (lineSim >= this.nextTickUs) this.tick(false);
        else {
          this.pos++;
          this.lines++;
          this.simNow = lineSim;
          route.line(tl.channel, tl.line);
        }
        continue;
      }
      // Every line the live replay took; now its ticks since (after the tape: the clock's own).
      if (this.nextTickUs < live.nextTickSimUs) {
        this.tick(live.isEnded);
        continue;
      }
      out.flush();
      this.running = false;
      this.o.onCaughtUp();
      return;
    }
    out.flush();
    this.schedule();
  }

  private tick(afterEnd: boolean): void {
    this.simNow = this.nextTickUs;
    this.o.route.tick(this.nextTickUs, afterEnd);
    this.nextTickUs += SECOND_US;
  }

  /** The reader is open; false while it is being opened (the step resumes when it is). */
  private ready(): boolean {
    if (this.iterator) return true;
    if (!this.opening) {
      this.opening = openTape(this.o.tape, {
        batchSize: this.o.batchSize,
        readChunkBytes: this.o.readChunkBytes,
      }).then(
        (reader) => {
          if (this.closed) {
            void reader.close().catch(() => {});
            return;
          }
          this.reader = reader;
          this.iterator = reader.batches()[Symbol.asyncIterator]();
          this.schedule();
        },
        (err: unknown) => this.fail(err),
      );
    }
    return false;
  }

  /** A line is at `batch[pos]`; false while the next batch is read (the step resumes then). */
  private hasLine(): boolean {
    if (this.pos < this.batch.length) return true;
    if (this.exhausted) {
      // The live replay took a line the tape does not have: the file changed under us.
      throw new Error(`the tape ended after ${this.lines} lines while the replay is past them`);
    }
    if (this.fetching) return false;
    this.fetching = true;
    this.iterator!.next().then(
      (r) => {
        this.fetching = false;
        if (this.closed) return;
        if (r.done) this.exhausted = true;
        else {
          this.batch = r.value;
          this.pos = 0;
        }
        this.schedule();
      },
      (err: unknown) => {
        this.fetching = false;
        if (!this.closed) this.fail(err);
      },
    );
    return false;
  }

  private fail(err: unknown): void {
    this.close();
    this.o.onError(err);
  }
}
