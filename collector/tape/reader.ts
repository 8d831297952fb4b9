/**
 * Streaming tape reader: plain or gzip (decided by the file's first two bytes, not its name),
 * parsed in batches so a tape of any length holds at most one read chunk and one batch in
 * memory. Lines are latin1 (one char per byte), so every byte reads back as written.
 *
 * The last line must end in `\n`: a tape that stops mid-line was cut short (a crash, a partial
 * copy), and replaying its torn last line as if it were whole would be silent corruption.
 */
import type { ReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { errorMessage, inputError, L2hError } from '../../common/errors.js';
import { isErrno } from './errno.js';
import type { TapeHeader } from './header.js';
import { DEFAULT_MAX_LINE_BYTES, PARSE_PIECE_BYTES, type TapeLine, TapeTextParser } from './parser.js';

export { isErrno } from './errno.js';
export type { TapeHeader } from './header.js';
export type { TapeLine } from './parser.js';

export interface OpenTapeOptions {
  /** Lines per batch (default 4096). */
  readonly batchSize?: number;
  /** Longest line accepted before the file is declared not a tape (default 4 MiB). */
  readonly maxLineBytes?: number;
  /**
   * Bytes per file read (default 1 MiB). A read is decoded and split on the caller's thread a
   * piece (PARSE_PIECE_BYTES) at a time, as the batches need lines.
   */
  readonly readChunkBytes?: number;
}

/** What a reader holds right now, for tests and progress: the proof that it streams. */
export interface TapeReaderStats {
  /** Bytes read from the file so far (compressed bytes for a gzip tape). */
  readonly bytesRead: number;
  readonly linesRead: number;
  /** Lines parsed and not yet released by the consumer (the batch being built or held). */
  readonly linesInFlight: number;
  readonly maxLinesInFlight: number;
  /**
   * Most text (chars = bytes) the parser held at once: a piece of a read plus the unfinished
   * line before it (the bytes of a read not yet decoded are not counted).
   */
  readonly maxBufferedChars: number;
  readonly gzip: boolean;
}

export interface TapeReader {
  readonly path: string;
  readonly header: TapeHeader;
  readonly stats: TapeReaderStats;
  /** The body lines in file order; iterate once. Breaking out of the loop closes the file. */
  batches(): AsyncIterable<readonly TapeLine[]>;
  close(): Promise<void>;
}

/** Bytes per file read unless told otherwise. */
export const DEFAULT_READ_CHUNK_BYTES = 1 << 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export async function openTape(path: string, options: OpenTapeOptions = {}): Promise<TapeReader> {
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new L2hError(`batchSize must be a positive integer, got ${batchSize}`, { code: 'INTERNAL' });
  }
  const handle = await openForRead(path);
  let gzip: boolean;
  try {
    const probe = Buffer.alloc(2);
    const { bytesRead } = await handle.read(probe, 0, 2, 0);
    gzip = bytesRead === 2 && probe[0] === GZIP_MAGIC_0 && probe[1] === GZIP_MAGIC_1;
  } catch (err) {
    await handle.close();
    throw ioError('cannot read the tape', path, err);
  }
  const readChunk = options.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
  if (!Number.isInteger(readChunk) || readChunk < 1) {
    throw new L2hError(`readChunkBytes must be a positive integer, got ${readChunk}`, { code: 'INTERNAL' });
  }
  const reader = new StreamingTapeReader(path, handle, gzip, batchSize, options.maxLineBytes, readChunk);
  try {
    await reader.readHeader();
  } catch (err) {
    await reader.close();
    throw err;
  }
  return reader;
}

class StreamingTapeReader implements TapeReader {
  private readonly file: ReadStream;
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly parser: TapeTextParser;
  private headerValue: TapeHeader | null = null;
  private iterated = false;
  private closed = false;
  /** The part of the last read not yet given to the parser (see `feedPiece`). */
  private rest: Buffer | null = null;
  private readonly counters = { linesRead: 0, linesInFlight: 0, maxLinesInFlight: 0, maxBufferedChars: 0 };

  constructor(
    readonly path: string,
    handle: FileHandle,
    private readonly gzip: boolean,
    private readonly batchSize: number,
    maxLineBytes: number | undefined,
    readChunk: number,
  ) {
    this.file = handle.createReadStream({ start: 0, highWaterMark: readChunk });
    const source = gzip
      ? pipeline(this.file, createGunzip({ chunkSize: Math.min(256 * 1024, readChunk) }), () => {
          // Errors reach the consumer through the gunzip stream's iterator; nothing to do here.
        })
      : this.file;
    this.chunks = source[Symbol.asyncIterator]();
    this.parser = new TapeTextParser({ file: path, maxLineBytes: maxLineBytes ?? DEFAULT_MAX_LINE_BYTES });
  }

  get header(): TapeHeader {
    if (this.headerValue === null) throw new L2hError('tape header read before open', { code: 'INTERNAL' });
    return this.headerValue;
  }

  get stats(): TapeReaderStats {
    return { ...this.counters, bytesRead: this.file.bytesRead, gzip: this.gzip };
  }

  async readHeader(): Promise<void> {
    for (;;) {
      const header = this.parser.takeHeader();
      if (header !== null) {
        this.headerValue = header;
        return;
      }
      if (!(await this.pull())) {
        this.parser.assertEnded();
        this.headerValue = this.parser.header();
        return;
      }
    }
  }

  async *batches(): AsyncGenerator<readonly TapeLine[]> {
    if (this.iterated) throw new L2hError('a TapeReader can be iterated once', { code: 'INTERNAL' });
    this.iterated = true;
    const c = this.counters;
    try {
      let ended = false;
      while (!ended) {
        const batch: TapeLine[] = [];
        while (batch.length < this.batchSize) {
          this.parser.takeLines(this.batchSize - batch.length, batch);
          if (batch.length === this.batchSize) break;
          if (!(await this.pull())) {
            this.parser.assertEnded();
            ended = true;
            break;
          }
        }
        if (batch.length === 0) break;
        c.linesRead += batch.length;
        c.linesInFlight = batch.length;
        if (batch.length > c.maxLinesInFlight) c.maxLinesInFlight = batch.length;
        yield batch;
        // The consumer asked for the next batch: it is done with this one.
        c.linesInFlight = 0;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.file.destroy();
    await this.chunks.return?.();
  }

  /**
   * Give the parser a read PARSE_PIECE_BYTES at a time, the rest kept for the next pull. V8
   * allocates a longer string in large-object space, and there decoding it and searching it for
   * line ends ran several times slower (measured on 1M tape lines: split in 300–600 ms from
   * 1 MiB texts, 80–180 ms from 64 KiB ones; the simulator's --speed max was a third faster).
   */
  private feedPiece(bytes: Buffer): void {
    // Inside a line longer than a piece, the rest of the read goes at once: each feed makes the
    // parser search the unfinished line again from its start, so pieces would make a 4 MiB line
    // cost a search per 64 KiB of it.
    const piece = this.parser.bufferedChars >= PARSE_PIECE_BYTES ? bytes.length : PARSE_PIECE_BYTES;
    if (bytes.length > piece) {
      this.rest = bytes.subarray(piece);
      this.parser.feed(bytes.toString('latin1', 0, piece));
    } else {
      this.rest = null;
      this.parser.feed(bytes.toString('latin1'));
    }
    const buffered = this.parser.bufferedChars;
    if (buffered > this.counters.maxBufferedChars) this.counters.maxBufferedChars = buffered;
  }

  /** Feed the next piece to the parser; false at the end of the file. */
  private async pull(): Promise<boolean> {
    if (this.rest !== null) {
      this.feedPiece(this.rest);
      return true;
    }
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      throw readError(this.path, this.gzip, err);
    }
    if (next.done) return false;
    this.feedPiece(next.value);
    return true;
  }
}

async function openForRead(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw inputError('tape not found', { file: path });
    if (isErrno(err, 'EISDIR')) throw inputError('tape path is a directory, not a file', { file: path });
    throw ioError('cannot open the tape', path, err);
  }
}

function readError(path: string, gzip: boolean, err: unknown): L2hError {
  if (gzip && err instanceof Error && 'code' in err && String(err.code).startsWith('Z_')) {
    return new L2hError(`the gzip tape is corrupt or truncated: ${err.message}`, {
      code: 'BAD_INPUT',
      cause: err,
      context: { file: path },
    });
  }
  return ioError('cannot read the tape', path, err);
}

function ioError(what: string, path: string, err: unknown): L2hError {
  if (err instanceof L2hError) return err;
  return new L2hError(`${what}: ${errorMessage(err)}`, { code: 'IO', cause: err, context: { file: path } });
}
