import type { Channel } from './channel.js';

/**
 * What a decoder returns instead of a message when a line is malformed. It is a value, not an
 * exception: the collector journals every line whatever it contains, and a bad line must never
 * stop the feed. `index` counts fields from 0 (the message type), as IQFEED-PROTOCOL.md §7.2 does.
 */
export interface DecodeError {
  /** One readable sentence: which field of which line, what was expected, what was there. */
  readonly error: string;
  readonly channel: Channel;
  /** The whole line as received (terminator removed). */
  readonly line: string;
  /** DTN's name of the offending field, or null when the line as a whole is at fault. */
  readonly field: string | null;
  readonly index: number | null;
  readonly expected: string;
  /** The offending text (clipped to 80 characters), or null when the field is missing. */
  readonly got: string | null;
}

const CLIP = 80;

function clip(text: string): string {
  return text.length <= CLIP ? text : `${text.slice(0, CLIP)}… (${text.length} chars)`;
}

export function decodeError(
  channel: Channel,
  line: string,
  field: string | null,
  index: number | null,
  expected: string,
  got: string | null,
): DecodeError {
  const clipped = got === null ? null : clip(got);
  const where = field === null ? 'line' : `${field} (field ${index})`;
  const found = clipped === null ? 'nothing: the line ends before it' : JSON.stringify(clipped);
  return {
    error: `${channel} ${where}: expected ${expected}, got ${found} in ${JSON.stringify(clip(line))}`,
    channel,
    line,
    field,
    index,
    expected,
    got: clipped,
  };
}

/** Decoded messages use DTN's capitalised names (`Error` on an `E` line), never `error`. */
export function isDecodeError(value: unknown): value is DecodeError {
  return typeof value === 'object' && value !== null && 'error' in value && 'expected' in value;
}
