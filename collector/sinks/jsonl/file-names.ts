/**
 * JSONL file names (CONTRACTS §2): `<SYMBOL>_<kind>_<YYYYMMDD>.jsonl`, kind `l2`, `l1`, `ticks`
 * or `gaps`, the day taken from the record's timestamp.
 *
 * Symbols may hold characters a file name cannot (`/`) or should not (`#` in `@ES#`, `%`, spaces,
 * a leading `.`), so the symbol part is escaped like a URI component, reversibly:
 * - `A–Z a–z 0–9 . _ -` stay as they are (except a leading `.`);
 * - every other character becomes `%XX` per byte of its UTF-8 form, upper-case hex
 *   (`@ES#` → `%40ES%23`, `BRK/A` → `BRK%2FA`, `%` → `%25`);
 * - `symbolFromFileName` undoes it (`decodeURIComponent`).
 * `_` stays in the symbol: the kind and day are read from the right, so the name still parses.
 * On a case-insensitive file system (macOS, Windows) `abc` and `ABC` would share a file; IQFeed
 * symbols are upper case.
 */
import type { RecordKind } from '../../records/types.js';

const PLAIN = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const FILE_NAME = /^(.+)_(l2|l1|ticks|gaps)_(\d{8})\.jsonl$/;

function escapeChar(c: string): string {
  return [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** The symbol as it appears in a file name. */
export function fileSymbol(symbol: string): string {
  if (PLAIN.test(symbol)) return symbol;
  let out = '';
  // By code point: a character outside the BMP is one character, escaped as its four UTF-8 bytes.
  for (const c of symbol) out += /[A-Za-z0-9_-]/.test(c) || (c === '.' && out !== '') ? c : escapeChar(c);
  return out;
}

export function symbolFromFileName(escaped: string): string {
  return decodeURIComponent(escaped);
}

export function jsonlFileName(symbol: string, kind: RecordKind, day: string): string {
  return `${fileSymbol(symbol)}_${kind}_${day}.jsonl`;
}

export interface JsonlFileName {
  readonly symbol: string;
  readonly kind: RecordKind;
  readonly day: string;
}

/** The parts of a JSONL file name, or null for any other file. */
export function parseJsonlFileName(name: string): JsonlFileName | null {
  const m = FILE_NAME.exec(name);
  if (m === null) return null;
  try {
    return { symbol: symbolFromFileName(m[1]), kind: m[2] as RecordKind, day: m[3] };
  } catch {
    return null;
  }
}
