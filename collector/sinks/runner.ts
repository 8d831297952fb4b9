/**
 * One sink's runner (ARCHITECTURE.md "Sinks and checkpoints"). The live deriver offers every
 * record to every runner; a runner queues it (bounded) and a single loop writes batches to the
 * sink, then — only after `write` resolved — writes `checkpoints/<sink>.json`.
 *
 * The rules that make it lose nothing and duplicate nothing:
 * - A record goes to a sink only once the journal line that produced it is durable (the journal
 *   is the write-ahead log: a record must never outlive the line it came from).
 * - The checkpoint W claims every record with seq ≤ W is in the sink. W = min(journal durable
 *   seq, the deriver's `safeSeq`, smallest seq still queued − 1), taken when a batch is taken.
 * - The feed never waits for a sink: when a record does not fit, the queue is emptied (those
 *   records are still in the journal) and the sink leaves live mode. It catches up with its own
 *   Deriver over the journal from the session start, delivering records with seq > its
 *   checkpoint; when it is close behind the live deriver it notes the live record count R and
 *   reattaches its queue; its own deriver stops after exactly R records (both derivers emit the
 *   same sequence), and the queue carries on from record R + 1. No gap, no overlap.
 * - Retriable write errors are retried with `RetryPolicy` backoff, the same batch again; the queue
 *   keeps filling meanwhile, and overflows into catch-up like any slow sink. Anything else fails
 *   the sink (mode `closed`, error shown); the collector keeps journaling.
 *
 * After a crash the sink may hold records past its checkpoint; they come again with the same
 * identity, and sinks are idempotent by (session, seq) (collector/sinks/sink.ts).
 */
import type { Clock } from '../../common/clock.js';
import { errorMessage, L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { writeCheckpoint } from '../journal/checkpoints.js';
import { type DurableProgress, followJournal } from '../journal/read.js';
import type { SinkStatus } from '../monitor/status.js';
import type { Deriver, DeriverProgress } from '../records/deriver.js';
import type { RecordEnvelope } from '../records/types.js';
import { type CaughtUpPlan, planCaughtUp } from './catch-up-plan.js';
import { RecordQueue, recordBytes } from './record-queue.js';
import { isRetriable, type RetryPolicy, retryDelayMs, SINK_RETRY_POLICY } from './retry.js';
import type { Sink } from './sink.js';
import { SLICE_CHECK_EVERY, TimeSlice } from './time-slice.js';
import { Waker } from './waker.js';

/** What a runner needs of the journal; `Journal` provides it. */
export interface JournalView extends DurableProgress {
  /** Seq the next appended line gets: the head is `nextSeq − 1`. */
  readonly nextSeq: number;
  onDurable(listener: (seq: number) => void): () => void;
}

export interface SinkBatchInfo {
  /** True for records from the live queue, false for records a catch-up re-derived. */
  readonly live: boolean;
  /** Monotonic µs when the sink acknowledged the batch. */
  readonly durableMonoUs: number;
}

export interface SinkRunnerOptions {
  readonly sink: Sink;
  readonly sessionDir: string;
  readonly journal: JournalView;
  /** The live deriver, whose records are offered to `offer`. */
  readonly live: DeriverProgress;
  /** A fresh deriver with the live one's options, for catching up from the journal. */
  readonly newDeriver: () => Deriver;
  /** The checkpoint on disk when the runner starts (0 when the sink has none). */
  readonly checkpoint: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Records the queue holds before the sink leaves live mode (default 100,000). */
  readonly queueCapacity?: number;
  /** Bytes of records (their JSONL lines) the queue holds before the sink leaves live mode (default: no bound). */
  readonly queueBytes?: number;
  /** Records per `write` at most (default 5000). */
  readonly batchSize?: number;
  /** Wait up to this long for a batch to fill (default 0: write what is ready). */
  readonly batchMs?: number;
  readonly retry?: RetryPolicy;
  /** Uniform in [0, 1), for retry jitter (default Math.random). */
  readonly random?: () => number;
  /** With nothing to write, move the checkpoint over record-less lines at most this often (default 1000 ms). */
  readonly idleCheckpointMs?: number;
  /**
   * Write the checkpoint file at most this often behind batches (default 50 ms). A checkpoint
   * write is two fdatasyncs; with small frequent batches (a quiet feed, journal group commit)
   * one per batch would cost more than the batches. A checkpoint running behind only means a few
   * more records come again after a crash, which sinks take idempotently.
   */
  readonly checkpointEveryMs?: number;
  /** `stuck` when the checkpoint has not moved for this long while behind (default 30 s). */
  readonly stuckMs?: number;
  /** Called after each acknowledged batch, before its checkpoint is written. */
  readonly onBatch?: (batch: readonly RecordEnvelope[], info: SinkBatchInfo) => void;
}

type Mode = SinkStatus['mode'];

class Stopped extends Error {}

/** Records a catch-up is about to write, and the checkpoints they allow. */
export class SinkRunner {
  readonly name: string;
  private readonly sink: Sink;
  private readonly o: SinkRunnerOptions;
  private readonly queue: RecordQueue;
  private readonly batchSize: number;
  private readonly batchMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly idleCheckpointMs: number;
  private readonly checkpointEveryMs: number;
  private readonly stuckMs: number;
  private readonly waker: Waker;
  /** Retry backoff sleeps apart from `waker`, so journal progress does not cut a backoff short. */
  private readonly sleeper: Waker;
  /** The checkpoint writer's wait between writes; a drain, a stop or an idle move cuts it short. */
  private readonly checkpointPause: Waker;
  private checkpointNow = false;

  private checkpointSeq: number;
  private readonly skipThrough: number;
  private attached = true;
  private needCatchUp = false;
  private catchingUp = false;
  private rejoinAt: number | null = null;
  private retrying = false;
  private failed: L2hError | null = null;
  private stopped = false;
  private draining = false;
  private eligibleSince: number | null = null;
  private lastCheckpointWriteUs: number;
  private lastCheckpointMoveUs: number;
  private loop: Promise<void> | null = null;
  private checkpointWanted = 0;
  private checkpointWriter: Promise<void> | null = null;
  private catchUpAbort: AbortController | null = null;
  private unsubscribe: (() => void) | null = null;
  private drainWaiters: (() => void)[] = [];

  /** Records and bytes offered, for the records the byte bound holds (`rejoinSlack`). */
  private offeredCount = 0;
  private offeredBytes = 0;
  private writtenCount = 0;
  /** A batch handed to the sink and not yet acknowledged. */
  private writing = false;
  private retryCount = 0;
  private overflowCount = 0;
  private catchUpCount = 0;
  private lastErrorText: string | null = null;

  constructor(options: SinkRunnerOptions) {
    this.o = options;
    this.sink = options.sink;
    this.name = options.sink.name;
    this.queue = new RecordQueue(options.queueCapacity ?? 100_000, options.queueBytes);
    this.batchSize = options.batchSize ?? 5000;
    this.batchMs = options.batchMs ?? 0;
    this.retry = options.retry ?? SINK_RETRY_POLICY;
    this.random = options.random ?? Math.random;
    this.idleCheckpointMs = options.idleCheckpointMs ?? 1000;
    this.checkpointEveryMs = options.checkpointEveryMs ?? 50;
    this.stuckMs = options.stuckMs ?? 30_000;
    this.waker = new Waker(options.clock);
    this.sleeper = new Waker(options.clock);
    this.checkpointPause = new Waker(options.clock);
    this.checkpointSeq = options.checkpoint;
    this.skipThrough = options.checkpoint;
    this.lastCheckpointWriteUs = this.lastCheckpointMoveUs = options.clock.monoUs();
  }

  /** Open the sink and start the write loop. */
  async start(): Promise<void> {
    await this.sink.open();
    this.unsubscribe = this.o.journal.onDurable(() => this.waker.wake());
    this.loop = this.run().catch((err: unknown) => this.fail(err));
  }

  /**
   * A record from the live deriver, in emission order. Never blocks and never throws: a full
   * queue sends the sink to catch up from the journal.
   */
  offer(record: RecordEnvelope): void {
    if (!this.attached || record.seq <= this.skipThrough) return;
    if (this.queue.push(record)) {
      this.offeredCount++;
      this.offeredBytes += recordBytes(record);
      // Live records usually wait for their journal fsync (onDurable wakes the loop then); a
      // record whose line is durable already (a restart re-deriving the journal) is news now, and
      // so is a queue that has just become a full batch.
      if (record.seq <= this.o.journal.durableSeq || this.queue.length === this.batchSize || this.batchFull())
        this.waker.wake();
      return;
    }
    this.overflow();
  }

  /**
   * Half the queue's byte bound is held: write now rather than wait for `batchSize` records. With
   * a byte bound smaller than a batch of records (`--sink-queue-mb 16` and ClickHouse's 100k-row
   * batches), waiting `batchMs` for a batch that cannot form would overflow the queue every time.
   */
  private batchFull(): boolean {
    return this.queue.byteLength * 2 >= this.queue.maxBytes;
  }

  /** Lines or events were processed (records offered or not): the checkpoint may move. */
  nudge(): void {
    if (this.draining) this.waker.wake();
  }

  get checkpoint(): number {
    return this.checkpointSeq;
  }

  get mode(): Mode {
    if (this.failed !== null || (this.stopped && this.loop === null)) return 'closed';
    if (this.retrying) return 'retrying';
    return this.catchingUp || this.needCatchUp ? 'catch-up' : 'live';
  }

  status(): SinkStatus {
    const head = this.o.journal.nextSeq - 1;
    const lag = Math.max(0, head - this.coveredSeq());
    const idleUs = this.o.clock.monoUs() - this.lastCheckpointMoveUs;
    return {
      name: this.sink.name,
      mode: this.mode,
      checkpointSeq: this.checkpointSeq,
      lag,
      queueDepth: this.queue.length,
      written: this.writtenCount,
      retries: this.retryCount,
      overflows: this.overflowCount,
      lastError: this.lastErrorText,
      stuck: lag > 0 && idleUs > this.stuckMs * 1000,
    };
  }

  /** Times the queue overflowed and catch-ups started (for tests and the run's results). */
  get counters(): { readonly overflows: number; readonly catchUps: number } {
    return { overflows: this.overflowCount, catchUps: this.catchUpCount };
  }

  get error(): L2hError | null {
    return this.failed;
  }

  /**
   * Write everything derived so far and checkpoint it: resolves true once done, false when
   * `timeoutMs` passed first (what is left stays in the journal for the next start) or the sink
   * failed. Call after the feed stopped and the journal was closed.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    this.waker.wake();
    this.checkpointPause.wake();
    if (this.isDrained()) return this.failed === null;
    let resolveRace: (ok: boolean) => void = () => {};
    const race = new Promise<boolean>((resolve) => {
      resolveRace = resolve;
    });
    const timer = this.o.clock.setTimeout(() => resolveRace(false), timeoutMs);
    this.drainWaiters.push(() => resolveRace(true));
    const ok = await race;
    timer.cancel();
    return ok && this.failed === null;
  }

  /** Stop the loop (abandoning a retry or a catch-up) and close the sink. */
  async close(): Promise<void> {
    this.stopped = true;
    this.catchUpAbort?.abort();
    this.unsubscribe?.();
    this.waker.wake();
    this.sleeper.wake();
    this.checkpointPause.wake();
    const loop = this.loop;
    this.loop = null;
    await loop;
    await this.checkpointWriter;
    this.notifyDrained();
    await this.sink.close();
  }

  // ── the loop ───────────────────────────────────────────────────────────────────────────

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.failed === null) {
        if (this.needCatchUp) await this.catchUp();
        else await this.liveStep();
        if (this.isDrained()) this.notifyDrained();
      }
    } catch (err) {
      if (!(err instanceof Stopped)) throw err;
    }
  }

  private async liveStep(): Promise<void> {
    const durable = this.o.journal.durableSeq;
    const n = this.queue.eligible(durable, this.batchSize);
    const now = this.o.clock.monoUs();
    if (n > 0) {
      if (this.eligibleSince === null) this.eligibleSince = now;
      const waited = (now - this.eligibleSince) / 1000;
      if (n < this.batchSize && !this.batchFull() && !this.draining && waited < this.batchMs) {
        await this.waker.wait(this.batchMs - waited);
        return;
      }
      this.eligibleSince = null;
      const batch = this.queue.take(n);
      // Never split the records of one line across batches: a checkpoint falls between lines.
      const last = batch[batch.length - 1].seq;
      while (this.queue.length > 0 && this.queue.peekSeq() === last) batch.push(...this.queue.take(1));
      const w = Math.min(durable, this.o.live.safeSeq, this.queue.minSeq() - 1);
      await this.deliver(batch, w, true);
      return;
    }
    const w = this.liveWatermark();
    if (
      w > this.checkpointSeq &&
      (this.draining || (now - this.lastCheckpointWriteUs) / 1000 >= this.idleCheckpointMs)
    ) {
      await this.saveCheckpoint(w);
      return;
    }
    if (this.isDrained()) this.notifyDrained();
    await this.waker.wait(w > this.checkpointSeq ? this.idleCheckpointMs : Number.POSITIVE_INFINITY);
  }

  /**
   * The journal seq through which the sink holds every record, for `lag`. The checkpoint file
   * moves at most once a second when idle, while a live feed journals lines that yield no record
   * (IQConnect's `T` line every second): an idle live sink with nothing queued or in flight holds
   * everything up to the live watermark, so its lag is 0 and not the last second's heartbeats.
   */
  private coveredSeq(): number {
    if (this.mode !== 'live' || this.writing || this.queue.length > 0) return this.checkpointSeq;
    return Math.max(this.checkpointSeq, this.liveWatermark());
  }

  private liveWatermark(): number {
    return Math.min(this.o.journal.durableSeq, this.o.live.safeSeq, this.queue.minSeq() - 1);
  }

  private isDrained(): boolean {
    if (this.failed !== null) return true;
    if (!this.draining || this.needCatchUp || this.catchingUp || this.queue.length > 0) return false;
    return this.checkpointSeq >= this.liveWatermark();
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private overflow(): void {
    this.overflowCount++;
    this.queue.clear();
    this.eligibleSince = null;
    this.attached = false;
    if (this.catchingUp) {
      // Still catching up: hand over later, when it is closer.
      this.rejoinAt = null;
    } else {
      this.needCatchUp = true;
      this.o.logger.warn(
        {
          sink: this.name,
          checkpoint: this.checkpointSeq,
          capacity: this.queue.capacity,
          maxBytes: this.queue.maxBytes,
        },
        'sink queue full: the sink leaves live mode and catches up from the journal',
      );
    }
    this.waker.wake();
  }

  // ── catching up ───────────────────────────────────────────────────────────────────────

  private async catchUp(): Promise<void> {
    this.needCatchUp = false;
    this.catchingUp = true;
    this.catchUpCount++;
    this.rejoinAt = null;
    // From what the sink acknowledged, not the checkpoint file, which is written behind the
    // batches: from the file, the last batches before the overflow would be sent again.
    const from = Math.max(this.checkpointSeq, this.checkpointWanted);
    const deriver = this.o.newDeriver();
    const abort = new AbortController();
    this.catchUpAbort = abort;
    const out: RecordEnvelope[] = [];
    let handedOver = false;
    // The write of what was derived so far runs while the next journal read is derived: the sink's
    // server works on one batch (on another core) while this thread makes the next. Writes stay
    // one at a time and in order: a plan is written only once the one before it was.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (all: boolean): Promise<void> => {
      const plan = planCaughtUp(out, from, deriver.safeSeq, this.batchSize, all);
      await inFlight;
      inFlight = this.writeCaughtUp(plan);
      inFlight.catch(() => {}); // awaited by the next flush or below; not an unhandled rejection meanwhile
    };
    this.o.logger.info({ sink: this.name, fromSeq: from }, 'sink catching up from the journal');
    const slice = new TimeSlice(this.o.clock);
    try {
      const readSize = Math.max(this.batchSize, 4096);
      for await (const entries of followJournal(this.o.journal, {
        signal: abort.signal,
        batchSize: readSize,
      })) {
        let sinceCheck = 0;
        for (const entry of entries) {
          deriver.push(entry, out);
          if (this.rejoinAt !== null && deriver.recordsEmitted >= this.rejoinAt) {
            handedOver = true;
            break;
          }
          // Deriving is CPU on the collector's one thread: a read of 20k lines derived in one go
          // held the feed's socket reads for tens of milliseconds. Give the event loop a turn.
          if (++sinceCheck === SLICE_CHECK_EVERY) {
            sinceCheck = 0;
            if (slice.due()) await slice.pause();
          }
        }
        // Whole batches only, until the end: a journal read yields fewer records than a batch
        // (not every line makes one), and for ClickHouse every insert is a part to merge later.
        await flush(handedOver || this.stopped);
        if (handedOver || this.stopped) break;
        this.maybeRejoin(deriver);
        if (this.rejoinAt !== null && deriver.recordsEmitted >= this.rejoinAt) {
          handedOver = true;
          await flush(true);
          break;
        }
      }
      if (!handedOver && !this.stopped) {
        // The journal is closed and read to its end: so is the live deriver's input.
        deriver.end(out);
        await flush(true);
        this.rejoinAt ??= this.o.live.recordsEmitted;
        this.attached = true;
        handedOver = deriver.recordsEmitted >= this.rejoinAt;
      }
      await inFlight;
    } finally {
      // Leaving early (stopped, or a failure): the write in flight still ends before anything else writes.
      await inFlight.catch(() => {});
      this.catchUpAbort = null;
      this.catchingUp = false;
    }
    if (this.stopped) return;
    if (handedOver && !this.attached) {
      // The queue overflowed while the last caught-up batch was being written: what it dropped
      // is only in the journal now, so catch up again from the checkpoint (never claim it).
      this.needCatchUp = true;
      return;
    }
    if (!handedOver) {
      throw new L2hError('catch-up ended without meeting the live deriver', {
        code: 'INTERNAL',
        context: { sink: this.name, caughtUp: deriver.recordsEmitted, live: this.o.live.recordsEmitted },
      });
    }
    this.o.logger.info(
      { sink: this.name, checkpoint: this.checkpointSeq, records: deriver.recordsEmitted },
      'sink back in live mode',
    );
  }

  /** Half of what the queue holds, in records: of its capacity, or of its byte bound at the records' mean size. */
  private rejoinSlack(): number {
    const q = this.queue;
    const meanBytes = this.offeredCount > 0 ? this.offeredBytes / this.offeredCount : 1;
    return Math.max(1, Math.floor(Math.min(q.capacity, q.maxBytes / meanBytes) / 2));
  }

  /**
   * Close enough behind the live deriver: from its next record on, the queue takes over. "Close
   * enough" is half the queue: the queue must hold what the live side adds while this deriver
   * derives the rest (it reads only what the journal has fdatasynced, so it always trails the live
   * deriver by about one journal flush). If the queue overflows meanwhile, catching up goes on.
   */
  private maybeRejoin(deriver: DeriverProgress): void {
    if (this.rejoinAt !== null || this.o.live.recordsEmitted - deriver.recordsEmitted > this.rejoinSlack())
      return;
    this.rejoinAt = this.o.live.recordsEmitted;
    this.queue.clear();
    this.attached = true;
  }

  private async writeCaughtUp(plan: CaughtUpPlan): Promise<void> {
    for (const b of plan.batches) await this.deliver(b.records, b.checkpoint, false);
    const seq = plan.idleCheckpoint;
    if (seq !== null && seq > this.checkpointSeq) {
      const now = this.o.clock.monoUs();
      if ((now - this.lastCheckpointWriteUs) / 1000 >= this.idleCheckpointMs) await this.saveCheckpoint(seq);
    }
  }

  // ── writing ────────────────────────────────────────────────────────────────────────────

  private async deliver(
    batch: readonly RecordEnvelope[],
    checkpoint: number | null,
    live: boolean,
  ): Promise<void> {
    this.writing = true;
    try {
      await this.withRetry('write', () => this.sink.write(batch));
    } finally {
      this.writing = false;
    }
    this.writtenCount += batch.length;
    this.o.onBatch?.(batch, { live, durableMonoUs: this.o.clock.monoUs() });
    if (checkpoint !== null) this.requestCheckpoint(checkpoint);
  }

  /**
   * Checkpoint files are written behind the batches, one at a time, always the newest claim: a
   * batch does not wait for the previous batch's checkpoint (an atomic file write is several
   * round trips to the thread pool). A checkpoint only ever claims records already acknowledged,
   * so running behind is safe: after a crash a few more records come again, idempotently.
   */
  private requestCheckpoint(seq: number): void {
    if (seq <= this.checkpointSeq || seq <= this.checkpointWanted) return;
    this.checkpointWanted = seq;
    if (this.checkpointWriter === null) this.checkpointWriter = this.writeCheckpoints();
  }

  private async writeCheckpoints(): Promise<void> {
    try {
      while (this.checkpointWanted > this.checkpointSeq) {
        const sinceMs = (this.o.clock.monoUs() - this.lastCheckpointWriteUs) / 1000;
        if (sinceMs < this.checkpointEveryMs && !this.checkpointNow && !this.draining && !this.stopped) {
          await this.checkpointPause.wait(this.checkpointEveryMs - sinceMs);
          continue;
        }
        this.checkpointNow = false;
        const seq = this.checkpointWanted;
        await this.withRetry('checkpoint', () => writeCheckpoint(this.o.sessionDir, this.name, seq));
        const now = this.o.clock.monoUs();
        this.lastCheckpointWriteUs = now;
        if (seq > this.checkpointSeq) {
          this.checkpointSeq = seq;
          this.lastCheckpointMoveUs = now;
        }
      }
    } catch (err) {
      if (!(err instanceof Stopped)) this.fail(err);
    } finally {
      this.checkpointWriter = null;
      this.waker.wake();
    }
  }

  /** Checkpoint `seq` and wait until it is on disk (idle moves, draining). */
  private async saveCheckpoint(seq: number): Promise<void> {
    this.checkpointNow = true;
    this.checkpointPause.wake();
    this.requestCheckpoint(seq);
    const writer = this.checkpointWriter;
    if (writer !== null) await writer;
  }

  private async withRetry(what: string, op: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new Stopped();
      try {
        await op();
        this.retrying = false;
        return;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        this.retrying = true;
        this.retryCount++;
        this.lastErrorText = errorMessage(err);
        const delay = retryDelayMs(this.retry, attempt, this.random);
        this.o.logger.warn(
          { sink: this.name, attempt, delayMs: delay, err: this.lastErrorText },
          `sink ${what} failed; retrying`,
        );
        await this.sleeper.wait(delay);
      }
    }
  }

  private fail(err: unknown): void {
    this.failed =
      err instanceof L2hError
        ? err
        : new L2hError(`sink ${this.name} failed: ${errorMessage(err)}`, {
            code: 'INTERNAL',
            cause: err,
            context: { sink: this.name },
          });
    this.lastErrorText = this.failed.describe();
    this.attached = false;
    this.queue.clear();
    this.o.logger.error(
      { sink: this.name, err: this.lastErrorText },
      'sink failed; the journal keeps every line for a later run',
    );
    this.notifyDrained();
  }
}
