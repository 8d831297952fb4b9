import type { DecodeError } from './decode-error.js';
import {
  DEFAULT_UPDATE_FIELDS,
  type FieldSpec,
  type FieldsRecord,
  FUNDAMENTAL_FIELDS,
  FUNDAMENTAL_FIELDS_60,
  normalizeUpdateFields,
  RESERVED,
  updateFieldKind,
} from './fields.js';
import { FieldReader } from './scan.js';
import {
  type FieldValue,
  formatInteger,
  formatLastText,
  formatNumber,
  formatText,
  formatTime,
  formatValue,
  isoToCompactDateTime,
  isoToUsDate,
  joinFields,
  type ValueKind,
} from './values.js';

/**
 * Level 1 data messages (IQFEED-PROTOCOL.md §5): `Q` update and `P` summary over the field list
 * in force, `F` fundamentals (6.1+ and 6.0 layouts), `R` regional quote, `N` news headline and
 * `C` trade correction (both layouts).
 */

// ── Q / P ───────────────────────────────────────────────────────────────────────────────────

/**
 * A `Q` update or `P` summary. Its fields are whatever `S,CURRENT UPDATE FIELDNAMES` said,
 * keyed by DTN's names (`Bid`, `Most Recent Trade`…); every field of the list is present,
 * null when empty.
 */
export interface UpdateMessage {
  readonly Type: 'Q' | 'P';
  readonly Symbol: string;
  readonly [field: string]: FieldValue;
}

/** A Q/P field list prepared for decoding: names with their kinds, Symbol first. */
export class UpdateLayout {
  readonly fields: readonly string[];
  readonly kinds: readonly ValueKind[];
  /** False for a column named `Type`, which would overwrite the message's discriminant. */
  readonly stored: readonly boolean[];

  constructor(fields: readonly string[]) {
    this.fields = normalizeUpdateFields(fields);
    this.kinds = this.fields.map(updateFieldKind);
    this.stored = this.fields.map((name) => name !== 'Type');
  }

  static readonly DEFAULT = new UpdateLayout(DEFAULT_UPDATE_FIELDS);
}

export function decodeUpdate(
  r: FieldReader,
  type: 'Q' | 'P',
  layout: UpdateLayout,
): UpdateMessage | DecodeError {
  const symbol = r.symbol('Symbol');
  const m: { Type: 'Q' | 'P'; Symbol: string; [field: string]: FieldValue } = { Type: type, Symbol: symbol };
  const { fields, kinds, stored } = layout;
  for (let i = 1; i < fields.length && r.error === null; i++) {
    const value = r.value(kinds[i], fields[i]);
    if (stored[i]) m[fields[i]] = value;
  }
  if (r.error !== null) return r.error;
  return m;
}

/**
 * Decodes the few fields of Q and P lines a reader wants into one reused array, and only checks
 * the others: the deriver reads about fifteen fields of an update, and `decodeUpdate` builds an
 * object with a key per field of the list for every line (the L1 hot path). A line is accepted
 * exactly when `decodeUpdate` accepts it, with the same values; for a malformed line `read`
 * returns false and the caller decodes it the general way to get its DecodeError.
 */
export class UpdateFields {
  /** The wanted fields' values after a `read`, in `wanted` order; null when empty or not in the list. */
  readonly values: FieldValue[];
  type: 'Q' | 'P' = 'Q';
  symbol = '';
  private readonly reader = new FieldReader();
  private fields: readonly string[] | null = null;
  private layout: UpdateLayout = UpdateLayout.DEFAULT;
  /** Per field of the list: the index in `values` its value goes to, or -1 (checked only). */
  private slots: Int32Array = new Int32Array(0);

  /** `wanted`: field names other than `Symbol` (which every read gives as `symbol`). */
  constructor(readonly wanted: readonly string[]) {
    this.values = new Array<FieldValue>(wanted.length).fill(null);
  }

  /** A Q or P line (the caller checked its type) over the field list in force. */
  read(line: string, type: 'Q' | 'P', fields: readonly string[]): boolean {
    try {
      return this.readLine(line, type, fields);
    } catch {
      // The general decoder turns an internal fault into a DecodeError; let it.
      return false;
    }
  }

  private readLine(line: string, type: 'Q' | 'P', fields: readonly string[]): boolean {
    if (fields !== this.fields) this.plan(fields);
    const r = this.reader;
    r.reset(line, 'L1', 2, 1);
    const symbol = r.symbol('Symbol');
    const { kinds } = this.layout;
    const names = this.layout.fields;
    const slots = this.slots;
    const values = this.values;
    for (let i = 1; i < names.length && r.error === null; i++) {
      const slot = slots[i];
      if (slot < 0) r.check(kinds[i], names[i]);
      else values[slot] = r.value(kinds[i], names[i]);
    }
    if (r.error !== null) return false;
    this.type = type;
    this.symbol = symbol;
    return true;
  }

  private plan(fields: readonly string[]): void {
    this.fields = fields;
    this.layout = new UpdateLayout(fields);
    const names = this.layout.fields;
    this.slots = new Int32Array(names.length).fill(-1);
    this.values.fill(null);
    for (const [slot, name] of this.wanted.entries()) {
      // As in decodeUpdate, a name listed twice keeps the value of its last column.
      const i = names.lastIndexOf(name);
      if (i > 0 && this.layout.stored[i]) this.slots[i] = slot;
    }
  }
}

/** A Q/P line over `layout`'s field list; fields absent from the message go out empty. */
export function encodeUpdate(m: UpdateMessage, layout: UpdateLayout = UpdateLayout.DEFAULT): string {
  const { fields, kinds } = layout;
  const parts: string[] = [m.Type, formatText('Symbol', m.Symbol)];
  for (let i = 1; i < fields.length; i++) parts.push(formatValue(kinds[i], fields[i], m[fields[i]]));
  return joinFields(parts, true);
}

// ── F ───────────────────────────────────────────────────────────────────────────────────────

type Fundamentals<T extends readonly FieldSpec[]> = { readonly Type: 'F'; readonly Symbol: string } & Omit<
  FieldsRecord<T>,
  'Symbol' | typeof RESERVED
>;

/** `F` from protocol 6.1 on: the 57 fields of `S,FUNDAMENTAL FIELDNAMES`. */
export type FundamentalMessage = Fundamentals<typeof FUNDAMENTAL_FIELDS>;
/** `F` before 6.1: with Short Interest and Market Center, without the 6.1 additions. */
export type FundamentalMessage60 = Fundamentals<typeof FUNDAMENTAL_FIELDS_60>;

/** The F layout a protocol version uses: 6.0 and older have their own (§5.4, §9). */
export function fundamentalLayout(protocol: string | null): readonly FieldSpec[] {
  if (protocol === null) return FUNDAMENTAL_FIELDS;
  const [major, minor] = protocol.split('.').map(Number);
  return major < 6 || (major === 6 && (minor || 0) < 1) ? FUNDAMENTAL_FIELDS_60 : FUNDAMENTAL_FIELDS;
}

export function isFundamental60(m: FundamentalMessage | FundamentalMessage60): m is FundamentalMessage60 {
  return 'Short Interest' in m;
}

export function decodeFundamental(
  r: FieldReader,
  layout: readonly FieldSpec[],
): FundamentalMessage | FundamentalMessage60 | DecodeError {
  const symbol = r.symbol('Symbol');
  const m: Record<string, FieldValue> = { Type: 'F', Symbol: symbol };
  for (let i = 1; i < layout.length && r.error === null; i++) {
    const { name, kind } = layout[i];
    if (name === RESERVED) r.skip(name);
    else m[name] = r.value(kind, name);
  }
  if (r.error !== null) return r.error;
  // The keys are exactly the layout's names, from which both message types are derived.
  return m as unknown as FundamentalMessage | FundamentalMessage60;
}

export function encodeFundamental(m: FundamentalMessage | FundamentalMessage60): string {
  const layout: readonly FieldSpec[] = isFundamental60(m) ? FUNDAMENTAL_FIELDS_60 : FUNDAMENTAL_FIELDS;
  const values = m as unknown as Readonly<Record<string, FieldValue>>;
  const parts: string[] = ['F', formatText('Symbol', m.Symbol)];
  for (let i = 1; i < layout.length; i++) {
    const { name, kind } = layout[i];
    parts.push(name === RESERVED ? '' : formatValue(kind, name, values[name]));
  }
  return joinFields(parts, true);
}

// ── R ───────────────────────────────────────────────────────────────────────────────────────

/** `R` regional quote (§5.5), after `S,REGON`. Times are `HH:MM:SS`. */
export interface RegionalMessage {
  readonly Type: 'R';
  readonly Symbol: string;
  readonly 'Exchange (deprecated)': string | null;
  readonly 'Regional Bid': number | null;
  readonly 'Regional Bid Size': number | null;
  readonly 'Regional Bid Time': string | null;
  readonly 'Regional Ask': number | null;
  readonly 'Regional Ask Size': number | null;
  readonly 'Regional Ask Time': string | null;
  readonly 'Fraction Display Code': number | null;
  readonly 'Decimal Precision': number | null;
  readonly 'Market Center': number | null;
}

export function decodeRegional(r: FieldReader): RegionalMessage | DecodeError {
  const m: RegionalMessage = {
    Type: 'R',
    Symbol: r.symbol('Symbol'),
    'Exchange (deprecated)': r.text('Exchange (deprecated)'),
    'Regional Bid': r.number('Regional Bid'),
    'Regional Bid Size': r.integer('Regional Bid Size'),
    'Regional Bid Time': r.time('Regional Bid Time'),
    'Regional Ask': r.number('Regional Ask'),
    'Regional Ask Size': r.integer('Regional Ask Size'),
    'Regional Ask Time': r.time('Regional Ask Time'),
    'Fraction Display Code': r.integer('Fraction Display Code'),
    'Decimal Precision': r.integer('Decimal Precision'),
    'Market Center': r.integer('Market Center'),
  };
  return r.error ?? m;
}

export function encodeRegional(m: RegionalMessage): string {
  return joinFields(
    [
      'R',
      formatText('Symbol', m.Symbol),
      formatValue('text', 'Exchange (deprecated)', m['Exchange (deprecated)']),
      formatValue('price', 'Regional Bid', m['Regional Bid']),
      formatValue('integer', 'Regional Bid Size', m['Regional Bid Size']),
      formatValue('time', 'Regional Bid Time', m['Regional Bid Time']),
      formatValue('price', 'Regional Ask', m['Regional Ask']),
      formatValue('integer', 'Regional Ask Size', m['Regional Ask Size']),
      formatValue('time', 'Regional Ask Time', m['Regional Ask Time']),
      formatValue('integer', 'Fraction Display Code', m['Fraction Display Code']),
      formatValue('integer', 'Decimal Precision', m['Decimal Precision']),
      formatValue('integer', 'Market Center', m['Market Center']),
    ],
    true,
  );
}

// ── N ───────────────────────────────────────────────────────────────────────────────────────

/**
 * `N` streaming news headline (§5.6). The headline is everything after the fifth comma: it may
 * contain commas, and there is no quoting.
 */
export interface NewsMessage {
  readonly Type: 'N';
  readonly 'Distributor Code': string | null;
  readonly 'Story ID': string | null;
  /** `:WBA:` or `AAPL:NFLX` on the wire. */
  readonly 'Symbol List': readonly string[] | null;
  /** ISO `YYYY-MM-DDTHH:MM:SS` from `YYYYMMDD HHMMSS`. */
  readonly Timestamp: string | null;
  readonly Headline: string | null;
}

export function decodeNews(r: FieldReader): NewsMessage | DecodeError {
  const distributor = r.text('Distributor Code');
  const story = r.text('Story ID');
  const symbols = r.text('Symbol List');
  const timestamp = r.compactDateTime('Timestamp', false);
  const headline = r.rest('Headline', false);
  if (r.error !== null) return r.error;
  return {
    Type: 'N',
    'Distributor Code': distributor,
    'Story ID': story,
    'Symbol List': symbols === null ? null : symbols.split(':').filter((s) => s !== ''),
    Timestamp: timestamp,
    Headline: headline,
  };
}

export function encodeNews(m: NewsMessage): string {
  const list = m['Symbol List'];
  // The colon-wrapped form is what IQConnect sends (`:WBA:`); it also keeps an empty list apart
  // from an empty field.
  const symbols = list === null ? '' : `:${list.map((s) => formatText('Symbol List', s)).join(':')}:`;
  return [
    'N',
    formatValue('text', 'Distributor Code', m['Distributor Code']),
    formatValue('text', 'Story ID', m['Story ID']),
    symbols,
    m.Timestamp === null ? '' : isoToCompactDateTime('Timestamp', m.Timestamp, false),
    formatLastText('Headline', m.Headline ?? '', false),
  ].join(',');
}

// ── C ───────────────────────────────────────────────────────────────────────────────────────

interface TradeCorrectionFields {
  readonly Type: 'C';
  readonly Symbol: string;
  /** `I` insert, `X` delete. */
  readonly 'Correction Type': string | null;
  readonly 'Trade Date': string | null;
  readonly 'Trade Time': string | null;
  readonly 'Trade Price': number | null;
  readonly 'Trade Size': number | null;
  readonly TickID: number | null;
  readonly 'Trade Conditions': string | null;
  readonly 'Trade Market Center': number | null;
}

/** `C` trade correction as real 2025 captures show it (§5.7): with a Trade Type column. */
export interface TradeCorrectionMessage extends TradeCorrectionFields {
  /** `C`, `E` or `O` as in Message Contents. */
  readonly 'Trade Type': string | null;
}

/** `C` in the 9-field layout of the C# and Java clients: no Trade Type column. */
export type TradeCorrectionMessage9 = TradeCorrectionFields;

/**
 * Which layout a C line uses, from its content (§5.7 recommends this over counting fields):
 * column 3 is Trade Type (a letter) in the 10-field layout and Trade Date (`MM/DD/YYYY`) in the
 * 9-field one. When it is empty, the next non-empty column decides: a date or time there means
 * 10-field (Trade Date, Trade Time), a time one column early or a price means 9-field. A
 * 9-field line with date, time and price all empty reads as 10-field.
 */
function isNineFieldCorrection(r: FieldReader): boolean {
  // The reader stands before field 1 (Symbol), so field k is peek(k - 1).
  const f3 = r.peek(2);
  if (f3 === null) return false;
  if (f3 !== '') return f3.includes('/');
  const f4 = r.peek(3);
  if (f4 === null) return false;
  if (f4 !== '') return f4.includes(':');
  const f5 = r.peek(4);
  return f5 !== null && f5 !== '' && !f5.includes(':');
}

export function decodeTradeCorrection(
  r: FieldReader,
): TradeCorrectionMessage | TradeCorrectionMessage9 | DecodeError {
  const nine = isNineFieldCorrection(r);
  const symbol = r.symbol('Symbol');
  const correctionType = r.text('Correction Type');
  const tradeType = nine ? null : r.text('Trade Type');
  const date = r.usDate('Trade Date');
  const time = r.time('Trade Time');
  const price = r.number('Trade Price');
  const size = r.integer('Trade Size');
  const tickId = r.integer('TickID');
  const conditions = r.text('Trade Conditions');
  const marketCenter = r.integer('Trade Market Center');
  if (r.error !== null) return r.error;
  if (nine) {
    return {
      Type: 'C',
      Symbol: symbol,
      'Correction Type': correctionType,
      'Trade Date': date,
      'Trade Time': time,
      'Trade Price': price,
      'Trade Size': size,
      TickID: tickId,
      'Trade Conditions': conditions,
      'Trade Market Center': marketCenter,
    };
  }
  return {
    Type: 'C',
    Symbol: symbol,
    'Correction Type': correctionType,
    'Trade Type': tradeType,
    'Trade Date': date,
    'Trade Time': time,
    'Trade Price': price,
    'Trade Size': size,
    TickID: tickId,
    'Trade Conditions': conditions,
    'Trade Market Center': marketCenter,
  };
}

export function isTenFieldCorrection(
  m: TradeCorrectionMessage | TradeCorrectionMessage9,
): m is TradeCorrectionMessage {
  return 'Trade Type' in m;
}

export function encodeTradeCorrection(m: TradeCorrectionMessage | TradeCorrectionMessage9): string {
  const ten = isTenFieldCorrection(m);
  const parts = [
    'C',
    formatText('Symbol', m.Symbol),
    formatValue('text', 'Correction Type', m['Correction Type']),
  ];
  if (ten) parts.push(formatValue('text', 'Trade Type', m['Trade Type']));
  parts.push(
    m['Trade Date'] === null ? '' : isoToUsDate('Trade Date', m['Trade Date']),
    m['Trade Time'] === null ? '' : formatTime('Trade Time', m['Trade Time']),
    m['Trade Price'] === null ? '' : formatNumber('Trade Price', m['Trade Price']),
    m['Trade Size'] === null ? '' : formatInteger('Trade Size', m['Trade Size']),
    m.TickID === null ? '' : formatInteger('TickID', m.TickID),
    formatValue('text', 'Trade Conditions', m['Trade Conditions']),
    m['Trade Market Center'] === null ? '' : formatInteger('Trade Market Center', m['Trade Market Center']),
  );
  // Real 10-field lines end in a comma; the only 9-field source line does not.
  return joinFields(parts, ten);
}
