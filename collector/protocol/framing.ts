import type { Channel } from './channel.js';

/**
 * Line framing over a TCP byte stream (IQFEED-PROTOCOL.md §1.1). IQConnect ends lines in `\n`
 * on Level 1 and admin and in `\r\n` on Level 2; the collector rule is the same for all ports:
 * split on `\n`, strip one trailing `\r`. A chunk may end anywhere, including between `\r` and
 * `\n`; the lines come out the same whatever the chunking.
 */

/** What IQConnect ends its lines with, per port (§1.1). Clients send `\r\n` (§1.2). */
export const SERVER_TERMINATORS: Readonly<Record<Channel, string>> = { L1: '\n', L2: '\r\n', ADMIN: '\n' };

export const CLIENT_TERMINATOR = '\r\n';

export interface LineFramerOptions {
  /** Longest line emitted in one piece, in bytes (default 4 MiB). */
  readonly maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

const LF = 10;
const CR = 13;

/**
 * Splits a byte stream into lines, as latin1 strings (one char per byte, so any byte survives
 * the trip to the journal and back).
 *
 * Oversized lines: a line longer than `maxLineBytes` (terminator excluded) is emitted as
 * consecutive pieces of exactly `maxLineBytes` bytes, the last one shorter; concatenated, the
 * pieces are the line. Memory stays bounded (at most `maxLineBytes + 1` bytes are held while a
 * line is incomplete, the extra byte being a possible `\r`), no byte is lost, and where the
 * cuts fall depends only on the line, not on the chunking. `oversizedLines` counts such lines
 * and `oversizedPieces` the pieces they produced.
 */
export class LineFramer {
  readonly maxLineBytes: number;
  oversizedLines = 0;
  oversizedPieces = 0;
  /** The incomplete line so far, in chunks; `pendingLength` bytes in all. */
  private pending: string[] = [];
  private pendingLength = 0;
  /** Whether the incomplete line has already been cut (so it counts once). */
  private cutting = false;

  constructor(options: LineFramerOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${max}`);
    }
    this.maxLineBytes = max;
  }

  /** The complete lines in `chunk` (with what came before), terminators removed. */
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      let line = chunk.toString('latin1', start, nl);
      if (this.pendingLength > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
        this.pendingLength = 0;
      }
      if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      this.emit(line, out);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.toString('latin1', start));
      this.pendingLength += chunk.length - start;
      // Keep one byte beyond the limit: it may be the `\r` of a terminator still to come.
      if (this.pendingLength > this.maxLineBytes + 1) this.cutPending(out);
    }
    return out;
  }

  /** The unterminated remainder at end of stream (as received), or null if there is none. */
  end(): string | null {
    if (this.pendingLength === 0) {
      this.cutting = false;
      return null;
    }
    const rest = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (this.cutting) {
      this.oversizedPieces++;
      this.cutting = false;
    }
    return rest;
  }

  /** Emits a complete line, in pieces when it is too long. */
  private emit(line: string, out: string[]): void {
    const max = this.maxLineBytes;
    if (line.length <= max) {
      out.push(line);
      if (this.cutting) {
        this.oversizedPieces++;
        this.cutting = false;
      }
      return;
    }
    this.countCut();
    let i = 0;
    for (; line.length - i > max; i += max) {
      out.push(line.slice(i, i + max));
      this.oversizedPieces++;
    }
    out.push(line.slice(i));
    this.oversizedPieces++;
    this.cutting = false;
  }

  private cutPending(out: string[]): void {
    const max = this.maxLineBytes;
    let text = this.pending.join('');
    this.countCut();
    while (text.length > max + 1) {
      out.push(text.slice(0, max));
      this.oversizedPieces++;
      text = text.slice(max);
    }
    this.pending = [text];
    this.pendingLength = text.length;
  }

  private countCut(): void {
    if (!this.cutting) {
      this.oversizedLines++;
      this.cutting = true;
    }
  }
}
