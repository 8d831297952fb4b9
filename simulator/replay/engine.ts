/**
 * The replay: one cursor over the tape shared by every connection. It takes lines in order,
 * synthesizes the once-a-second events (T lines, admin STATS) between them, waits for each to be
 * due, routes it, and hands the queued output to the sockets once per slice. It waits while the
 * flow gate is closed (flow-gate.ts: the `--hold-when-unwatched` hold, or with
 * `--wait-for-clients` a connection over its output bound) and shifts its schedule by the wait.
 *
 * Simulated time is the tape's time: it stands still before the replay starts, so the number of
 * synthesized lines does not depend on how long a client took to connect. After the tape it runs
 * on at wall-clock rate from the tape's end, one second tick (`T`, admin STATS) per wall second,
 * as IQConnect's clock does: a client left connected is never starved of its heartbeat.
 *
 * Position (`linesReplayed`, `nextTickUs`) is what every connection on the live replay has been
 * given; a connection that fell behind is served up to it by its own cursor (catch-up.ts).
 */

import type { TapeLine } from '../../collector/tape/reader.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { PacingProbe } from '../options.js';
import { nextWholeSecond, SECOND_US } from '../sim-time.js';
import type { FlowGate } from './flow-gate.js';
import type { Pacer } from './pacer.js';
import type { Router } from './router.js';
import type { TapeIndex } from './tape-index.js';

const BUSY_WAIT_US = 200;
const YIELD_EVERY_US = 2000;

/**
 * A few microseconds of arithmetic that allocates nothing, between two clock readings of the
 * pacing spin. A reading allocates a little (process.hrtime's pair), and read back to back —
 * twenty million times a second — those bytes filled the young generation every few
 * milliseconds: each collection was a pause the paced lines paid for (measured at --rate 10000
 * over 1.6 s: 200 young-generation collections before, 19 after). Far from the due time the
 * pause is longer (~10 µs here), near it short (~1 µs), so the line still leaves within a
 * microsecond or so of its time. The result goes to a module-level object so that the loop
 * cannot be optimized away.
 */
const spinSink = { value: 0 };
function pauseBetweenReadings(seed: number, remainingUs: number): void {
  const rounds = remainingUs > 25 ? 8000 : 1000;
  let x = seed | 0;
  for (let k = 0; k < rounds; k++) x = (Math.imul(x, 31) + k) | 0;
  spinSink.value = x;
}

export interface EngineHooks {
  /** Every connection output, for the flush at the end of each slice. */
  flushAll(): void;
  /** One simulated second passed (admin STATS / CLIENTSTATS). */
  onSecond(simUs: number): void;
  /** The tape is exhausted and every line was queued. */
  onTapeEnd(): void;
  onError(err: unknown): void;
  /** Every `progressEvery` lines taken from the tape (only with the option). */
  onProgress?(linesReplayed: number, simUs: number): void;
}

export interface EngineOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sliceLines: number;
  readonly spinUs: number;
  readonly probe: PacingProbe | null;
  /** Report progress every this many lines (0: never). */
  readonly progressEvery?: number;
}

export class ReplayEngine {
  private batch: readonly TapeLine[] = [];
  private pos = 0;
  private readonly iterator: AsyncIterator<readonly TapeLine[]>;
  private nextBatch: Promise<IteratorResult<readonly TapeLine[]>> | null = null;
  private ready: IteratorResult<readonly TapeLine[]> | null = null;
  private started = false;
  private ended = false;
  private stopped = false;
  private scheduled = false;
  private timer: Timer | null = null;
  private blockedAtUs = -1;
  private lineIndex = 0;
  private bytesIn = 0;
  private lastLineSimUs: number;
  private simNow: number;
  private nextTickUs: number;
  /** Sim time at tape offset 0. */
  private readonly simAtZero: number;
  private readonly probeDues: number[] = [];
  private nextProgressAt: number;
  /** Monotonic time and simulated time when the tape ended: the clock runs on from there. */
  private endMonoUs = 0;
  private endSimUs = 0;

  constructor(
    batches: AsyncIterable<readonly TapeLine[]>,
    index: TapeIndex,
    private readonly router: Router,
    private readonly pacer: Pacer,
    private readonly gate: FlowGate,
    private readonly hooks: EngineHooks,
    private readonly options: EngineOptions,
  ) {
    this.iterator = batches[Symbol.asyncIterator]();
    this.simAtZero = index.startUs - index.firstOffsetUs;
    this.simNow = index.startUs;
    this.lastLineSimUs = index.startUs;
    this.nextTickUs = nextWholeSecond(index.startUs);
    const every = options.progressEvery ?? 0;
    this.nextProgressAt = every > 0 ? every : Number.POSITIVE_INFINITY;
    this.prefetch();
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Simulated time now (epoch µs). */
  get simNowUs(): number {
    return this.simNow;
  }

  /** Simulated µs since the last tape line (STATS "seconds since last update"). */
  get sinceLastLineUs(): number {
    return this.simNow - this.lastLineSimUs;
  }

  get linesReplayed(): number {
    return this.lineIndex;
  }

  /** The next second tick not yet given (every earlier one has been, to the live connections). */
  get nextTickSimUs(): number {
    return this.nextTickUs;
  }

  /** Sim time at tape offset 0 (a line's sim time is this plus its offset). */
  get simAtZeroUs(): number {
    return this.simAtZero;
  }

  /** Bytes taken from the tape (lines + LF): what "IQConnect received" in STATS. */
  get bytesReceived(): number {
    return this.bytesIn;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.pacer.start(this.options.clock.monoUs());
    this.options.logger.info({ pacing: this.pacer.describe() }, 'replay started');
    this.schedule();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    void this.iterator.return?.()?.catch(() => {});
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.timer = null;
    try {
      this.step();
    } catch (err) {
      this.stop();
      this.hooks.onError(err);
    }
  };

  private step(): void {
    if (this.stopped || this.ended) return;
    if (!this.gate.open) {
      this.waitForGate();
      return;
    }
    const { clock, sliceLines } = this.options;
    const paced = this.pacer.paced;
    let now = paced ? clock.monoUs() : 0;
    const sliceStart = now;
    let n = 0;
    for (;;) {
      if (this.pos >= this.batch.length) {
        const r = this.ready;
        if (r === null) {
          this.flush();
          return; // prefetch() resumes when the batch arrives
        }
        this.ready = null;
        if (r.done) {
          this.finish();
          return;
        }
        this.batch = r.value;
        this.pos = 0;
        this.prefetch();
        continue;
      }
      const tl = this.batch[this.pos];
      const lineSim = this.simAtZero + tl.offsetUs;
      if (lineSim >= this.nextTickUs) {
        const tickAt = this.nextTickUs;
        if (paced) {
          const due = this.pacer.tickDue(tickAt - this.simAtZero, this.lineIndex);
          if (due > now) now = clock.monoUs();
          if (due > now) {
            if (!this.canBusyWait(due, now, sliceStart)) {
              this.waitUntil(due, now);
              return;
            }
            now = this.busyWait(due);
          }
        }
        this.nextTickUs += SECOND_US;
        this.simNow = tickAt;
        this.router.tick(tickAt);
        this.hooks.onSecond(tickAt);
        // A long gap in the tape is many seconds: they count like lines for the slice and the
        // output bound.
        if (this.yieldAfterEvent(++n >= sliceLines)) return;
        continue;
      }
      if (paced) {
        const due = this.pacer.lineDue(tl.offsetUs, this.lineIndex);
        if (due > now) now = clock.monoUs();
        if (due > now) {
          if (!this.canBusyWait(due, now, sliceStart)) {
            this.waitUntil(due, now);
            return;
          }
          now = this.busyWait(due);
        }
        if (this.options.probe) this.probeDues.push(due);
      }
      this.pos++;
      this.lineIndex++;
      if (this.lineIndex === this.nextProgressAt) this.progress(lineSim);
      this.simNow = lineSim;
      this.lastLineSimUs = lineSim;
      const line = tl.line;
      this.bytesIn += line.length + 1;
      if (tl.channel === 'L2') this.router.routeL2(line);
      else if (tl.channel === 'L1') this.router.routeL1(line);
      else this.router.notForwarded++;
      if (this.yieldAfterEvent(++n >= sliceLines)) return;
    }
  }

  /** After a line or tick: true when the step must end (output over its bound, or slice done). */
  private yieldAfterEvent(sliceDone: boolean): boolean {
    if (this.gate.flushWanted) {
      this.flush();
      if (!this.gate.open) {
        this.waitForGate();
        return true;
      }
    }
    if (!sliceDone) return false;
    this.flush();
    this.schedule();
    return true;
  }

  private flush(): void {
    this.gate.flushWanted = false;
    this.hooks.flushAll();
    const probe = this.options.probe;
    if (probe && this.probeDues.length > 0) {
      const actual = this.options.clock.monoUs();
      for (const due of this.probeDues) probe(due, actual);
      this.probeDues.length = 0;
    }
  }

  /**
   * A line due within BUSY_WAIT_US is waited for here, without yielding: one turn of the event
   * loop can take longer than that. Only with a real clock (spinUs > 0: a ManualClock moves by
   * timers alone), and not past YIELD_EVERY_US of one slice, so client commands are still read.
   */
  private canBusyWait(due: number, now: number, sliceStart: number): boolean {
    return this.options.spinUs > 0 && due - now <= BUSY_WAIT_US && now - sliceStart < YIELD_EVERY_US;
  }

  private busyWait(due: number): number {
    this.flush();
    const clock = this.options.clock;
    let now = clock.monoUs();
    while (now < due) {
      pauseBetweenReadings(now, due - now);
      now = clock.monoUs();
    }
    return now;
  }

  private waitUntil(due: number, now: number): void {
    this.flush();
    const ahead = due - now;
    if (ahead > this.options.spinUs) {
      this.timer = this.options.clock.setTimeout(this.run, (ahead - this.options.spinUs) / 1000);
    } else {
      // Close to the due time: poll the event loop (I/O still runs) instead of a timer that
      // could fire a millisecond late.
      this.schedule();
    }
  }

  /**
   * The gate is closed: go on once it opens, shifting the schedule by how long it kept a due
   * line or tick waiting. Once every line of the tape is queued the end does not wait for it: a
   * client that stopped reading with the last lines queued (`--wait-for-clients`) is then the
   * after-tape watch's to close (hub.ts `whenAllDrained`), and a hold has nothing left to hold.
   */
  private waitForGate(): void {
    this.flush();
    if (this.gate.open) {
      this.schedule();
      return;
    }
    if (this.pos >= this.batch.length && this.ready?.done === true) {
      this.ready = null;
      this.finish();
      return;
    }
    // Called again while still waiting (the next batch arrived meanwhile): the wait began earlier.
    // Paced, it holds the replay back only from the next event's due time on: until then the
    // engine would have waited anyway (a client over its bound at the last line before a gap).
    const from = this.blockedAtUs < 0 ? this.options.clock.monoUs() : this.blockedAtUs;
    this.blockedAtUs = Math.max(from, this.nextDueUs());
    this.gate.whenOpen(() => {
      if (this.blockedAtUs >= 0) {
        this.pacer.shift(Math.max(0, this.options.clock.monoUs() - this.blockedAtUs));
        this.blockedAtUs = -1;
      }
      this.schedule();
    });
  }

  /** When the next line or second tick is due (paced), or -∞ when unpaced or not read yet. */
  private nextDueUs(): number {
    if (!this.pacer.paced) return Number.NEGATIVE_INFINITY;
    const r = this.ready;
    const tl =
      this.pos < this.batch.length ? this.batch[this.pos] : r !== null && !r.done ? r.value[0] : undefined;
    if (tl === undefined) return Number.NEGATIVE_INFINITY;
    if (this.simAtZero + tl.offsetUs >= this.nextTickUs) {
      return this.pacer.tickDue(this.nextTickUs - this.simAtZero, this.lineIndex);
    }
    return this.pacer.lineDue(tl.offsetUs, this.lineIndex);
  }

  private prefetch(): void {
    const p = this.iterator.next();
    this.nextBatch = p;
    p.then(
      (r) => {
        if (this.nextBatch !== p) return;
        this.nextBatch = null;
        this.ready = r;
        if (this.started && this.pos >= this.batch.length) this.schedule();
      },
      (err: unknown) => {
        // After stop() the reader is closed under a pending read: that failure is expected.
        if (this.stopped) return;
        this.stop();
        this.hooks.onError(err);
      },
    );
  }

  private progress(lineSim: number): void {
    this.nextProgressAt += this.options.progressEvery ?? 0;
    this.hooks.onProgress?.(this.lineIndex, lineSim);
  }

  private finish(): void {
    this.ended = true;
    this.flush();
    this.options.logger.info({ lines: this.lineIndex }, 'tape exhausted');
    this.hooks.onTapeEnd();
    this.endMonoUs = this.options.clock.monoUs();
    this.endSimUs = this.simNow;
    this.scheduleTickAfterEnd();
  }

  /** The next whole second after the tape, due as far after its end as it is in simulated time. */
  private scheduleTickAfterEnd(): void {
    if (this.stopped) return;
    const due = this.endMonoUs + (this.nextTickUs - this.endSimUs);
    const ahead = Math.max(0, due - this.options.clock.monoUs());
    this.timer = this.options.clock.setTimeout(this.tickAfterEnd, ahead / 1000);
  }

  private readonly tickAfterEnd = (): void => {
    this.timer = null;
    if (this.stopped) return;
    try {
      const at = this.nextTickUs;
      this.nextTickUs += SECOND_US;
      this.simNow = at;
      this.router.tick(at, true);
      this.hooks.onSecond(at);
      this.flush();
    } catch (err) {
      this.stop();
      this.hooks.onError(err);
      return;
    }
    this.scheduleTickAfterEnd();
  };
}
