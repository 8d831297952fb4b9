/**
 * The collector's write-ahead journal: every line from IQConnect, appended in arrival order to
 * a segmented tape, before anything is decoded. See ARCHITECTURE.md "Tapes and the journal".
 *
 * Hot path: `append` packs the line into a large latin1 buffer and returns its seq; it does no
 * I/O. A single writer loop then runs the file operations strictly in order (write, fdatasync,
 * rotate, event), so what is durable is always a prefix of what was appended.
 *
 * Durability: a timer started by the first unflushed append writes and fdatasyncs at most
 * `flushIntervalMs` later, so about that much data is at risk in a crash. With `groupCommit`
 * (what the collector uses) the lines appended in one turn of the event loop are written and
 * fdatasynced right after it when no fdatasync is running, and otherwise as soon as the running
 * one returns, all of them in one: a line is durable about one fdatasync after it arrived, a
 * busy feed shares each fdatasync among many lines, and the timer still bounds the wait.
 * `durableSeq` moves only after an fdatasync that covered the line returned. A connection event
 * is fdatasynced, after the lines before it, before any line after it is written, so on disk an
 * event never lacks the lines it follows nor precedes lines that outlived it.
 *
 * Disk limit (`maxBytes`): the journal refuses the first line that might not fit. From then on
 * every `append` throws the same L2hError (code IO) and `refusedAppends` counts them; the
 * limit is logged once and reported to `onFatal` listeners. Lines are never dropped quietly:
 * the collector must stop (or pause the feed) and say so. Data appended before the limit is
 * still flushed and closed normally, and connection events are still recorded (they are small,
 * and the disconnect that follows the stop must be on record).
 *
 * I/O failure (disk full, EIO): the journal fails the same way, and `close()` rejects with the
 * failure, since lines appended before it may not be on disk.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, Timer } from '../../common/clock.js';
import { nextEasternMidnightUs } from '../../common/eastern-time.js';
import { errorMessage, L2hError, usageError } from '../../common/errors.js';
import { type Logger, silentLogger } from '../../common/logger.js';
import type { Channel } from '../protocol/channel.js';
import {
  CHANNEL_FIELD,
  formatHeader,
  type HeaderEntries,
  isChannel,
  isStorableLine,
  LINE_FRAMING_BYTES,
  unstorableLineError,
  writeLineHead,
} from '../tape/format.js';
import { type ConnectionEventInput, formatEvent } from './events.js';
import { type AppendFile, type JournalFs, nodeJournalFs } from './files.js';
import { assertSafeName, CHECKPOINT_DIR, EVENTS_FILE, segmentFileName } from './layout.js';
import { type RecoveredSession, recoverSession } from './recover.js';
import { isReservedHeaderKey } from './segment-cursor.js';
import { listSessions, lockSession, newSessionId, readSessionFile, writeSessionFile } from './sessions.js';

export interface JournalOptions {
  /** The journal directory; the session lives in `<dir>/<session>/`. */
  readonly dir: string;
  /** Resume (or create) this session. Default: a new session, unless `resumeLatest`. */
  readonly session?: string;
  /** Without `session`: resume the most recently started session in `dir`, if any. */
  readonly resumeLatest?: boolean;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Headers for every segment after the journal's own, e.g. `[['symbols','AAPL'],['l2','mbp']]`. */
  readonly headers?: HeaderEntries;
  /** Longest time appended data waits for its fdatasync (default 100 ms). */
  readonly flushIntervalMs?: number;
  /**
   * Write and fdatasync after each turn of appends instead of waiting for the timer, one
   * fdatasync at a time (the next covers everything appended while the last one ran).
   * Default false: only the timer, `flush` and events sync.
   */
  readonly groupCommit?: boolean;
  /** Start a new segment before one would grow past this (default 256 MiB). */
  readonly rotateBytes?: number;
  /** Start a new segment when the US Eastern date of the receive time changes (default true). */
  readonly rotateByDay?: boolean;
  /** Refuse appends once the session would take more than this on disk (default: no limit). */
  readonly maxBytes?: number;
  /** `congested` turns true above this many unwritten bytes (default 64 MiB). */
  readonly highWaterBytes?: number;
  /** Lines are packed into buffers of this size before a write (default 1 MiB). */
  readonly writeChunkBytes?: number;
  /** File operations; tests wrap the default to hold an fsync. */
  readonly fs?: JournalFs;
}

export type JournalState = 'open' | 'full' | 'failed' | 'closed';

export interface JournalStats {
  readonly session: string;
  readonly state: JournalState;
  /** Lines appended by this Journal object (not counting earlier runs of the session). */
  readonly appended: number;
  readonly nextSeq: number;
  readonly durableSeq: number;
  readonly segmentIndex: number;
  readonly diskBytes: number;
  readonly bufferedBytes: number;
  readonly writes: number;
  readonly syncs: number;
  readonly events: number;
  readonly refusedAppends: number;
}

type Op =
  | { readonly kind: 'open'; readonly path: string; readonly create: boolean }
  | { readonly kind: 'write'; readonly data: Buffer }
  | { readonly kind: 'sync'; readonly seq: number }
  | { readonly kind: 'close'; readonly seq: number }
  | { readonly kind: 'event'; readonly data: Buffer };

interface LiveSegment {
  readonly index: number;
  readonly startUs: number;
  readonly dayEndUs: number;
  lastOffset: number;
  lines: number;
  bytes: number;
}

const MiB = 1024 * 1024;

export class Journal {
  readonly session: string;
  readonly sessionDir: string;
  /**
   * The receive time the last appended line was stored with (what a reader of the journal gets):
   * the time given, unless the clock stepped back and the offset was clamped. A deriver fed live
   * must see this time, or its records differ from a re-derive of the journal.
   */
  get lastAppendedUs(): number {
    return this.lastUs;
  }
  private lastUs = 0;
  /** True when the session existed before this open. */
  readonly resumed: boolean;

  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly fs: JournalFs;
  private readonly extraHeaders: HeaderEntries;
  private readonly flushIntervalMs: number;
  private readonly groupCommit: boolean;
  private readonly rotateBytes: number;
  private readonly rotateByDay: boolean;
  private readonly maxBytes: number;
  private readonly highWaterBytes: number;
  private readonly chunkBytes: number;
  private readonly headerBytesBound: number;

  // Append side (synchronous).
  private seqNext: number;
  private seg: LiveSegment | null = null;
  private lastIndex: number;
  private buf: Buffer;
  private pos = 0;
  /** `buf[0, sealed)` is queued for writing already; appends go on after it. */
  private sealed = 0;
  private syncRequestedSeq: number;
  /** A group commit is due at the end of this turn of appends. */
  private commitDue = false;
  private timer: Timer | null = null;
  private disk: number;
  private appended = 0;
  private refused = 0;
  private eventCount = 0;
  private closing = false;
  private closed: Promise<void> | null = null;

  // Writer side (the op loop).
  private readonly ops: Op[] = [];
  private pumping: Promise<void> | null = null;
  private queuedBytes = 0;
  private file: AppendFile | null = null;
  private durable: number;
  /** `sync` ops queued or running: a group commit waits for the one running to return. */
  private syncsPending = 0;
  private durableEvents: number;
  private writes = 0;
  private syncs = 0;

  private refusal: L2hError | null = null;
  private ioFailure: L2hError | null = null;
  private finishedFlag = false;
  private readonly durableListeners = new Set<(seq: number) => void>();
  private readonly fatalListeners = new Set<(err: L2hError) => void>();
  private changeWaiters: (() => void)[] = [];

  private constructor(
    options: JournalOptions,
    session: string,
    sessionDir: string,
    resumed: boolean,
    recovered: RecoveredSession,
    private readonly events: AppendFile,
    private readonly unlock: () => Promise<void>,
  ) {
    this.session = session;
    this.sessionDir = sessionDir;
    this.resumed = resumed;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.fs = options.fs ?? nodeJournalFs;
    this.extraHeaders = options.headers ?? [];
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.groupCommit = options.groupCommit ?? false;
    this.rotateBytes = options.rotateBytes ?? 256 * MiB;
    this.rotateByDay = options.rotateByDay ?? true;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.highWaterBytes = options.highWaterBytes ?? 64 * MiB;
    this.chunkBytes = Math.max(options.writeChunkBytes ?? MiB, 4096);
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.headerBytesBound = this.segmentHeader(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).length;

    this.seqNext = recovered.nextSeq;
    this.durable = recovered.nextSeq - 1;
    this.syncRequestedSeq = this.durable;
    this.durableEvents = recovered.eventBytes;
    this.disk = recovered.diskBytes;
    const last = recovered.last;
    this.lastIndex = last?.index ?? 0;
    if (last !== null && sameHeaders(last.header.extra, this.extraHeaders)) {
      this.seg = {
        index: last.index,
        startUs: last.header.startUs,
        dayEndUs: this.rotateByDay ? nextEasternMidnightUs(last.header.startUs) : Number.POSITIVE_INFINITY,
        lastOffset: last.lastOffsetUs,
        lines: last.lines,
        bytes: last.bytes,
      };
      this.ops.push({ kind: 'open', path: last.path, create: false });
      this.kick();
    }
  }

  static async open(options: JournalOptions): Promise<Journal> {
    checkOptions(options);
    const logger = options.logger ?? silentLogger;
    await mkdir(options.dir, { recursive: true });
    let session = options.session;
    if (session === undefined && options.resumeLatest)
      session = (await listSessions(options.dir)).at(-1)?.session;
    session ??= newSessionId();
    assertSafeName('session', session);
    const sessionDir = join(options.dir, session);
    await mkdir(join(sessionDir, CHECKPOINT_DIR), { recursive: true });
    const unlock = await lockSession(sessionDir);
    try {
      const existing = await readSessionFile(sessionDir);
      if (existing === null) {
        await writeSessionFile({ session, dir: sessionDir, startUs: options.clock.wallUs() });
      } else if (existing.session !== session) {
        throw usageError(`session.json in ${sessionDir} names session ${existing.session}, not ${session}`);
      }
      const recovered = await recoverSession({ sessionDir, session, logger, nowUs: options.clock.wallUs() });
      const fs = options.fs ?? nodeJournalFs;
      const events = await fs.openAppend(join(sessionDir, EVENTS_FILE), false);
      if (recovered.eventBytes === 0) await fs.syncDir(sessionDir);
      const journal = new Journal(options, session, sessionDir, existing !== null, recovered, events, unlock);
      logger.info(
        { session, dir: sessionDir, resumed: journal.resumed, nextSeq: recovered.nextSeq },
        journal.resumed ? 'journal session resumed' : 'journal session created',
      );
      return journal;
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  /** Seq the next appended line gets (1-based over the whole session). */
  get nextSeq(): number {
    return this.seqNext;
  }

  /** Every line with seq ≤ this has been fdatasynced. */
  get durableSeq(): number {
    return this.durable;
  }

  /** Bytes of `events.jsonl` that are fdatasynced (a follower reads no further). */
  get durableEventBytes(): number {
    return this.durableEvents;
  }

  /** Bytes appended and not yet written to the file. */
  get bufferedBytes(): number {
    return this.pos - this.sealed + this.queuedBytes;
  }

  /** True above the high-water mark: the feed reader should pause until `whenUncongested()`. */
  get congested(): boolean {
    return this.bufferedBytes > this.highWaterBytes;
  }

  /** Why appends are refused (disk limit or I/O failure), or null while they are accepted. */
  get failure(): L2hError | null {
    return this.refusal;
  }

  /** No more data will become durable: closed or failed. */
  get finished(): boolean {
    return this.finishedFlag;
  }

  get state(): JournalState {
    if (this.ioFailure) return 'failed';
    if (this.refusal) return 'full';
    return this.closing ? 'closed' : 'open';
  }

  get stats(): JournalStats {
    return {
      session: this.session,
      state: this.state,
      appended: this.appended,
      nextSeq: this.seqNext,
      durableSeq: this.durable,
      segmentIndex: this.seg?.index ?? this.lastIndex,
      diskBytes: this.disk,
      bufferedBytes: this.bufferedBytes,
      writes: this.writes,
      syncs: this.syncs,
      events: this.eventCount,
      refusedAppends: this.refused,
    };
  }

  /**
   * Journal one line; returns its seq. `receivedWallUs` (epoch µs) gives the offset, clamped so
   * offsets never decrease even if the wall clock steps back, and decides day rotation.
   * Throws BAD_INPUT for a line a tape cannot hold, and the journal's failure once appends are
   * refused (disk limit, I/O error).
   */
  append(channel: Channel, line: string, receivedWallUs: number): number {
    if (this.refusal !== null || this.closing) this.refuse();
    const field = CHANNEL_FIELD[channel];
    if (field === undefined) throw badChannel(channel, this.session);
    if (!isStorableLine(line)) throw unstorableLineError(line, { session: this.session, seq: this.seqNext });
    const bound = line.length + LINE_FRAMING_BYTES;
    let seg = this.seg;
    const rotate =
      seg === null ||
      receivedWallUs >= seg.dayEndUs ||
      (seg.bytes + bound > this.rotateBytes && seg.lines > 0);
    if (this.disk + bound + (rotate ? this.headerBytesBound : 0) > this.maxBytes) this.refuseFull();
    if (rotate) seg = this.startSegment(receivedWallUs);
    const s = seg!;
    let offset = receivedWallUs - s.startUs;
    // NaN or a step back clamps to the last offset; a time beyond any tape offset is a bug.
    offset = offset >= s.lastOffset ? Math.floor(offset) : s.lastOffset;
    if (offset > Number.MAX_SAFE_INTEGER) throw badTime(receivedWallUs, this.session);
    if (this.pos + bound > this.buf.length) this.seal(bound);
    const start = this.pos;
    let pos = writeLineHead(this.buf, start, offset, field);
    pos += this.buf.write(line, pos, 'latin1');
    this.buf[pos++] = 10;
    this.pos = pos;
    const bytes = pos - start;
    s.lastOffset = offset;
    this.lastUs = s.startUs + offset;
    s.lines++;
    s.bytes += bytes;
    this.disk += bytes;
    this.appended++;
    if (this.timer === null) this.armTimer();
    if (this.groupCommit && !this.commitDue) {
      this.commitDue = true;
      // After the caller's synchronous run of appends (a socket read), not after each line.
      queueMicrotask(this.commitTurn);
    }
    return this.seqNext++;
  }

  /**
   * Record a connection event at the current position (its seq is the next line's). It is
   * fdatasynced after the lines before it and before any line after it is written.
   */
  recordEvent(input: ConnectionEventInput): number {
    if (this.ioFailure !== null) throw this.ioFailure;
    if (this.closing)
      throw new L2hError('recordEvent after close', { code: 'INTERNAL', context: { session: this.session } });
    if ((input.event !== 'connect' && input.event !== 'disconnect') || !isChannel(input.channel)) {
      throw new L2hError(`bad connection event ${JSON.stringify(input)}`, {
        code: 'INTERNAL',
        context: { session: this.session },
      });
    }
    const seq = this.seqNext;
    const data = Buffer.from(formatEvent(seq, input, input.us ?? this.clock.wallUs()), 'latin1');
    this.requestSync();
    this.ops.push({ kind: 'event', data });
    this.disk += data.length;
    this.eventCount++;
    this.kick();
    return seq;
  }

  /** Write and fdatasync everything appended so far; resolves when it is durable. */
  async flush(): Promise<void> {
    this.requestSync();
    await this.idle();
    if (this.ioFailure) throw this.ioFailure;
  }

  /** Resolves once `durableSeq ≥ seq`; rejects if the journal fails or closes first. */
  async waitDurable(seq: number): Promise<void> {
    while (this.durable < seq) {
      if (this.ioFailure) throw this.ioFailure;
      if (this.finishedFlag) {
        throw new L2hError(`journal closed before seq ${seq} was durable`, {
          code: 'INTERNAL',
          context: { session: this.session, durableSeq: this.durable },
        });
      }
      await this.changed();
    }
  }

  /** Resolves when the buffered bytes fall back to half the high-water mark (or the journal fails). */
  async whenUncongested(): Promise<void> {
    while (this.bufferedBytes > this.highWaterBytes / 2 && !this.finishedFlag) {
      // Bytes still in the append buffer only move on a flush: ask for one.
      if (this.queuedBytes === 0) this.requestSync();
      await this.changed();
    }
    if (this.ioFailure) throw this.ioFailure;
  }

  /** Resolves at the next change of durable state, congestion, or at close or failure. */
  changed(): Promise<void> {
    if (this.finishedFlag) return Promise.resolve();
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  onDurable(listener: (seq: number) => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** Called once, when appends start being refused (disk limit) or a file operation fails. */
  onFatal(listener: (err: L2hError) => void): () => void {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }

  /** Flush, fdatasync and close. Rejects if an I/O failure left appended lines unwritten. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this.timer?.cancel();
    this.timer = null;
    try {
      if (this.seg !== null) {
        this.seal(0);
        this.ops.push({ kind: 'close', seq: this.seqNext - 1 });
        this.kick();
      }
      await this.idle();
      await this.events.close().catch((err) => this.fail(err, 'closing events.jsonl'));
    } finally {
      // After an I/O failure the queued 'close' op never ran (or failed before closing it):
      // the segment would stay open until GC closed it.
      await this.closeSegment();
      this.finishedFlag = true;
      this.notifyChange();
      await this.unlock();
    }
    if (this.ioFailure) throw this.ioFailure;
    this.logger.info({ session: this.session, durableSeq: this.durable }, 'journal session closed');
  }

  private async closeSegment(): Promise<void> {
    const file = this.file;
    if (file === null) return;
    this.file = null;
    await file.close().catch((err) => this.fail(err, 'closing the segment'));
  }

  // ── append side ────────────────────────────────────────────────────────────────────────

  private startSegment(receivedWallUs: number): LiveSegment {
    const startUs = Math.floor(receivedWallUs);
    if (!Number.isSafeInteger(startUs) || startUs < 0) throw badTime(receivedWallUs, this.session);
    if (this.seg !== null) {
      this.seal(0);
      this.ops.push({ kind: 'close', seq: this.seqNext - 1 });
      this.syncRequestedSeq = this.seqNext - 1;
    }
    const index = (this.seg?.index ?? this.lastIndex) + 1;
    this.lastIndex = index;
    this.ops.push({ kind: 'open', path: join(this.sessionDir, segmentFileName(index)), create: true });
    const header = this.segmentHeader(this.seqNext - 1, startUs);
    if (header.length > this.buf.length - this.pos) this.seal(header.length);
    this.pos += this.buf.write(header, this.pos, 'latin1');
    this.disk += header.length;
    this.seg = {
      index,
      startUs,
      dayEndUs: this.rotateByDay ? nextEasternMidnightUs(startUs) : Number.POSITIVE_INFINITY,
      lastOffset: 0,
      lines: 0,
      bytes: header.length,
    };
    this.kick();
    return this.seg;
  }

  private segmentHeader(seqBase: number, startUs: number): string {
    return formatHeader(
      [
        ['session', this.session],
        ['seq-base', String(seqBase)],
        ['start-us', String(startUs)],
        ...this.extraHeaders,
      ],
      { session: this.session },
    );
  }

  /**
   * Queue what was appended since the last seal for writing; make room for `need` more bytes.
   * Appends go on after the sealed part of the buffer (those bytes are never touched again),
   * so a commit of a few lines does not cost a new buffer.
   */
  private seal(need: number): void {
    if (this.pos > this.sealed) {
      const data = this.buf.subarray(this.sealed, this.pos);
      this.ops.push({ kind: 'write', data });
      this.queuedBytes += data.length;
      this.sealed = this.pos;
      this.kick();
    }
    if (need > this.buf.length - this.pos) {
      this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, need));
      this.pos = 0;
      this.sealed = 0;
    }
  }

  /** The group commit after a turn of appends: now, unless an fdatasync runs (it follows that). */
  private readonly commitTurn = (): void => {
    this.commitDue = false;
    if (this.syncsPending === 0 && !this.closing) this.requestSync();
  };

  /** Queue a write and an fdatasync of everything appended so far. */
  private requestSync(): void {
    this.seal(0);
    const seq = this.seqNext - 1;
    if (seq > this.syncRequestedSeq && this.seg !== null) {
      this.ops.push({ kind: 'sync', seq });
      this.syncsPending++;
      this.syncRequestedSeq = seq;
      this.kick();
    }
  }

  private armTimer(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.requestSync();
    }, this.flushIntervalMs);
  }

  private refuse(): never {
    this.refused++;
    throw (
      this.refusal ??
      new L2hError('append after close', { code: 'INTERNAL', context: { session: this.session } })
    );
  }

  private refuseFull(): never {
    this.setRefusal(
      new L2hError(`journal disk limit reached: ${this.disk} of ${this.maxBytes} bytes used`, {
        code: 'IO',
        context: { session: this.session, dir: this.sessionDir, maxBytes: this.maxBytes, seq: this.seqNext },
        hint: 'raise the journal size limit or move old sessions away; lines after the limit were not journaled',
      }),
    );
    this.refuse();
  }

  private setRefusal(err: L2hError): void {
    if (this.refusal !== null) return;
    this.refusal = err;
    this.logger.error({ err, session: this.session, nextSeq: this.seqNext }, err.message);
    for (const listener of this.fatalListeners) this.callListener(listener, err);
    this.notifyChange();
  }

  // ── writer side ────────────────────────────────────────────────────────────────────────

  private kick(): void {
    if (this.pumping === null && this.ops.length > 0 && this.ioFailure === null) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (let op = this.ops.shift(); op !== undefined; op = this.ops.shift()) await this.run(op);
    } catch (err) {
      this.fail(err, 'writing the journal');
    } finally {
      this.pumping = null;
      this.notifyChange();
    }
  }

  private async run(op: Op): Promise<void> {
    switch (op.kind) {
      case 'open':
        this.file = await this.fs.openAppend(op.path, op.create);
        if (op.create) await this.fs.syncDir(this.sessionDir);
        return;
      case 'write':
        await this.currentFile().write(op.data);
        this.queuedBytes -= op.data.length;
        this.writes++;
        if (this.queuedBytes <= this.highWaterBytes / 2) this.notifyChange();
        return;
      case 'sync':
        await this.currentFile().datasync();
        this.syncs++;
        this.syncsPending--;
        this.advanceDurable(op.seq);
        // Group commit: what arrived while this fdatasync ran goes in the next one, now.
        if (
          this.groupCommit &&
          this.syncsPending === 0 &&
          !this.closing &&
          this.seqNext - 1 > this.syncRequestedSeq
        )
          this.requestSync();
        return;
      case 'close': {
        const file = this.currentFile();
        await file.datasync();
        this.syncs++;
        this.file = null;
        await file.close();
        this.advanceDurable(op.seq);
        return;
      }
      case 'event':
        await this.events.write(op.data);
        await this.events.datasync();
        this.syncs++;
        this.durableEvents += op.data.length;
        this.notifyChange();
        return;
    }
  }

  private currentFile(): AppendFile {
    if (this.file === null) throw new L2hError('journal write with no segment open', { code: 'INTERNAL' });
    return this.file;
  }

  private advanceDurable(seq: number): void {
    if (seq <= this.durable) return;
    this.durable = seq;
    for (const listener of this.durableListeners) this.callListener(listener, seq);
    this.notifyChange();
  }

  private fail(err: unknown, doing: string): void {
    if (this.ioFailure !== null) return;
    this.ioFailure =
      err instanceof L2hError && err.code !== 'INTERNAL'
        ? err
        : new L2hError(`journal I/O failed while ${doing}: ${errorMessage(err)}`, {
            code: 'IO',
            cause: err,
            context: { session: this.session, dir: this.sessionDir, durableSeq: this.durable },
            hint: 'lines after durableSeq may be lost; check the disk, then restart to resume the session',
          });
    this.ops.length = 0;
    this.queuedBytes = 0;
    this.finishedFlag = true;
    this.setRefusal(this.ioFailure);
    this.notifyChange();
  }

  /** A listener's bug must not pass for a journal I/O failure. */
  private callListener<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value);
    } catch (err) {
      this.logger.error({ err, session: this.session }, 'a journal listener threw');
    }
  }

  private async idle(): Promise<void> {
    while (this.pumping !== null) await this.pumping;
  }

  private notifyChange(): void {
    const waiters = this.changeWaiters;
    if (waiters.length === 0) return;
    this.changeWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function checkOptions(options: JournalOptions): void {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value > 0)) throw usageError(`journal ${name} must be > 0, got ${value}`);
  };
  positive('flushIntervalMs', options.flushIntervalMs);
  positive('rotateBytes', options.rotateBytes);
  positive('maxBytes', options.maxBytes);
  positive('highWaterBytes', options.highWaterBytes);
  positive('writeChunkBytes', options.writeChunkBytes);
  for (const [key] of options.headers ?? []) {
    if (isReservedHeaderKey(key))
      throw usageError(`journal header "${key}" is the journal's own; pass another key`);
  }
}

function sameHeaders(a: HeaderEntries, b: HeaderEntries): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i][0] === k && b[i][1] === v);
}

function badTime(receivedWallUs: number, session: string): L2hError {
  return new L2hError(`receive time must be epoch microseconds, got ${receivedWallUs}`, {
    code: 'INTERNAL',
    context: { session },
  });
}

function badChannel(channel: unknown, session: string): L2hError {
  return new L2hError(`unknown channel ${JSON.stringify(channel)}: expected L1, L2 or ADMIN`, {
    code: 'BAD_INPUT',
    context: { session },
  });
}
