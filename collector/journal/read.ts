/**
 * Reading a journal back, lines and connection events merged in seq order: an event with seq
 * N comes right before line N (it happened after line N − 1 and before line N); events after
 * the last line come last.
 *
 * - `readJournal(sessionDir)` reads what is on disk, e.g. a finished run. A last segment that
 *   ends mid-line (a crash nobody has recovered yet) is read up to its last complete line;
 *   anything else that is not a valid journal is a BAD_INPUT error naming file and line.
 * - `followJournal(journal)` reads a live journal: only what is fdatasynced (up to
 *   `durableSeq`, and `durableEventBytes` of events), then waits for more, and ends once the
 *   journal is closed and everything is read (or at `toSeq`, or when `signal` aborts).
 *   Catching-up sinks use it to read from their checkpoint and then keep pace.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, inputError, L2hError } from '../../common/errors.js';
import { isErrno } from '../tape/errno.js';
import type { TapeLine } from '../tape/parser.js';
import { type JournalEntry, type JournalEvent, parseEvent } from './events.js';
import { EVENTS_FILE, listSegments, segmentFileName } from './layout.js';
import { parseSegmentHeader, SegmentCursor, type SegmentHeader } from './segment-cursor.js';

export type { JournalEntry, JournalEvent, JournalLine } from './events.js';

export interface ReadJournalOptions {
  /** First line seq to read (default 1). Events with seq ≥ this are included. */
  readonly fromSeq?: number;
  /** Last line seq to read (default: to the end). Events with seq ≤ this are included. */
  readonly toSeq?: number;
  /** Entries per batch (default 4096; a batch can be a few events longer). */
  readonly batchSize?: number;
}

export interface FollowJournalOptions extends ReadJournalOptions {
  /** Stop following (the iteration ends quietly). */
  readonly signal?: AbortSignal;
}

/** What a follower needs from a live journal; `Journal` provides it. */
export interface DurableProgress {
  readonly sessionDir: string;
  readonly durableSeq: number;
  readonly durableEventBytes: number;
  /** No more data will become durable (closed or failed). */
  readonly finished: boolean;
  /** Resolves at the next change of any of the above. */
  changed(): Promise<void>;
}

export function readJournal(
  sessionDir: string,
  options: ReadJournalOptions = {},
): AsyncIterable<readonly JournalEntry[]> {
  return scan(sessionDir, options, null, undefined);
}

export function followJournal(
  source: DurableProgress,
  options: FollowJournalOptions = {},
): AsyncIterable<readonly JournalEntry[]> {
  return scan(source.sessionDir, options, source, options.signal);
}

interface OpenSegment {
  readonly index: number;
  readonly header: SegmentHeader;
  readonly cursor: SegmentCursor;
}

async function* scan(
  sessionDir: string,
  options: ReadJournalOptions,
  source: DurableProgress | null,
  signal: AbortSignal | undefined,
): AsyncGenerator<readonly JournalEntry[]> {
  const fromSeq = options.fromSeq ?? 1;
  const toSeq = options.toSeq ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1 || !(toSeq >= fromSeq - 1) || !(batchSize >= 1)) {
    throw new L2hError(`bad journal range: fromSeq ${fromSeq}, toSeq ${toSeq}, batchSize ${batchSize}`, {
      code: 'INTERNAL',
      context: { dir: sessionDir },
    });
  }
  const events = new EventTail(join(sessionDir, EVENTS_FILE));
  const lines: TapeLine[] = [];
  let seg: OpenSegment | null = null;
  let nextSeq = fromSeq;
  let batch: JournalEntry[] = [];
  try {
    for (;;) {
      if (signal?.aborted) return;
      // Snapshot `finished` first: once it is true, the durable limits read with it are final.
      const finished = source === null || source.finished;
      const durableSeq = source === null ? Number.POSITIVE_INFINITY : source.durableSeq;
      const durableEventBytes = source === null ? Number.POSITIVE_INFINITY : source.durableEventBytes;
      const limit = Math.min(durableSeq, toSeq);
      await events.load(durableEventBytes);

      let stuck = false;
      while (nextSeq <= limit && !stuck) {
        if (seg === null) {
          seg = await locate(sessionDir, nextSeq);
          if (seg === null) {
            stuck = true;
            break;
          }
        }
        lines.length = 0;
        const max = Math.min(batchSize, limit - nextSeq + 1);
        const n = await seg.cursor.take(max, lines);
        for (const l of lines) {
          events.takeUpTo(nextSeq, fromSeq, batch);
          batch.push({
            type: 'line',
            seq: nextSeq,
            channel: l.channel,
            line: l.line,
            receivedUs: seg.header.startUs + l.offsetUs,
          });
          nextSeq++;
        }
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
        if (n < max) {
          const next = await openNext(sessionDir, seg, nextSeq);
          if (next === null) stuck = true;
          else seg = next;
        }
      }
      if (stuck && source !== null && nextSeq <= limit) {
        throw inputError(
          `the journal on disk ends before seq ${nextSeq}, yet the journal reports seq ${durableSeq} durable`,
          {
            dir: sessionDir,
          },
        );
      }

      const done = source === null || nextSeq > toSeq || (finished && nextSeq > durableSeq);
      // Every durable event has seq ≤ durableSeq + 1 (the journal syncs the lines before an
      // event first), so once caught up, all loaded events belong before line `nextSeq`.
      events.takeUpTo(done ? toSeq : nextSeq, fromSeq, batch);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      if (done || source === null) return;
      const moved =
        source.finished !== finished ||
        source.durableSeq !== durableSeq ||
        source.durableEventBytes !== durableEventBytes;
      if (!moved) await waitFor(source.changed(), signal);
    }
  } finally {
    await seg?.cursor.close();
  }
}

/** The segment holding `seq`, positioned at it; null when the journal has no line `seq` (yet). */
async function locate(sessionDir: string, seq: number): Promise<OpenSegment | null> {
  const segments = await listSegments(sessionDir);
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = await openSegment(sessionDir, segments[i].index);
    if (seg === null) {
      // Only the newest segment may still lack a complete first line (being written, or torn).
      if (i === segments.length - 1) continue;
      throw inputError('a journal segment without a complete first line', { file: segments[i].path });
    }
    if (seg.header.seqBase < seq || i === 0) {
      if (seg.header.seqBase >= seq) {
        await seg.cursor.close();
        throw inputError(
          `the journal starts at seq ${seg.header.seqBase + 1}, after the requested seq ${seq}`,
          {
            file: seg.cursor.path,
          },
        );
      }
      let reached: boolean;
      try {
        reached = await skipLines(seg.cursor, seq - seg.header.seqBase - 1);
      } catch (err) {
        // A malformed line on the way: the caller never gets the cursor, so close it here.
        await seg.cursor.close().catch(() => undefined);
        throw err;
      }
      if (reached) return seg;
      // `seq` lies beyond the last line.
      await seg.cursor.close();
      return null;
    }
    await seg.cursor.close();
  }
  return null;
}

/** Read past `count` lines; false when the segment has fewer. */
async function skipLines(cursor: SegmentCursor, count: number): Promise<boolean> {
  const skip: TapeLine[] = [];
  for (let left = count; left > 0; ) {
    skip.length = 0;
    const n = await cursor.take(Math.min(left, 65536), skip);
    if (n === 0) return false;
    left -= n;
  }
  return true;
}

/**
 * After a segment ran out of complete lines: the next segment, positioned at its first line,
 * or null at the end of the journal (no next segment, or a newest one without a complete
 * first line yet). Moving on checks that the segment just read ended cleanly and that the
 * next one continues its seq: a missing or foreign segment is an error, never a silent end.
 */
async function openNext(sessionDir: string, seg: OpenSegment, nextSeq: number): Promise<OpenSegment | null> {
  const later = (await listSegments(sessionDir)).filter((s) => s.index > seg.index);
  if (later.length === 0) return null;
  if (later[0].index !== seg.index + 1) {
    throw inputError(
      `journal segment ${segmentFileName(seg.index + 1)} is missing: lines after seq ${nextSeq - 1} are lost`,
      { dir: sessionDir },
    );
  }
  const next = await openSegment(sessionDir, seg.index + 1);
  if (next === null) {
    if (later.length === 1) return null;
    throw inputError('a journal segment without a complete first line', { file: later[0].path });
  }
  if (seg.cursor.tailBytes > 0) {
    await next.cursor.close();
    throw inputError('a journal segment that is not the last ends mid-line', {
      file: seg.cursor.path,
      line: seg.cursor.lastLineNo + 1,
    });
  }
  if (next.header.seqBase !== nextSeq - 1 || next.header.session !== seg.header.session) {
    await next.cursor.close();
    throw inputError(
      `journal segments do not line up: #seq-base ${next.header.seqBase} where ${nextSeq - 1} lines came before`,
      { file: next.cursor.path, line: 1 },
      'a segment is missing, duplicated or from another session',
    );
  }
  await seg.cursor.close();
  return next;
}

/** A segment with its header read; null when it has no complete first line yet. */
async function openSegment(sessionDir: string, index: number): Promise<OpenSegment | null> {
  const cursor = await SegmentCursor.open(join(sessionDir, segmentFileName(index)));
  try {
    const tape = await cursor.readHeader();
    if (tape === null) {
      await cursor.close();
      return null;
    }
    return { index, header: parseSegmentHeader(tape, cursor.path), cursor };
  } catch (err) {
    await cursor.close();
    throw err;
  }
}

async function waitFor(changed: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return changed;
  if (signal.aborted) return;
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([changed, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** `events.jsonl` read incrementally: complete lines only, up to a byte limit. */
class EventTail {
  private readonly pending: JournalEvent[] = [];
  private pos = 0;
  private lineNo = 0;
  private lastSeq = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  async load(limitBytes: number): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw new L2hError(`cannot read events.jsonl: ${errorMessage(err)}`, {
        code: 'IO',
        cause: err,
        context: { file: this.path },
      });
    }
    try {
      const size = Math.min((await handle.stat()).size, limitBytes);
      if (size <= this.pos) return;
      const data = Buffer.alloc(size - this.pos);
      const { bytesRead } = await handle.read(data, 0, data.length, this.pos);
      this.pos += bytesRead;
      const text = this.partial + data.toString('latin1', 0, bytesRead);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        const event = parseEvent(text.slice(start, nl), this.path, ++this.lineNo);
        if (event.seq < this.lastSeq) {
          throw inputError(`event seq ${event.seq} after ${this.lastSeq}: events must be in seq order`, {
            file: this.path,
            line: this.lineNo,
          });
        }
        this.lastSeq = event.seq;
        this.pending.push(event);
        start = nl + 1;
      }
      this.partial = text.slice(start);
    } finally {
      await handle.close();
    }
  }

  /** Move events with seq ≤ `seq` to `out`, dropping those before `fromSeq`. */
  takeUpTo(seq: number, fromSeq: number, out: JournalEntry[]): void {
    while (this.pending.length > 0 && this.pending[0].seq <= seq) {
      const event = this.pending.shift()!;
      if (event.seq >= fromSeq) out.push(event);
    }
  }
}
