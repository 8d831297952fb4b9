import type { DecodeError } from './decode-error.js';
import type { FieldReader } from './scan.js';
import { formatLastText, formatText, isoToCompactDateTime } from './values.js';

/**
 * Messages every streaming port sends in the same form (IQFEED-PROTOCOL.md §5.8, §5.9, §6.2):
 * the `T` timestamp, `n` symbol not found and `E` error. No trailing comma on T and n; E
 * carries one ([real] CS#143).
 */

/** `T,YYYYMMDD HH:MM:SS`, once a second unless `S,TIMESTAMPSOFF`. */
export interface TimestampMessage {
  readonly Type: 'T';
  /** ISO `YYYY-MM-DDTHH:MM:SS`, US Eastern. */
  readonly Timestamp: string;
}

/** `n,<SYMBOL>`: the watched symbol does not exist. */
export interface SymbolNotFoundMessage {
  readonly Type: 'n';
  readonly Symbol: string;
}

/** `E,<text>[,]`: free text, which may contain commas. */
export interface ErrorMessage {
  readonly Type: 'E';
  readonly Error: string | null;
}

export function decodeTimestamp(r: FieldReader): TimestampMessage | DecodeError {
  const timestamp = r.compactDateTime('Timestamp', true, true);
  if (r.error !== null) return r.error;
  return { Type: 'T', Timestamp: timestamp! };
}

export function decodeSymbolNotFound(r: FieldReader): SymbolNotFoundMessage | DecodeError {
  const symbol = r.symbol('Symbol');
  if (r.error !== null) return r.error;
  return { Type: 'n', Symbol: symbol };
}

export function decodeErrorMessage(r: FieldReader): ErrorMessage | DecodeError {
  const text = r.rest('Error', false);
  if (r.error !== null) return r.error;
  return { Type: 'E', Error: text };
}

export function encodeTimestamp(m: TimestampMessage): string {
  return `T,${isoToCompactDateTime('Timestamp', m.Timestamp, true)}`;
}

export function encodeSymbolNotFound(m: SymbolNotFoundMessage): string {
  return `n,${formatText('Symbol', m.Symbol)}`;
}

export function encodeErrorMessage(m: ErrorMessage): string {
  return `E,${formatLastText('Error', m.Error ?? '', true)}`;
}
