/**
 * The text of a tape (CONTRACTS §1), shared by the tape writer and the journal so both write the
 * same bytes. Text is latin1 (one char per byte): a char above U+00FF cannot be stored without
 * changing the line, and a `\n` would end it early, so both are refused rather than mangled.
 */
import { inputError, type L2hError } from '../../common/errors.js';
import type { Channel } from '../protocol/channel.js';

export const TAPE_MAGIC = '#l2tape';
export const TAPE_VERSION = 1;

/** Header key/value pairs in file order, without the leading `#`. */
export type HeaderEntries = readonly (readonly [string, string])[];

/** The `\t<channel>\t` between offset and line, as bytes, copied into a line without a string. */
export const CHANNEL_FIELD: Readonly<Record<Channel, Uint8Array>> = {
  L1: Buffer.from('\tL1\t', 'latin1'),
  L2: Buffer.from('\tL2\t', 'latin1'),
  ADMIN: Buffer.from('\tADMIN\t', 'latin1'),
};

/** The most bytes `writeLineHead` and the final `\n` add to a line: 16 digits, `\tADMIN\t`, `\n`. */
export const LINE_FRAMING_BYTES = 32;

/** The longest line a tape reader takes by default (the parser's limit, here so the writer shares it). */
export const TAPE_MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Write `<offset>\t<channel>\t` at `pos` and return the position after it. Digits are
 * written directly: building the offset as a string per line cost more than the whole rest of
 * a write (allocation and GC on the hot path). `offsetUs` must satisfy `isOffsetUs`, and
 * `field` be a `CHANNEL_FIELD` value; `buf` must have room.
 */
export function writeLineHead(buf: Buffer, pos: number, offsetUs: number, field: Uint8Array): number {
  let digits = 1;
  for (let p = 10; p <= offsetUs; p *= 10) digits++;
  let n = offsetUs;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  let at = pos + digits;
  for (let k = 0; k < field.length; k++) buf[at++] = field[k];
  return at;
}

// One scan finds both things a tape cannot hold: a line terminator and a char wider than a byte.
const UNSTORABLE = /[\n\u0100-\uffff]/;
const HEADER_KEY = /^[^\s#][^\s]*$/;

/** True when `line` can be stored byte for byte in a tape (the hot-path check). */
export function isStorableLine(line: string): boolean {
  return !UNSTORABLE.test(line);
}

/**
 * The BAD_INPUT error for a line that `isStorableLine` refused. `where` names the writer (file
 * or journal session) for the message.
 */
export function unstorableLineError(
  line: string,
  where: Readonly<Record<string, string | number>>,
): L2hError {
  const nl = line.indexOf('\n');
  if (nl !== -1) {
    return inputError(
      'a tape line cannot contain a line feed (\\n): it would split into two lines',
      { ...where, at: nl, text: preview(line) },
      'split the text into separate protocol lines before writing them',
    );
  }
  return inputError(
    'a tape line holds latin1 text (one char per byte); this line has a char above U+00FF',
    { ...where, text: preview(line) },
    'decode socket bytes as latin1, not UTF-8',
  );
}

export function isChannel(value: unknown): value is Channel {
  return value === 'L1' || value === 'L2' || value === 'ADMIN';
}

/** `#l2tape 1\n#key value\n…`; refuses keys and values that would not read back the same. */
export function formatHeader(entries: HeaderEntries, where: Readonly<Record<string, string>>): string {
  let text = `${TAPE_MAGIC} ${TAPE_VERSION}\n`;
  for (const [key, value] of entries) {
    if (!HEADER_KEY.test(key) || key === TAPE_MAGIC.slice(1)) {
      throw inputError(
        'a tape header key must be one word without "#" or spaces, and not "l2tape"',
        { ...where, key },
        'the writer adds "#l2tape 1" itself; pass keys like "symbols" or "l2"',
      );
    }
    if (UNSTORABLE.test(value) || value.includes('\r')) {
      throw inputError('a tape header value must be one latin1 line', {
        ...where,
        key,
        value: preview(value),
      });
    }
    const line = value === '' ? `#${key}` : `#${key} ${value}`;
    // A header line the reader would refuse must not be written: the tape could not be read back.
    if (line.length > TAPE_MAX_LINE_BYTES) {
      throw inputError(
        `a tape header line of ${line.length} bytes is longer than a tape reader takes (${TAPE_MAX_LINE_BYTES})`,
        { ...where, key },
        'keep header values short: put large data in the tape body or beside the tape',
      );
    }
    text += `${line}\n`;
  }
  return text;
}

/** A short, printable excerpt of a line for an error message. */
export function preview(line: string): string {
  const cut = line.length > 80 ? `${line.slice(0, 80)}…` : line;
  return JSON.stringify(cut);
}

/** Minimal valid offset: a whole, non-negative, exactly representable number of microseconds. */
export function isOffsetUs(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
