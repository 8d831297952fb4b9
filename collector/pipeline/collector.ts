/**
 * The collector: socket → journal → decode → books → records → sinks.
 *
 * - Every line is appended to the journal (the write-ahead log) before anything else is done
 *   with it; a record reaches a sink only once its line is durable (collector/sinks/runner.ts).
 * - One deriver runs in line with the feed; its records fan out to one bounded queue per sink.
 *   The feed never waits for a sink: a sink that falls behind catches up from the journal.
 * - Backpressure: when the journal holds more unwritten bytes than its mark, the feed stops
 *   reading its sockets until the journal drains (TCP then pushes back on IQConnect). Nothing
 *   else buffers without a bound.
 * - Restart (after any stop, kill -9 included): the journal cuts a torn tail, the deriver re-reads
 *   the whole journal to rebuild books and gaps, each sink resumes after its checkpoint, and a
 *   `disconnect` event with reason `restart` is journaled before the new connections' events.
 *
 * Disconnect events are journaled with `us` = the receive time of the last journaled line: that
 * is when the data stopped, which is what a gap record's `timestamp` reports (ARCHITECTURE.md
 * "Records"). The feed's own detection time is logged.
 */
import { rename, writeFile } from 'node:fs/promises';
import { errorMessage, L2hError, usageError } from '../../common/errors.js';
import { readTiming } from '../feed/connection.js';
import { createFeed } from '../feed/feed.js';
import type { Feed, FeedEvent, FeedListener } from '../feed/types.js';
import { readCheckpoint } from '../journal/checkpoints.js';
import { Journal } from '../journal/journal.js';
import { listSegments } from '../journal/layout.js';
import { readJournal } from '../journal/read.js';
import { type MonitorHandle, startMonitor } from '../monitor/server.js';
import type { Channel } from '../protocol/channel.js';
import { Deriver, type DeriverEvent, type DeriverOptions, type DeriverProgress } from '../records/deriver.js';
import { deriverHeaderEntries } from '../records/journal-headers.js';
import { deriverOptionsFromJournal } from '../records/rederive.js';
import type { RecordEnvelope } from '../records/types.js';
import { createSink, SINK_FACTORIES, type SinkContext } from '../sinks/registry.js';
import { SinkRunner } from '../sinks/runner.js';
import { AppendTimes, LatencyHistogram } from './latency.js';
import { type CollectorMetrics, createCollectorMetrics } from './metrics.js';
import { type CollectorOptions, type ResolvedCollectorOptions, resolveCollectorOptions } from './options.js';
import { RateTracker } from './rates.js';
import { buildStatus, type CollectorRunStatus } from './status.js';

export interface CollectorResult {
  readonly session: string;
  /** Why the collector stopped on its own (journal full, protocol refused…); null after `stop()`. */
  readonly error: L2hError | null;
  /** True when every sink wrote and checkpointed everything before the end. */
  readonly sinksDrained: boolean;
  readonly status: CollectorRunStatus;
}

export interface CollectorHandle {
  readonly session: string;
  readonly sessionDir: string;
  /** True when the session existed before (a restart). */
  readonly resumed: boolean;
  /** The monitor's URL (without token), when one was asked for. */
  readonly monitorUrl: string | null;
  status(): CollectorRunStatus;
  /** Graceful: stop reading, journal what arrived, let sinks drain, flush and close everything. */
  stop(reason?: string): Promise<CollectorResult>;
  /** Resolves when the collector has stopped, whoever stopped it. */
  readonly done: Promise<CollectorResult>;
  /** The live deriver's progress and the runners, for tests and the harness. */
  readonly progress: DeriverProgress;
  readonly runners: readonly SinkRunner[];
}

/** The rates are per-second figures with ten minutes of history: sampled on their own clock. */
const RATES_EVERY_MS = 1000;
const YIELD_EVERY_LINES = 4096;

export async function startCollector(options: CollectorOptions): Promise<CollectorHandle> {
  const o = resolveCollectorOptions(options);
  const deriverHeaders = {
    symbols: o.feed.symbols,
    families: o.feed.family,
    depth: o.feed.depth,
  };
  const journal = await openJournal(o, deriverHeaders);
  try {
    // After the journal's recovery: a segment torn by a crash is repaired (or removed) by then.
    if (journal.resumed) await checkResume(journal.sessionDir, deriverHeaders);
    return await new Collector(o, journal).start();
  } catch (err) {
    await journal.close().catch(() => undefined);
    throw err;
  }
}

async function checkResume(
  dir: string,
  now: { symbols: readonly string[]; families: Readonly<Record<string, string>>; depth: number },
): Promise<void> {
  if ((await listSegments(dir)).length === 0) return;
  const before = await deriverOptionsFromJournal(dir);
  const same =
    before.depth === now.depth &&
    before.symbols.length === now.symbols.length &&
    now.symbols.every(
      (s) => before.symbols.includes(s) && (before.families?.[s] ?? 'mbp') === (now.families[s] ?? 'mbp'),
    );
  if (!same) {
    const fam = (f: Readonly<Record<string, string>> | undefined, syms: readonly string[]) =>
      syms.map((s) => `${s}=${f?.[s] ?? 'mbp'}`).join(',');
    throw usageError(
      `session ${before.session} was recorded with --symbols ${fam(before.families, before.symbols)} --depth ${before.depth}, ` +
        `not ${fam(now.families, now.symbols)} --depth ${now.depth}`,
      'resume with the same symbols, L2 families and depth, or start a new session (omit --session)',
    );
  }
}

async function openJournal(
  o: ResolvedCollectorOptions,
  h: { symbols: readonly string[]; families: Readonly<Record<string, 'mbp' | 'mbo' | 'mm'>>; depth: number },
): Promise<Journal> {
  try {
    return await Journal.open({
      dir: o.journalDir,
      session: o.session ?? undefined,
      clock: o.clock,
      logger: o.logger.child({ component: 'journal' }),
      headers: deriverHeaderEntries(h),
      flushIntervalMs: o.flushMs,
      rotateBytes: o.rotateBytes,
      maxBytes: o.maxJournalBytes,
      highWaterBytes: o.journal.highWaterBytes,
      groupCommit: o.journal.groupCommit,
      fs: o.journal.fs,
    });
  } catch (err) {
    if (err instanceof L2hError) throw err;
    throw new L2hError(`cannot open the journal: ${errorMessage(err)}`, {
      code: 'BAD_USAGE',
      cause: err,
      context: { dir: o.journalDir },
      hint: 'pass a writable --journal-dir',
    });
  }
}

class Collector {
  private readonly deriverOptions: DeriverOptions;
  private readonly deriver: Deriver;
  private readonly runners: SinkRunner[] = [];
  private readonly out: RecordEnvelope[] = [];
  /** Per line of the read being handled, the receive time the journal stored it with. */
  private readonly storedUs: number[] = [];
  private readonly appendTimes = new AppendTimes();
  private readonly rates = new RateTracker();
  private readonly metrics: CollectorMetrics;
  private readonly feedToJournal: LatencyHistogram;
  private readonly feedWaitToJournal: LatencyHistogram;
  private readonly journalToSink = new Map<string, LatencyHistogram>();
  private readonly startedAtMs: number;
  private feed: Feed | null = null;
  private monitor: MonitorHandle | null = null;
  private statusTimer: { cancel(): void } | null = null;
  private ratesTimer: { cancel(): void } | null = null;
  /** The journal is behind: sockets paused until it drains (backpressure). */
  private paused = false;
  /** Lines handled since the event loop last had a turn to itself (see `yieldSoon`). */
  private linesThisTurn = 0;
  private yielding = false;
  private fatal: L2hError | null = null;
  /**
   * Journaling ends when the journal itself failed, or once the feed has stopped. After any other
   * fatal error (the feed's protocol refusal) the feed's last lines and its disconnect events
   * still arrive while it stops, and they are data worth journaling (collector/feed/types.ts).
   */
  private journalFailed = false;
  private feedStopped = false;
  private deriverFailure: string | null = null;
  private stopping: Promise<CollectorResult> | null = null;
  private resolveDone: (r: CollectorResult) => void = () => {};
  readonly done: Promise<CollectorResult>;

  constructor(
    private readonly o: ResolvedCollectorOptions,
    private readonly journal: Journal,
  ) {
    this.startedAtMs = Math.floor(o.clock.wallUs() / 1000);
    this.deriverOptions = {
      session: journal.session,
      symbols: o.feed.symbols,
      families: o.feed.family,
      depth: o.feed.depth,
    };
    this.deriver = new Deriver(this.deriverOptions);
    this.metrics = createCollectorMetrics({
      counts: () => this.deriver.counts(),
      sinks: () => this.runners.map((r) => r.status()),
      journal: () => this.journalStatus(),
    });
    this.feedToJournal = new LatencyHistogram(this.metrics.feedToJournal);
    this.feedWaitToJournal = new LatencyHistogram(this.metrics.feedWaitToJournal);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  async start(): Promise<CollectorHandle> {
    const log = this.o.logger;
    try {
      await this.startSinks();
      this.abortIfStopping();
      if (this.journal.resumed) await this.rederive();
      this.abortIfStopping();
      this.journal.onFatal((err) => this.journalDied(err));
      if (this.o.monitor !== null) {
        this.monitor = await startMonitor({
          host: this.o.monitor.host,
          port: this.o.monitor.port,
          token: this.o.monitor.token,
          status: () => this.status(),
          history: () => this.rates.history(),
          metrics: this.metrics.registry,
          logger: log.child({ component: 'monitor' }),
          clock: this.o.clock,
        });
        this.abortIfStopping();
        log.info({ url: this.monitor.url }, 'monitor listening');
      }
      this.ratesTimer = this.o.clock.setInterval(() => this.sampleRates(), RATES_EVERY_MS);
      if (this.o.statusFile !== null)
        this.statusTimer = this.o.clock.setInterval(() => void this.writeStatusFile(), this.o.statusEveryMs);
      this.feed = createFeed(this.o.feed, this.listener(), {
        clock: this.o.clock,
        logger: log,
        random: this.o.random,
      });
      // A fatal error from here on finds the feed, the timer and the monitor to stop.
      await this.feed.start();
    } catch (err) {
      await this.shutdown(null).catch(() => undefined);
      // A fatal error during an await above ran the shutdown before these existed, or while they
      // were being made; stopping what exists is harmless to repeat.
      this.statusTimer?.cancel();
      this.ratesTimer?.cancel();
      await this.feed?.stop().catch(() => undefined);
      await this.monitor?.close().catch(() => undefined);
      throw err;
    }
    log.info(
      {
        session: this.journal.session,
        resumed: this.journal.resumed,
        symbols: this.o.feed.symbols.length,
        sinks: this.o.sinks,
      },
      'collector running',
    );
    return {
      session: this.journal.session,
      sessionDir: this.journal.sessionDir,
      resumed: this.journal.resumed,
      monitorUrl: this.monitor?.url ?? null,
      status: () => this.status(),
      stop: (reason?: string) => this.stop(reason ?? 'requested'),
      done: this.done,
      progress: this.deriver,
      runners: this.runners,
    };
  }

  /** A fatal error while start() awaited: nobody would ever stop what start() goes on to make. */
  private abortIfStopping(): void {
    if (this.stopping !== null) {
      throw this.fatal ?? new L2hError('the collector stopped while starting', { code: 'INTERNAL' });
    }
  }

  // ── startup ────────────────────────────────────────────────────────────────────────────

  private async startSinks(): Promise<void> {
    const context: SinkContext = {
      session: this.journal.session,
      dataDir: this.o.dataDir,
      logger: this.o.logger,
      clock: this.o.clock,
      endpoints: this.o.endpoints,
    };
    for (const name of this.o.sinks) {
      const sink = this.o.createSink !== null ? this.o.createSink(name, context) : createSink(name, context);
      const defaults = SINK_FACTORIES[name]?.runner ?? {};
      const histogram = new LatencyHistogram(this.metrics.journalToSink.labels(name));
      this.journalToSink.set(name, histogram);
      const runner = new SinkRunner({
        sink,
        sessionDir: this.journal.sessionDir,
        journal: this.journal,
        live: this.deriver,
        newDeriver: () => new Deriver(this.deriverOptions),
        checkpoint: (await readCheckpoint(this.journal.sessionDir, name)) ?? 0,
        clock: this.o.clock,
        logger: this.o.logger.child({ component: 'sink-runner' }),
        queueCapacity: this.o.runner.queueCapacity ?? defaults.queueCapacity,
        queueBytes: this.o.runner.queueBytes ?? defaults.queueBytes,
        batchSize: this.o.runner.batchSize ?? defaults.batchSize,
        batchMs: this.o.runner.batchMs ?? defaults.batchMs,
        random: this.o.random,
        onBatch: (batch, info) => {
          if (info.live) this.measureSinkLatency(histogram, batch, info.durableMonoUs);
        },
      });
      this.runners.push(runner);
      await runner.start();
    }
  }

  /**
   * Rebuild state from the journal (books, quotes, open gaps, counts), offer sinks what they
   * lack (each runner skips records at or below its checkpoint), then mark the restart.
   */
  private async rederive(): Promise<void> {
    const started = this.o.clock.monoUs();
    for await (const entries of readJournal(this.journal.sessionDir)) {
      for (const e of entries) this.deriver.push(e, this.out);
      this.fanOut();
    }
    for (const channel of ['L1', 'L2'] as const) {
      this.event({
        event: 'disconnect',
        channel,
        us: this.deriver.lastLineUs ?? this.o.clock.wallUs(),
        reason: 'restart',
      });
    }
    this.o.logger.info(
      {
        lines: this.deriver.lastSeq,
        records: this.deriver.recordsEmitted,
        ms: Math.round((this.o.clock.monoUs() - started) / 1000),
      },
      'journal re-derived after a restart',
    );
  }

  // ── the feed ───────────────────────────────────────────────────────────────────────────

  private listener(): FeedListener {
    return {
      lines: (channel, lines, receivedWallUs) => this.lines(channel, lines, receivedWallUs),
      event: (e) => {
        const us = e.event === 'disconnect' ? (this.deriver.lastLineUs ?? e.us) : e.us;
        this.o.logger.info(
          { channel: e.channel, event: e.event, reason: e.reason, detail: e.detail, detectedUs: e.us },
          'feed connection event',
        );
        this.event({ event: e.event, channel: e.channel, us, reason: e.reason });
      },
      error: (err) => {
        this.o.logger.error(
          { err: err.describe() },
          'the feed hit a condition reconnecting cannot cure; stopping',
        );
        this.die(err);
      },
    };
  }

  private lines(channel: Channel, lines: readonly string[], receivedWallUs: number): void {
    if (this.journalFailed || this.feedStopped) return;
    // Journal the whole read first: nothing happens to a line before it is in the write-ahead log.
    const firstSeq = this.journal.nextSeq;
    let appended = 0;
    // The times the journal stored (clamped if the clock stepped back): what a re-derive reads.
    const storedUs = this.storedUs;
    try {
      for (; appended < lines.length; appended++) {
        this.journal.append(channel, lines[appended], receivedWallUs);
        storedUs[appended] = this.journal.lastAppendedUs;
      }
    } catch (err) {
      this.journalDied(err);
    }
    const appendedUs = this.o.clock.wallUs();
    this.feedToJournal.observe(appendedUs - receivedWallUs);
    // The same read as the connection saw it: how long its bytes may have waited before it.
    const waitingSince =
      readTiming.receivedWallUs === receivedWallUs ? readTiming.waitingSinceWallUs : receivedWallUs;
    this.feedWaitToJournal.observe(appendedUs - waitingSince);
    const mono = this.o.clock.monoUs();
    // Seqs of one read are consecutive: no event can come between two appends of one call.
    for (let i = 0; i < appended; i++) this.appendTimes.set(firstSeq + i, mono);
    if (this.deriverFailure === null) {
      const deriver = this.deriver;
      for (let i = 0; i < appended; i++) {
        try {
          deriver.line(channel, lines[i], firstSeq + i, storedUs[i], this.out);
        } catch (err) {
          this.deriverFailed(err, firstSeq + i);
          break;
        }
      }
    }
    this.fanOut();
    if (this.fatal !== null) return;
    // The first lines of a turn: the check phase right after this poll phase ends the turn.
    if (this.linesThisTurn === 0 && appended > 0) setImmediate(this.turnEnded);
    this.linesThisTurn += appended;
    if (this.journal.congested && !this.paused) this.pauseFeed();
    else if (this.linesThisTurn >= YIELD_EVERY_LINES && !this.yielding) this.yieldSoon();
  }

  private event(e: {
    event: 'connect' | 'disconnect';
    channel: Channel;
    us: number;
    reason: FeedEvent['reason'];
  }): void {
    if (this.journalFailed || this.feedStopped) return;
    let seq: number;
    try {
      seq = this.journal.recordEvent({
        event: e.event,
        channel: e.channel,
        us: e.us,
        reason: e.reason ?? undefined,
      });
    } catch (err) {
      this.journalDied(err);
      return;
    }
    const ev: DeriverEvent = { seq, event: e.event, channel: e.channel, us: e.us, reason: e.reason };
    if (this.deriverFailure === null) {
      try {
        this.deriver.event(ev, this.out);
      } catch (err) {
        this.deriverFailed(err, seq);
      }
    }
    this.fanOut();
  }

  private fanOut(): void {
    const out = this.out;
    if (out.length > 0) {
      for (const runner of this.runners) for (let i = 0; i < out.length; i++) runner.offer(out[i]);
      out.length = 0;
    }
    for (const runner of this.runners) runner.nudge();
  }

  private pauseFeed(): void {
    this.paused = true;
    this.feed?.pause();
    this.o.logger.warn(
      { bufferedBytes: this.journal.bufferedBytes },
      'journal behind the feed: pausing the sockets until it drains',
    );
    this.journal.whenUncongested().then(
      () => {
        this.paused = false;
        this.resumeFeed();
      },
      (err: unknown) => this.journalDied(err),
    );
  }

  /**
   * Under a flood, libuv hands every socket read of a poll phase to us in one go (megabytes,
   * tens of milliseconds of work), and the journal's writes and fsyncs, the sinks' file I/O and
   * the timers complete only between such turns: every step of their chains would wait a whole
   * turn. Pausing the sockets for one `setImmediate` after a few thousand lines lets the loop
   * finish the turn and run those completions; nothing is dropped (TCP holds the bytes).
   */
  private yieldSoon(): void {
    this.yielding = true;
    this.feed?.pause();
    setImmediate(() => {
      this.yielding = false;
      this.resumeFeed();
    });
  }

  private readonly turnEnded = (): void => {
    this.linesThisTurn = 0;
  };

  private resumeFeed(): void {
    if (!this.paused && !this.yielding && this.stopping === null) this.feed?.resume();
  }

  private deriverFailed(err: unknown, seq: number): void {
    this.out.length = 0;
    this.deriverFailure = `the deriver failed at seq ${seq}: ${errorMessage(err)}; lines are still journaled, records stopped`;
    this.o.logger.error(
      { seq, err: errorMessage(err) },
      'deriver failed; journaling continues, records stop',
    );
  }

  private measureSinkLatency(
    histogram: LatencyHistogram,
    batch: readonly RecordEnvelope[],
    durableMonoUs: number,
  ): void {
    // Sample at most 64 records per batch: enough for percentiles, cheap at any rate.
    const step = Math.max(1, Math.ceil(batch.length / 64));
    for (let i = 0; i < batch.length; i += step) {
      const appended = this.appendTimes.get(batch[i].seq);
      if (appended !== null) histogram.observe(durableMonoUs - appended);
    }
  }

  // ── status ─────────────────────────────────────────────────────────────────────────────

  private journalStatus(): {
    dir: string;
    bytes: number;
    segments: number;
    headSeq: number;
    durableSeq: number;
  } {
    const s = this.journal.stats;
    return {
      dir: this.journal.sessionDir,
      bytes: s.diskBytes,
      segments: s.segmentIndex,
      headSeq: s.nextSeq - 1,
      durableSeq: s.durableSeq,
    };
  }

  status(): CollectorRunStatus {
    const fatal: string[] = [];
    if (this.fatal !== null) fatal.push(this.fatal.describe());
    if (this.deriverFailure !== null) fatal.push(this.deriverFailure);
    const latencies: Record<string, ReturnType<LatencyHistogram['summary']>> = {};
    for (const [name, h] of this.journalToSink) latencies[name] = h.summary();
    return buildStatus({
      session: this.journal.session,
      startedAtMs: this.startedAtMs,
      nowMs: Math.floor(this.o.clock.wallUs() / 1000),
      ports: this.feed?.ports() ?? [],
      rates: this.rates.rates(),
      ratesAt: this.rates.sampledAt(),
      counts: this.deriver.counts(),
      problems: this.deriver.problems(),
      journal: this.journalStatus(),
      sinks: this.runners.map((r) => r.status()),
      symbols: this.deriver.symbolStates(),
      latency: {
        feedToJournal: this.feedToJournal.summary(),
        feedWaitToJournal: this.feedWaitToJournal.summary(),
        journalToSink: latencies,
      },
      fatal,
      stopping: this.stopping !== null,
      feedPaused: this.paused,
    });
  }

  private sampleRates(): void {
    this.rates.sample(this.deriver.counts().lines, Math.floor(this.o.clock.wallUs() / 1000));
  }

  private statusWrite: Promise<void> | null = null;

  /**
   * Write the status JSON (temp file + rename: a reader never sees half of it), one write at a
   * time, as they share the temporary file. A timer's write that finds one going is dropped (the
   * next tick writes a newer status); the final status (`status` given) waits its turn.
   */
  private async writeStatusFile(status?: CollectorRunStatus): Promise<void> {
    const path = this.o.statusFile;
    if (path === null) return;
    if (status === undefined && this.statusWrite !== null) return;
    // Several waiters wake together when a write ends: each looks again before starting.
    while (this.statusWrite !== null) await this.statusWrite;
    const text = `${JSON.stringify(status ?? this.status())}\n`;
    const write = (async () => {
      const tmp = `${path}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, text);
        await rename(tmp, path);
      } catch (err) {
        this.o.logger.warn({ file: path, err: errorMessage(err) }, 'cannot write the status file');
      }
    })();
    this.statusWrite = write;
    await write;
    if (this.statusWrite === write) this.statusWrite = null;
  }

  // ── stopping ───────────────────────────────────────────────────────────────────────────

  private journalDied(err: unknown): void {
    this.journalFailed = true;
    this.die(err);
  }

  private die(err: unknown): void {
    if (this.fatal !== null) return;
    this.fatal =
      err instanceof L2hError
        ? err
        : new L2hError(`collector failed: ${errorMessage(err)}`, { code: 'INTERNAL', cause: err });
    this.o.logger.error({ err: this.fatal.describe() }, 'collector stopping on a fatal condition');
    void this.shutdown(this.fatal);
  }

  private stop(reason: string): Promise<CollectorResult> {
    this.o.logger.info({ reason }, 'collector stopping');
    return this.shutdown(null);
  }

  private shutdown(error: L2hError | null): Promise<CollectorResult> {
    if (this.stopping === null) this.stopping = this.doShutdown(error);
    return this.stopping;
  }

  private async doShutdown(error: L2hError | null): Promise<CollectorResult> {
    const log = this.o.logger;
    this.statusTimer?.cancel();
    this.ratesTimer?.cancel();
    try {
      await this.feed?.stop();
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'stopping the feed failed');
    }
    this.feedStopped = true;
    if (this.deriverFailure === null) {
      this.deriver.end(this.out);
      this.fanOut();
    }
    let journalError: L2hError | null = null;
    try {
      await this.journal.close();
    } catch (err) {
      journalError =
        err instanceof L2hError ? err : new L2hError(errorMessage(err), { code: 'IO', cause: err });
      log.error({ err: journalError.describe() }, 'closing the journal failed');
    }
    const drained = await Promise.all(this.runners.map((r) => r.drain(this.o.drainTimeoutMs)));
    for (const [i, ok] of drained.entries()) {
      if (!ok) {
        log.warn(
          { sink: this.runners[i].name, checkpoint: this.runners[i].checkpoint },
          'sink did not drain before the deadline: the rest stays in the journal for the next run of this session',
        );
      }
    }
    for (const r of this.runners) {
      await r
        .close()
        .catch((err: unknown) =>
          log.error({ sink: r.name, err: errorMessage(err) }, 'closing the sink failed'),
        );
    }
    await this.monitor?.close().catch(() => undefined);
    const status = this.status();
    await this.writeStatusFile(status);
    const result: CollectorResult = {
      session: this.journal.session,
      error: error ?? journalError,
      sinksDrained: drained.every(Boolean),
      status,
    };
    log.info(
      { session: result.session, drained: result.sinksDrained, error: result.error?.message ?? null },
      'collector stopped',
    );
    this.resolveDone(result);
    return result;
  }
}
