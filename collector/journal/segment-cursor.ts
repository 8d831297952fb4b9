/**
 * Positional reading of one journal segment: complete lines only, from a byte position, up to
 * a byte limit. Recovery uses it to find where a torn segment stops being valid; readers use it
 * to follow a segment that is still being written without ever seeing a half-written line.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { errorMessage, inputError, L2hError } from '../../common/errors.js';
import type { HeaderEntries } from '../tape/format.js';
import type { TapeHeader } from '../tape/header.js';
import { PARSE_PIECE_BYTES, type TapeLine, TapeTextParser } from '../tape/parser.js';

/** Read no more than the parser takes in one piece (see PARSE_PIECE_BYTES). */
const READ_CHUNK = PARSE_PIECE_BYTES;
const RESERVED = new Set(['session', 'seq-base', 'start-us']);

/** The journal's own headers of a segment, checked, and the caller-supplied rest. */
export interface SegmentHeader {
  readonly session: string;
  /** Seq of the segment's first line − 1. */
  readonly seqBase: number;
  /** Epoch µs of the segment's first line: offsets count from here. */
  readonly startUs: number;
  readonly extra: HeaderEntries;
  /** Lines the header takes, so body line k is file line `headerLines + k`. */
  readonly headerLines: number;
}

export function isReservedHeaderKey(key: string): boolean {
  return RESERVED.has(key);
}

export function parseSegmentHeader(header: TapeHeader, file: string): SegmentHeader {
  const session = header.get('session');
  const seqBase = wholeNumber(header.get('seq-base'));
  const startUs = wholeNumber(header.get('start-us'));
  if (session === undefined || session === '' || seqBase === null || startUs === null) {
    throw inputError('a journal segment needs "#session", "#seq-base" and "#start-us" headers', { file });
  }
  return {
    session,
    seqBase,
    startUs,
    extra: header.entries.filter(([k]) => !RESERVED.has(k)),
    headerLines: header.entries.length + 1,
  };
}

function wholeNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export class SegmentCursor {
  private readonly parser: TapeTextParser;
  private readPos: number;
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK);

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly startPos: number,
    resumeAt: { lineNo: number; lastOffsetUs: number } | undefined,
  ) {
    this.readPos = startPos;
    // No length limit: a journal line is a feed line, as long as the collector's --max-line-kb
    // allows (any size), and a segment, written by the journal alone, is bounded by its rotation.
    this.parser = new TapeTextParser({ file: path, resumeAt, maxLineBytes: Number.POSITIVE_INFINITY });
  }

  /** Open at the start of the file (read the header next) or, with `at`, mid-body. */
  static async open(
    path: string,
    at?: { readonly bytes: number; readonly lineNo: number; readonly lastOffsetUs: number },
  ): Promise<SegmentCursor> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new L2hError(`cannot open the journal segment: ${errorMessage(err)}`, {
        code: 'IO',
        cause: err,
        context: { file: path },
      });
    }
    return new SegmentCursor(
      path,
      handle,
      at?.bytes ?? 0,
      at ? { lineNo: at.lineNo, lastOffsetUs: at.lastOffsetUs } : undefined,
    );
  }

  /**
   * Read the header. Returns null when the file ends before a complete header followed by at
   * least the start of a body line: a segment torn before its first line was whole.
   */
  async readHeader(): Promise<TapeHeader | null> {
    for (;;) {
      const header = this.parser.takeHeader();
      if (header !== null) return header;
      if ((await this.readMore(Number.POSITIVE_INFINITY)) === 0) return null;
    }
  }

  /**
   * Parse up to `max` complete lines into `out`, reading no byte at or past `limitBytes`.
   * Returns the number added; fewer than `max` means the readable part is exhausted for now.
   */
  async take(max: number, out: TapeLine[], limitBytes = Number.POSITIVE_INFINITY): Promise<number> {
    let n = this.parser.takeLines(max, out);
    while (n < max) {
      if ((await this.readMore(limitBytes)) === 0) break;
      n += this.parser.takeLines(max - n, out);
    }
    return n;
  }

  /** Byte position where the next unparsed line starts. */
  get position(): number {
    return this.startPos + this.parser.consumedChars;
  }

  /** Bytes read past the last complete line: an unfinished (or torn) line. */
  get tailBytes(): number {
    return this.parser.bufferedChars;
  }

  get lastLineNo(): number {
    return this.parser.lastLineNo;
  }

  get lastOffsetUs(): number {
    return this.parser.lastOffsetUs;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async readMore(limitBytes: number): Promise<number> {
    const room = Math.min(this.buf.length, limitBytes - this.readPos);
    if (room <= 0) return 0;
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(this.buf, 0, room, this.readPos));
    } catch (err) {
      throw new L2hError(`cannot read the journal segment: ${errorMessage(err)}`, {
        code: 'IO',
        cause: err,
        context: { file: this.path },
      });
    }
    if (bytesRead > 0) {
      this.readPos += bytesRead;
      this.parser.feed(this.buf.toString('latin1', 0, bytesRead));
    }
    return bytesRead;
  }
}
