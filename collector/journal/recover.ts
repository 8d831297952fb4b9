/**
 * Crash recovery when a session is resumed. Only the end of the journal can be torn (it is
 * append-only and every earlier segment was fsynced before the next was created), so recovery
 * looks at the last segment and at `events.jsonl`:
 *
 * - a last segment without one complete body line is removed (its first line never made it);
 * - from the first line that is not a complete, valid tape line on, the segment is cut off;
 * - events whose seq lies beyond the surviving lines are cut off too (they describe a moment
 *   after lines that are gone).
 *
 * Every byte cut off is kept in `recovered/` and logged, so recovery never loses data silently.
 */
import { mkdir, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { errorMessage, inputError, L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { isErrno } from '../tape/errno.js';
import type { TapeHeader } from '../tape/header.js';
import type { TapeLine } from '../tape/parser.js';
import { parseEvent } from './events.js';
import { nodeJournalFs } from './files.js';
import { EVENTS_FILE, listSegments, RECOVERED_DIR } from './layout.js';
import { parseSegmentHeader, SegmentCursor, type SegmentHeader } from './segment-cursor.js';

/** The state of a segment the journal can append to after recovery. */
export interface RecoveredSegment {
  readonly index: number;
  readonly path: string;
  readonly header: SegmentHeader;
  readonly lines: number;
  readonly lastOffsetUs: number;
  readonly bytes: number;
}

export interface RecoveredSession {
  /** The last segment, or null when the session has no line yet. */
  readonly last: RecoveredSegment | null;
  /** Seq the next appended line gets. */
  readonly nextSeq: number;
  /** Bytes on disk (segments and events) after recovery, for the disk limit. */
  readonly diskBytes: number;
  /** Bytes of `events.jsonl` after recovery. */
  readonly eventBytes: number;
}

export interface RecoverOptions {
  readonly sessionDir: string;
  readonly session: string;
  readonly logger: Logger;
  /** Epoch µs, stamped on the names of files in `recovered/`. */
  readonly nowUs: number;
}

export async function recoverSession(options: RecoverOptions): Promise<RecoveredSession> {
  const { sessionDir, session } = options;
  const segments = await listSegments(sessionDir);
  let last: RecoveredSegment | null = null;
  while (segments.length > 0 && last === null) {
    const segment = segments[segments.length - 1];
    const scan = await scanSegment(segment.path);
    if (scan.lines === 0) {
      await preserve(options, segment.path, 0, scan.fileBytes, 'segment without a complete line');
      await rm(segment.path);
      await nodeJournalFs.syncDir(sessionDir);
      segments.pop();
      continue;
    }
    const header = scan.header!;
    if (header.session !== session) {
      throw inputError(`journal segment belongs to session ${header.session}, not ${session}`, {
        file: segment.path,
      });
    }
    if (scan.validBytes < scan.fileBytes) {
      await preserve(options, segment.path, scan.validBytes, scan.fileBytes, scan.damage);
      await truncateDurably(segment.path, scan.validBytes);
    } else {
      // After a crash of the process alone, what it wrote may still be only in the page cache:
      // sync before the journal reports it durable.
      await syncFile(segment.path);
    }
    last = { ...segment, header, lines: scan.lines, lastOffsetUs: scan.lastOffsetUs, bytes: scan.validBytes };
  }
  const nextSeq = last === null ? 1 : last.header.seqBase + last.lines + 1;
  const eventBytes = await recoverEvents(options, nextSeq);
  let diskBytes = eventBytes;
  for (const segment of segments) diskBytes += (await stat(segment.path)).size;
  return { last, nextSeq, diskBytes, eventBytes };
}

interface SegmentScan {
  readonly header: SegmentHeader | null;
  readonly lines: number;
  readonly lastOffsetUs: number;
  /** Length of the valid prefix: the header and every complete, valid line. */
  readonly validBytes: number;
  readonly fileBytes: number;
  /** Why the bytes after `validBytes` are not valid. */
  readonly damage: string;
}

async function scanSegment(path: string): Promise<SegmentScan> {
  const fileBytes = (await stat(path)).size;
  const cursor = await SegmentCursor.open(path);
  try {
    const tape = await readHeaderOrNull(cursor);
    if (tape === null)
      return { header: null, lines: 0, lastOffsetUs: 0, validBytes: 0, fileBytes, damage: '' };
    const header = parseSegmentHeader(tape, path);
    const scratch: TapeLine[] = [];
    let lines = 0;
    let damage = 'a last line without its line feed';
    for (;;) {
      scratch.length = 0;
      try {
        const n = await cursor.take(65536, scratch);
        lines += n;
        if (n < 65536) break;
      } catch (err) {
        if (!(err instanceof L2hError) || err.code !== 'BAD_INPUT') throw err;
        lines += scratch.length;
        damage = err.describe();
        break;
      }
    }
    return {
      header,
      lines,
      lastOffsetUs: cursor.lastOffsetUs,
      validBytes: cursor.position,
      fileBytes,
      damage,
    };
  } finally {
    await cursor.close();
  }
}

/**
 * A header that is not a tape header yet (cut short, or blocks a crash left zeroed) means no
 * line of this segment was ever durable: the journal fsyncs a segment's header with its lines.
 */
async function readHeaderOrNull(cursor: SegmentCursor): Promise<TapeHeader | null> {
  try {
    return await cursor.readHeader();
  } catch (err) {
    if (err instanceof L2hError && err.code === 'BAD_INPUT') return null;
    throw err;
  }
}

/** Cut a torn tail and events beyond `nextSeq` off `events.jsonl`; returns its new length. */
async function recoverEvents(options: RecoverOptions, nextSeq: number): Promise<number> {
  const path = join(options.sessionDir, EVENTS_FILE);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 0;
    throw new L2hError(`cannot read events.jsonl: ${errorMessage(err)}`, {
      code: 'IO',
      cause: err,
      context: { file: path },
    });
  }
  const text = data.toString('latin1');
  let valid = 0;
  let lineNo = 0;
  let damage = '';
  while (valid < text.length) {
    const nl = text.indexOf('\n', valid);
    if (nl === -1) {
      damage = 'a last event without its line feed';
      break;
    }
    lineNo++;
    try {
      const event = parseEvent(text.slice(valid, nl), path, lineNo);
      if (event.seq > nextSeq) {
        damage = `event seq ${event.seq} lies beyond the journal's last line (${nextSeq - 1})`;
        break;
      }
    } catch (err) {
      damage = errorMessage(err);
      break;
    }
    valid = nl + 1;
  }
  if (valid < text.length) {
    await preserve(options, path, valid, text.length, damage);
    await truncateDurably(path, valid);
  } else {
    await syncFile(path);
  }
  return valid;
}

async function truncateDurably(path: string, length: number): Promise<void> {
  await truncate(path, length);
  await syncFile(path);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copy bytes about to be cut into `recovered/` and say so loudly. */
async function preserve(
  options: RecoverOptions,
  path: string,
  from: number,
  to: number,
  why: string,
): Promise<void> {
  if (to <= from) return;
  const dir = join(options.sessionDir, RECOVERED_DIR);
  await mkdir(dir, { recursive: true });
  const handle = await open(path, 'r');
  let target: string;
  try {
    const bytes = Buffer.alloc(to - from);
    await handle.read(bytes, 0, bytes.length, from);
    target = await writeNewFile(join(dir, `${basename(path)}.at-${from}.${options.nowUs}`), bytes);
  } finally {
    await handle.close();
  }
  options.logger.warn(
    { file: path, from, bytes: to - from, keptIn: target, why },
    'journal recovery cut off a torn or invalid tail',
  );
}

/** Write `<stem>.bin`, or `<stem>.2.bin`… when an earlier recovery already used the name. */
async function writeNewFile(stem: string, bytes: Buffer): Promise<string> {
  for (let k = 1; ; k++) {
    const path = k === 1 ? `${stem}.bin` : `${stem}.${k}.bin`;
    try {
      await writeFile(path, bytes, { flag: 'wx' });
      return path;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
}
