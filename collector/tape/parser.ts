/**
 * Incremental tape parsing over latin1 text, independent of where the text comes from: the tape
 * reader feeds it file or gunzip chunks, the journal feeds it positional reads of a live
 * segment. Only complete lines (ending in `\n`) are parsed; the unfinished tail stays buffered
 * until more text arrives or the caller decides what an unterminated last line means.
 *
 * Rules (CONTRACTS §1, made strict so a damaged tape fails loudly instead of replaying wrong):
 * - the first line is `#l2tape 1`; any other version is refused;
 * - `#` lines before the first body line are headers (`#key value`, a trailing `\r` dropped);
 *   a `#` line after a body line is an error, because a concatenated or spliced tape would
 *   otherwise pass with its second header silently taken as data;
 * - a body line is `<offset>\t<channel>\t<line>`: offset decimal digits only, non-decreasing;
 *   channel exactly `L1`, `L2` or `ADMIN`; the line is everything after the second TAB, kept
 *   byte for byte (TABs and `\r` included);
 * - the first body line's offset need not be 0, so a slice cut from a longer tape still reads.
 */
import { inputError, type L2hError } from '../../common/errors.js';
import type { Channel } from '../protocol/channel.js';
import { LINE_FRAMING_BYTES, preview, TAPE_MAGIC, TAPE_MAX_LINE_BYTES, TAPE_VERSION } from './format.js';
import { makeTapeHeader, type TapeHeader } from './header.js';

export interface TapeLine {
  readonly offsetUs: number;
  readonly channel: Channel;
  readonly line: string;
  /** 1-based line number in the file, for error messages. */
  readonly lineNo: number;
}

export interface TapeTextParserOptions {
  /** Name of the file in error messages. */
  readonly file: string;
  /**
   * A feed line longer than this (its offset and channel not counted) is refused: a binary or
   * corrupt file. `TapeWriter` refuses to write one longer than the default, so what it writes
   * reads back.
   */
  readonly maxLineBytes?: number;
  /** Parse from the middle of a file: skip the header phase and number lines from here. */
  readonly resumeAt?: { readonly lineNo: number; readonly lastOffsetUs: number };
}

export const DEFAULT_MAX_LINE_BYTES = TAPE_MAX_LINE_BYTES;

/**
 * The most text to feed at once for speed: a longer string goes to V8's large-object space,
 * where decoding it and searching it for line ends ran several times slower (see the readers).
 */
export const PARSE_PIECE_BYTES = 64 * 1024;

const HASH = 35; // '#'
const TAB = '\t';
const MAGIC_LINE = /^#l2tape (\d+)$/;

type Phase = 'magic' | 'header' | 'body';

export class TapeTextParser {
  private text = '';
  private pos = 0;
  private phase: Phase = 'magic';
  private version = 0;
  private readonly entries: (readonly [string, string])[] = [];
  private lineNo = 0;
  private fedChars = 0;
  private lastOffset = 0;
  private readonly file: string;
  private readonly maxLineBytes: number;

  constructor(options: TapeTextParserOptions) {
    this.file = options.file;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (options.resumeAt) {
      this.phase = 'body';
      this.lineNo = options.resumeAt.lineNo;
      this.lastOffset = options.resumeAt.lastOffsetUs;
    }
  }

  /** Add text (latin1) after what is already buffered. */
  feed(chunk: string): void {
    this.fedChars += chunk.length;
    this.text = this.pos === this.text.length ? chunk : this.text.slice(this.pos) + chunk;
    this.pos = 0;
  }

  /** Chars (bytes) consumed from the start of the first fed text: the next line starts here. */
  get consumedChars(): number {
    return this.fedChars - (this.text.length - this.pos);
  }

  /** Chars buffered but not yet parsed: the unfinished tail plus lines not yet taken. */
  get bufferedChars(): number {
    return this.text.length - this.pos;
  }

  /** Line number of the last line parsed (0 before any). */
  get lastLineNo(): number {
    return this.lineNo;
  }

  get lastOffsetUs(): number {
    return this.lastOffset;
  }

  /**
   * Parse header lines from the buffer. Returns the header once the first body line is in
   * sight (not consumed), or null when more text is needed to know.
   */
  takeHeader(): TapeHeader | null {
    while (this.phase !== 'body') {
      const nl = this.text.indexOf('\n', this.pos);
      if (nl === -1) {
        this.checkLineLength();
        return null;
      }
      let raw = this.text.slice(this.pos, nl);
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      if (this.phase === 'magic') {
        this.lineNo++;
        this.pos = nl + 1;
        this.acceptMagic(raw);
        continue;
      }
      if (this.text.charCodeAt(this.pos) !== HASH) {
        this.phase = 'body';
        break;
      }
      this.lineNo++;
      this.pos = nl + 1;
      const space = raw.indexOf(' ');
      this.entries.push(space === -1 ? [raw.slice(1), ''] : [raw.slice(1, space), raw.slice(space + 1)]);
    }
    return this.header();
  }

  /** The header so far (complete once `takeHeader` returned non-null or the input ended). */
  header(): TapeHeader {
    return makeTapeHeader(this.version, this.entries);
  }

  /**
   * Parse up to `max` complete body lines into `out`; returns how many were added. Call
   * `takeHeader` until it returns non-null first.
   */
  takeLines(max: number, out: TapeLine[]): number {
    const text = this.text;
    let pos = this.pos;
    let n = 0;
    while (n < max) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) break;
      const lineNo = this.lineNo + 1;
      const t1 = text.indexOf(TAB, pos);
      const t2 = t1 === -1 || t1 > nl ? -1 : text.indexOf(TAB, t1 + 1);
      if (t2 === -1 || t2 > nl) this.fail(pos, this.bodyError(text.slice(pos, nl), lineNo));
      let offset = 0;
      if (t1 === pos || t1 - pos > 16) this.fail(pos, this.offsetError(text.slice(pos, t1), lineNo));
      for (let i = pos; i < t1; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) this.fail(pos, this.offsetError(text.slice(pos, t1), lineNo));
        offset = offset * 10 + d;
      }
      if (offset > Number.MAX_SAFE_INTEGER) this.fail(pos, this.offsetError(text.slice(pos, t1), lineNo));
      if (offset < this.lastOffset) {
        this.fail(
          pos,
          inputError(
            `tape offsets must not decrease: ${offset} after ${this.lastOffset}`,
            { file: this.file, line: lineNo },
            'offsets are microseconds since the first body line; sort the lines by time',
          ),
        );
      }
      const channel = channelAt(text, t1 + 1, t2);
      if (channel === null) {
        this.fail(
          pos,
          inputError(`unknown channel ${JSON.stringify(text.slice(t1 + 1, t2))}: expected L1, L2 or ADMIN`, {
            file: this.file,
            line: lineNo,
          }),
        );
      }
      this.lineNo = lineNo;
      this.lastOffset = offset;
      out.push({ offsetUs: offset, channel, line: text.slice(t2 + 1, nl), lineNo });
      pos = nl + 1;
      n++;
    }
    this.pos = pos;
    if (n < max) this.checkLineLength();
    return n;
  }

  /**
   * Throws unless all fed text was parsed: a non-empty unparsed tail is a last line without its
   * `\n`, which a writer never leaves, so the file was cut (a crash or a partial copy).
   */
  assertEnded(): void {
    if (this.phase === 'magic') {
      const rest = this.text.slice(this.pos);
      throw this.magicError(rest === '' ? 'the file is empty' : `the first line is ${preview(rest)}`);
    }
    if (this.pos < this.text.length) {
      throw inputError(
        'the tape ends in the middle of a line (no final line feed): it may be truncated',
        { file: this.file, line: this.lineNo + 1, text: preview(this.text.slice(this.pos)) },
        'if the line is complete, end the file with a newline',
      );
    }
  }

  /** Leave the bad line unconsumed, so `consumedChars` is where the damage starts. */
  private fail(pos: number, err: L2hError): never {
    this.pos = pos;
    throw err;
  }

  private acceptMagic(raw: string): void {
    const m = MAGIC_LINE.exec(raw);
    if (!m) throw this.magicError(`the first line is ${preview(raw)}`);
    this.version = Number(m[1]);
    if (this.version !== TAPE_VERSION) {
      throw inputError(`unsupported tape version ${this.version}: this build reads version ${TAPE_VERSION}`, {
        file: this.file,
        line: 1,
      });
    }
    this.phase = 'header';
  }

  private magicError(what: string): L2hError {
    return inputError(`not a tape: ${what}, expected "${TAPE_MAGIC} ${TAPE_VERSION}"`, {
      file: this.file,
      line: 1,
    });
  }

  private bodyError(raw: string, lineNo: number): L2hError {
    if (raw.charCodeAt(0) === HASH) {
      return inputError(
        'a "#" header line after body lines: headers must all come before the first body line',
        { file: this.file, line: lineNo, text: preview(raw) },
        'two tapes concatenated? merge their headers and keep one "#l2tape 1" at the top',
      );
    }
    return inputError('a tape body line must be <offset_us> TAB <channel> TAB <line>', {
      file: this.file,
      line: lineNo,
      text: preview(raw),
    });
  }

  private offsetError(raw: string, lineNo: number): L2hError {
    return inputError(
      `bad offset ${preview(raw)}: expected whole microseconds (decimal digits, at most ${Number.MAX_SAFE_INTEGER})`,
      { file: this.file, line: lineNo },
    );
  }

  private checkLineLength(): void {
    // The text held is one unfinished line: its feed line plus at most the framing around it.
    if (this.text.length - this.pos > this.maxLineBytes + LINE_FRAMING_BYTES) {
      throw inputError(`a line longer than ${this.maxLineBytes} bytes: is this a tape?`, {
        file: this.file,
        line: this.lineNo + 1,
      });
    }
  }
}

function channelAt(text: string, start: number, end: number): Channel | null {
  const len = end - start;
  if (len === 2 && text.charCodeAt(start) === 76 /* L */) {
    const c = text.charCodeAt(start + 1);
    if (c === 50) return 'L2';
    if (c === 49) return 'L1';
    return null;
  }
  if (len === 5 && text.startsWith('ADMIN', start)) return 'ADMIN';
  return null;
}

/**
 * Parse a whole tape held in memory (a test fixture, a small captured session). Large tapes go
 * through `openTape`, which streams.
 */
export function parseTapeText(text: string, file = '<memory>'): { header: TapeHeader; lines: TapeLine[] } {
  const parser = new TapeTextParser({ file, maxLineBytes: Math.max(DEFAULT_MAX_LINE_BYTES, text.length) });
  parser.feed(text);
  parser.takeHeader();
  const lines: TapeLine[] = [];
  parser.takeLines(Number.POSITIVE_INFINITY, lines);
  parser.assertEnded();
  return { header: parser.header(), lines };
}
