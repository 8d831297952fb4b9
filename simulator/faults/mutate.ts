/**
 * The bytes of each fault: how a line is corrupted or truncated, where it is split, and what
 * the inserted lines hold. Pure functions of the line and the fault's own seeded PRNG.
 *
 * Every line made here is a line a correct client frames back exactly as sent: no LF inside and
 * no CR at the end (the framing strips one trailing CR, IQFEED-PROTOCOL.md §1.1), and never
 * empty. That keeps "what was sent" and "what must be journaled" the same text.
 */
import type { Prng } from '../prng.js';
import { timestampLine } from '../sim-time.js';

const PRINTABLE_FIRST = 0x21;
const PRINTABLE_SPAN = 0x7e - 0x21 + 1;

/** Junk a field may be replaced by: wrong type, out of range, empty, absurd. */
const JUNK_FIELDS = [
  '#BAD#',
  '',
  '-',
  'NaN',
  '1e999',
  '-0.0.0',
  '99:99:99',
  '9999999999999999999999',
  'ÿþ',
  'x',
];

/**
 * One comma-separated field replaced by junk (the type field only when the line has no other).
 * A given `field` past the last one means the last one.
 */
export function corruptLine(line: string, prng: Prng, field?: number): { line: string; field: number } {
  const fields = line.split(',');
  // IQFeed ends data lines with a comma (IQFEED-PROTOCOL.md §1.3): the empty slot after it is no
  // field, and junk put there would leave every field intact and only lengthen the line.
  const real = line.endsWith(',') && fields.length > 1 ? fields.length - 1 : fields.length;
  const index = field !== undefined ? Math.min(field, real - 1) : real > 1 ? 1 + prng.below(real - 1) : 0;
  let junk = JUNK_FIELDS[prng.below(JUNK_FIELDS.length)]!;
  if (junk === fields[index]) junk = junk === '#BAD#' ? 'x' : '#BAD#';
  fields[index] = junk;
  return { line: nonEmpty(fields.join(',')), field: index };
}

/**
 * The line cut to `keep` bytes (seeded when not given), at most length − 1. Never to 0: an empty
 * line frames as nothing, so the fault would be a drop (the spec refuses `keep: 0`).
 */
export function truncateLine(line: string, prng: Prng, keep?: number): string {
  if (line.length <= 1) return line;
  const k =
    keep !== undefined ? Math.max(1, Math.min(keep, line.length - 1)) : 1 + prng.below(line.length - 1);
  return line.slice(0, k);
}

/** Where to cut `line + terminator` in two writes: 1 … length−1 (inside CRLF is allowed). */
export function splitPoint(line: string, terminator: string, prng: Prng, byte?: number): number {
  const total = line.length + terminator.length;
  if (byte !== undefined) return Math.max(1, Math.min(byte, total - 1));
  return 1 + prng.below(total - 1);
}

/** Printable junk of `n` bytes. */
export function garbageLine(n: number, prng: Prng): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(PRINTABLE_FIRST + prng.below(PRINTABLE_SPAN));
  return s;
}

/** Arbitrary bytes (latin1), `n` of them: any byte but LF, and no CR at the end. */
export function binaryLine(n: number, prng: Prng): string {
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let b = prng.below(256);
    if (b === 10) b = 0;
    codes[i] = b;
  }
  if (codes[n - 1] === 13) codes[n - 1] = 0;
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...codes.slice(i, i + 8192));
  return s;
}

/**
 * One line of `n` bytes that starts like a depth update of `symbol`, so a client that trusts the
 * type field has to cope with a field of a megabyte.
 */
export function oversizedLine(n: number, symbol: string | null, prng: Prng): string {
  const head = `8,${symbol ?? 'XXXX'},B,`;
  const chunk = garbageLine(64, prng).replaceAll(',', '.');
  const body = chunk.repeat(Math.ceil(Math.max(0, n - head.length) / chunk.length));
  return (head + body).slice(0, Math.max(1, n));
}

/** A `T,` line `backMs` before simulated time `simUs`. */
export function backwardsTimestamp(simUs: number, backMs: number): string {
  return timestampLine(simUs - backMs * 1000);
}

/** A line of a type IQFeed does not have (no IQFeed message starts with `K`). */
export function unknownTypeLine(symbol: string | null): string {
  return `K,${symbol ?? 'XXXX'},l2h unknown message type,1,2,3,`;
}

function nonEmpty(line: string): string {
  return line === '' ? '#BAD#' : line;
}
