import type { DecodeError } from './decode-error.js';
import type { FieldReader } from './scan.js';
import {
  formatInteger,
  formatIsoDate,
  formatLastText,
  formatNumber,
  formatText,
  formatValue,
  joinFields,
} from './values.js';

/**
 * Level 2 data messages (IQFEED-PROTOCOL.md §6): market by order `3 4 6 0` and `5`, market by
 * price `7 8` and `9`, the legacy market-maker rows `Z 2` (6.0/6.1) and `U` (no protocol set),
 * the market-maker name `M`, no-depth `q` and the deprecated bare `O`. Every 6.2 data line ends
 * in a comma. Price, size and precision of the book messages are required (a book cannot apply
 * a row without them); ids, MMIDs, times and dates may be empty, as real Nasdaq rows show.
 *
 * These decoders are the collector's hot path: each reads its fields in order with the shared
 * FieldReader and builds one object literal, so every message of a type has the same shape.
 */

export type Side = 'A' | 'B';

// ── Market by order ─────────────────────────────────────────────────────────────────────────

/** `3` add, `4` update, `6` summary (snapshot row), `0` price-level order (purpose unknown). */
export interface OrderMessage {
  readonly Type: '0' | '3' | '4' | '6';
  readonly Symbol: string;
  /** Null on Nasdaq market-maker rows, which are keyed by MMID instead. */
  readonly 'Order ID': number | null;
  readonly MMID: string | null;
  readonly Side: Side;
  readonly Price: number;
  readonly 'Order Size': number;
  readonly 'Order Priority': number | null;
  /** Decimals of the price as the exchange quotes it. */
  readonly Precision: number;
  readonly 'Order Time': string | null;
  readonly 'Order Date': string | null;
}

/** `5` order delete: no price or size; the book must remember them. */
export interface OrderDeleteMessage {
  readonly Type: '5';
  readonly Symbol: string;
  readonly 'Order ID': number | null;
  readonly MMID: string | null;
  readonly Side: Side;
  readonly 'Order Time': string | null;
  readonly 'Order Date': string | null;
}

export function decodeOrder(r: FieldReader, type: OrderMessage['Type']): OrderMessage | DecodeError {
  const m: OrderMessage = {
    Type: type,
    Symbol: r.symbol('Symbol'),
    'Order ID': r.integer('Order ID'),
    MMID: r.text('MMID'),
    Side: r.side('Side'),
    Price: r.requiredNumber('Price'),
    'Order Size': r.requiredInteger('Order Size'),
    'Order Priority': r.integer('Order Priority'),
    Precision: r.requiredInteger('Precision'),
    'Order Time': r.time('Order Time'),
    'Order Date': r.isoDate('Order Date'),
  };
  return r.error ?? m;
}

export function decodeOrderDelete(r: FieldReader): OrderDeleteMessage | DecodeError {
  const m: OrderDeleteMessage = {
    Type: '5',
    Symbol: r.symbol('Symbol'),
    'Order ID': r.integer('Order ID'),
    MMID: r.text('MMID'),
    Side: r.side('Side'),
    'Order Time': r.time('Order Time'),
    'Order Date': r.isoDate('Order Date'),
  };
  return r.error ?? m;
}

function formatDate(what: string, value: string | null): string {
  return value === null ? '' : formatIsoDate(what, value);
}

export function encodeOrder(m: OrderMessage): string {
  return joinFields(
    [
      m.Type,
      formatText('Symbol', m.Symbol),
      formatValue('integer', 'Order ID', m['Order ID']),
      formatValue('text', 'MMID', m.MMID),
      m.Side,
      formatNumber('Price', m.Price),
      formatInteger('Order Size', m['Order Size']),
      formatValue('integer', 'Order Priority', m['Order Priority']),
      formatInteger('Precision', m.Precision),
      formatValue('time', 'Order Time', m['Order Time']),
      formatDate('Order Date', m['Order Date']),
    ],
    true,
  );
}

export function encodeOrderDelete(m: OrderDeleteMessage): string {
  return joinFields(
    [
      '5',
      formatText('Symbol', m.Symbol),
      formatValue('integer', 'Order ID', m['Order ID']),
      formatValue('text', 'MMID', m.MMID),
      m.Side,
      formatValue('time', 'Order Time', m['Order Time']),
      formatDate('Order Date', m['Order Date']),
    ],
    true,
  );
}

// ── Market by price ─────────────────────────────────────────────────────────────────────────

/** `7` summary (snapshot row) and `8` update of one price level; Size and Order Count are totals. */
export interface PriceLevelMessage {
  readonly Type: '7' | '8';
  readonly Symbol: string;
  readonly Side: Side;
  readonly Price: number;
  readonly Size: number;
  readonly 'Order Count': number | null;
  readonly Precision: number;
  readonly Time: string | null;
  readonly Date: string | null;
}

/** `9` price level delete, in the C# client's layout (with Price; no real line is known). */
export interface PriceLevelDeleteMessage {
  readonly Type: '9';
  readonly Symbol: string;
  readonly Side: Side;
  readonly Price: number;
  readonly Time: string | null;
  readonly Date: string | null;
}

export function decodePriceLevel(
  r: FieldReader,
  type: PriceLevelMessage['Type'],
): PriceLevelMessage | DecodeError {
  const m: PriceLevelMessage = {
    Type: type,
    Symbol: r.symbol('Symbol'),
    Side: r.side('Side'),
    Price: r.requiredNumber('Price'),
    Size: r.requiredInteger('Size'),
    'Order Count': r.integer('Order Count'),
    Precision: r.requiredInteger('Precision'),
    Time: r.time('Time'),
    Date: r.isoDate('Date'),
  };
  return r.error ?? m;
}

export function decodePriceLevelDelete(r: FieldReader): PriceLevelDeleteMessage | DecodeError {
  const m: PriceLevelDeleteMessage = {
    Type: '9',
    Symbol: r.symbol('Symbol'),
    Side: r.side('Side'),
    Price: r.requiredNumber('Price'),
    Time: r.time('Time'),
    Date: r.isoDate('Date'),
  };
  return r.error ?? m;
}

export function encodePriceLevel(m: PriceLevelMessage): string {
  return joinFields(
    [
      m.Type,
      formatText('Symbol', m.Symbol),
      m.Side,
      formatNumber('Price', m.Price),
      formatInteger('Size', m.Size),
      formatValue('integer', 'Order Count', m['Order Count']),
      formatInteger('Precision', m.Precision),
      formatValue('time', 'Time', m.Time),
      formatDate('Date', m.Date),
    ],
    true,
  );
}

export function encodePriceLevelDelete(m: PriceLevelDeleteMessage): string {
  return joinFields(
    [
      '9',
      formatText('Symbol', m.Symbol),
      m.Side,
      formatNumber('Price', m.Price),
      formatValue('time', 'Time', m.Time),
      formatDate('Date', m.Date),
    ],
    true,
  );
}

// ── Legacy market maker (protocol 6.0/6.1, and none) ────────────────────────────────────────

/** `Z` summary and `2` update: one market maker's two-sided quote (§6.4). */
export interface MarketMakerMessage {
  readonly Type: 'Z' | '2';
  readonly Symbol: string;
  readonly MMID: string;
  readonly Bid: number | null;
  readonly Ask: number | null;
  readonly 'Bid Size': number | null;
  readonly 'Ask Size': number | null;
  readonly 'Bid Time': string | null;
  readonly Date: string | null;
  readonly 'Condition Code': string | null;
  readonly 'Ask Time': string | null;
  /** `T`/`F`: whether that side's quote is usable. */
  readonly 'Bid Info Valid': string | null;
  readonly 'Ask Info Valid': string | null;
  readonly 'End Of Message Group': string | null;
}

/**
 * `U`: what IQConnect sends when no protocol was set (§6.5). Columns after Date are not
 * documented anywhere, hence the provisional names. `99:99:99` means no time; `0.` prices with
 * `F` flags mean no quote.
 */
export interface LegacyMarketMakerMessage {
  readonly Type: 'U';
  readonly Symbol: string;
  readonly MMID: string;
  readonly Bid: number | null;
  readonly Ask: number | null;
  readonly 'Bid Size': number | null;
  readonly 'Ask Size': number | null;
  readonly 'Bid Time': string | null;
  readonly Date: string | null;
  readonly 'Unknown 9': string | null;
  readonly 'Condition Code?': string | null;
  readonly 'Unknown 11': string | null;
  readonly 'Ask Time': string | null;
  readonly 'Bid Valid?': string | null;
  readonly 'Ask Valid?': string | null;
}

export function decodeMarketMaker(
  r: FieldReader,
  type: MarketMakerMessage['Type'],
): MarketMakerMessage | DecodeError {
  const m: MarketMakerMessage = {
    Type: type,
    Symbol: r.symbol('Symbol'),
    MMID: r.required('MMID', 'a market maker id'),
    Bid: r.number('Bid'),
    Ask: r.number('Ask'),
    'Bid Size': r.integer('Bid Size'),
    'Ask Size': r.integer('Ask Size'),
    'Bid Time': r.time('Bid Time'),
    Date: r.isoDate('Date'),
    'Condition Code': r.text('Condition Code'),
    'Ask Time': r.time('Ask Time'),
    'Bid Info Valid': r.text('Bid Info Valid'),
    'Ask Info Valid': r.text('Ask Info Valid'),
    'End Of Message Group': r.text('End Of Message Group'),
  };
  return r.error ?? m;
}

export function decodeLegacyMarketMaker(r: FieldReader): LegacyMarketMakerMessage | DecodeError {
  const m: LegacyMarketMakerMessage = {
    Type: 'U',
    Symbol: r.symbol('Symbol'),
    MMID: r.required('MMID', 'a market maker id'),
    Bid: r.number('Bid'),
    Ask: r.number('Ask'),
    'Bid Size': r.integer('Bid Size'),
    'Ask Size': r.integer('Ask Size'),
    'Bid Time': r.time('Bid Time'),
    Date: r.isoDate('Date'),
    'Unknown 9': r.text('Unknown 9'),
    'Condition Code?': r.text('Condition Code?'),
    'Unknown 11': r.text('Unknown 11'),
    'Ask Time': r.time('Ask Time'),
    'Bid Valid?': r.text('Bid Valid?'),
    'Ask Valid?': r.text('Ask Valid?'),
  };
  return r.error ?? m;
}

export function encodeMarketMaker(m: MarketMakerMessage): string {
  return joinFields(
    [
      m.Type,
      formatText('Symbol', m.Symbol),
      formatText('MMID', m.MMID),
      formatValue('price', 'Bid', m.Bid),
      formatValue('price', 'Ask', m.Ask),
      formatValue('integer', 'Bid Size', m['Bid Size']),
      formatValue('integer', 'Ask Size', m['Ask Size']),
      formatValue('time', 'Bid Time', m['Bid Time']),
      formatDate('Date', m.Date),
      formatValue('text', 'Condition Code', m['Condition Code']),
      formatValue('time', 'Ask Time', m['Ask Time']),
      formatValue('text', 'Bid Info Valid', m['Bid Info Valid']),
      formatValue('text', 'Ask Info Valid', m['Ask Info Valid']),
      formatValue('text', 'End Of Message Group', m['End Of Message Group']),
    ],
    true,
  );
}

export function encodeLegacyMarketMaker(m: LegacyMarketMakerMessage): string {
  return joinFields(
    [
      'U',
      formatText('Symbol', m.Symbol),
      formatText('MMID', m.MMID),
      formatValue('price', 'Bid', m.Bid),
      formatValue('price', 'Ask', m.Ask),
      formatValue('integer', 'Bid Size', m['Bid Size']),
      formatValue('integer', 'Ask Size', m['Ask Size']),
      formatValue('time', 'Bid Time', m['Bid Time']),
      formatDate('Date', m.Date),
      formatValue('text', 'Unknown 9', m['Unknown 9']),
      formatValue('text', 'Condition Code?', m['Condition Code?']),
      formatValue('text', 'Unknown 11', m['Unknown 11']),
      formatValue('time', 'Ask Time', m['Ask Time']),
      formatValue('text', 'Bid Valid?', m['Bid Valid?']),
      formatValue('text', 'Ask Valid?', m['Ask Valid?']),
    ],
    true,
  );
}

// ── Replies and noise ───────────────────────────────────────────────────────────────────────

/** `M,<MMID>,<description>`: reply to `m<MMID>`. */
export interface MarketMakerNameMessage {
  readonly Type: 'M';
  readonly MMID: string;
  readonly Description: string | null;
}

/** `q,<SYMBOL>`: the symbol exists but has no depth now. */
export interface NoDepthMessage {
  readonly Type: 'q';
  readonly Symbol: string;
}

/** Bare `O`: deprecated; every client ignores it, but it is journaled like any line. */
export interface DeprecatedMessage {
  readonly Type: 'O';
}

export function decodeMarketMakerName(r: FieldReader): MarketMakerNameMessage | DecodeError {
  const mmid = r.required('MMID', 'a market maker id');
  const description = r.rest('Description', false);
  if (r.error !== null) return r.error;
  return { Type: 'M', MMID: mmid, Description: description };
}

export function decodeNoDepth(r: FieldReader): NoDepthMessage | DecodeError {
  const symbol = r.symbol('Symbol');
  if (r.error !== null) return r.error;
  return { Type: 'q', Symbol: symbol };
}

const DEPRECATED: DeprecatedMessage = Object.freeze({ Type: 'O' });

export function decodeDeprecated(): DeprecatedMessage {
  return DEPRECATED;
}

export function encodeMarketMakerName(m: MarketMakerNameMessage): string {
  return `M,${formatText('MMID', m.MMID)},${formatLastText('Description', m.Description ?? '', false)}`;
}

export function encodeNoDepth(m: NoDepthMessage): string {
  return `q,${formatText('Symbol', m.Symbol)}`;
}

export function encodeDeprecated(_m: DeprecatedMessage): string {
  return 'O';
}
