import type { ValueKind, ValueOf } from './values.js';

/**
 * The Level 1 field catalogue (IQFEED-PROTOCOL.md §5.1, §5.4): every name IQConnect accepts in
 * `S,SELECT UPDATE FIELDS` with the kind of value it carries, the default Q/P field list, and
 * the fundamental (F) layouts of protocol 6.1+ and 6.0.
 */
export interface FieldSpec {
  readonly name: string;
  readonly kind: ValueKind;
}

/** The 70 names of the server's `S,UPDATE FIELDNAMES` reply (6.1+), in the server's order. */
export const UPDATE_FIELDS = [
  { name: 'Symbol', kind: 'text' },
  { name: 'Exchange ID', kind: 'text' }, // hex, kept as sent
  { name: 'Last', kind: 'price' },
  { name: 'Change', kind: 'price' },
  { name: 'Percent Change', kind: 'decimal' },
  { name: 'Total Volume', kind: 'integer' },
  { name: 'High', kind: 'price' },
  { name: 'Low', kind: 'price' },
  { name: 'Bid', kind: 'price' },
  { name: 'Ask', kind: 'price' },
  { name: 'Bid Size', kind: 'integer' },
  { name: 'Ask Size', kind: 'integer' },
  { name: 'Tick', kind: 'integer' },
  { name: 'Range', kind: 'price' },
  { name: 'Open Interest', kind: 'integer' },
  { name: 'Open', kind: 'price' },
  { name: 'Close', kind: 'price' },
  { name: 'Spread', kind: 'price' },
  { name: 'Settle', kind: 'price' },
  { name: 'Delay', kind: 'integer' },
  { name: 'Restricted Code', kind: 'text' },
  { name: 'Net Asset Value', kind: 'price' },
  { name: 'Average Maturity', kind: 'decimal' },
  { name: '7 Day Yield', kind: 'decimal' },
  { name: 'Extended Trading Change', kind: 'price' },
  { name: 'Extended Trading Difference', kind: 'price' },
  { name: 'Price-Earnings Ratio', kind: 'decimal' },
  { name: 'Percent Off Average Volume', kind: 'decimal' },
  { name: 'Bid Change', kind: 'price' },
  { name: 'Ask Change', kind: 'price' },
  { name: 'Change From Open', kind: 'price' },
  { name: 'Market Open', kind: 'integer' },
  { name: 'Volatility', kind: 'decimal' },
  { name: 'Market Capitalization', kind: 'decimal' },
  { name: 'Fraction Display Code', kind: 'integer' },
  { name: 'Decimal Precision', kind: 'integer' },
  { name: 'Days to Expiration', kind: 'integer' },
  { name: 'Previous Day Volume', kind: 'integer' },
  { name: 'Open Range 1', kind: 'price' },
  { name: 'Close Range 1', kind: 'price' },
  { name: 'Open Range 2', kind: 'price' },
  { name: 'Close Range 2', kind: 'price' },
  { name: 'Number of Trades Today', kind: 'integer' },
  { name: 'VWAP', kind: 'price' },
  { name: 'TickID', kind: 'integer' },
  { name: 'Financial Status Indicator', kind: 'text' },
  { name: 'Settlement Date', kind: 'date' },
  { name: 'Bid Market Center', kind: 'integer' },
  { name: 'Ask Market Center', kind: 'integer' },
  { name: 'Available Regions', kind: 'text' },
  { name: 'Last Size', kind: 'integer' },
  { name: 'Last Time', kind: 'time' },
  { name: 'Last Market Center', kind: 'integer' },
  { name: 'Most Recent Trade', kind: 'price' },
  { name: 'Most Recent Trade Size', kind: 'integer' },
  { name: 'Most Recent Trade Time', kind: 'time' },
  { name: 'Most Recent Trade Conditions', kind: 'text' }, // hex pairs, kept as sent
  { name: 'Most Recent Trade Market Center', kind: 'integer' },
  { name: 'Extended Trade', kind: 'price' },
  { name: 'Extended Trade Size', kind: 'integer' },
  { name: 'Extended Trade Time', kind: 'time' },
  { name: 'Extended Trade Market Center', kind: 'integer' },
  { name: 'Message Contents', kind: 'text' },
  { name: 'Ask Time', kind: 'time' },
  { name: 'Bid Time', kind: 'time' },
  { name: 'Last Date', kind: 'date' },
  { name: 'Extended Trade Date', kind: 'date' },
  { name: 'Most Recent Trade Date', kind: 'date' },
  { name: 'Most Recent Trade Aggressor', kind: 'integer' },
  { name: 'Most Recent Trade Day Code', kind: 'integer' },
] as const satisfies readonly FieldSpec[];

export type UpdateFieldName = (typeof UPDATE_FIELDS)[number]['name'];

/** The Q/P field list in force until `S,SELECT UPDATE FIELDS` changes it (6.x default, 16 fields). */
export const DEFAULT_UPDATE_FIELDS: readonly UpdateFieldName[] = [
  'Symbol',
  'Most Recent Trade',
  'Most Recent Trade Size',
  'Most Recent Trade Time',
  'Most Recent Trade Market Center',
  'Total Volume',
  'Bid',
  'Bid Size',
  'Ask',
  'Ask Size',
  'Open',
  'High',
  'Low',
  'Close',
  'Message Contents',
  'Most Recent Trade Conditions',
];

/**
 * What a collector selects with `S,SELECT UPDATE FIELDS`: the 16 defaults (what quote and trade
 * records read) plus TickID, the bid and ask times (quote timestamps) and the trade date (tick
 * timestamps across midnight). Generated tapes are recorded with the same list.
 */
export const COLLECTOR_UPDATE_FIELDS: readonly UpdateFieldName[] = [
  ...DEFAULT_UPDATE_FIELDS,
  'TickID',
  'Bid Time',
  'Ask Time',
  'Most Recent Trade Date',
];

const UPDATE_KINDS: ReadonlyMap<string, ValueKind> = new Map(UPDATE_FIELDS.map((f) => [f.name, f.kind]));

/**
 * The kind of a Q/P field. Names outside the catalogue (a newer IQConnect's, or legacy names)
 * are text, so an unknown column never makes a line undecodable.
 */
export function updateFieldKind(name: string): ValueKind {
  return UPDATE_KINDS.get(name) ?? 'text';
}

export function isUpdateFieldName(name: string): name is UpdateFieldName {
  return UPDATE_KINDS.has(name);
}

/**
 * A field list as IQConnect applies it: `Symbol` always first, whatever was asked
 * (IQFEED-PROTOCOL.md §4 "Symbol as first field"), and never twice.
 */
export function normalizeUpdateFields(names: readonly string[]): readonly string[] {
  if (names[0] === 'Symbol' && names.indexOf('Symbol', 1) < 0) return names;
  return ['Symbol', ...names.filter((n) => n !== 'Symbol')];
}

/** The 57 fields of an F line from protocol 6.1 on, in order (`S,FUNDAMENTAL FIELDNAMES`). */
export const FUNDAMENTAL_FIELDS = [
  { name: 'Symbol', kind: 'text' },
  { name: 'Exchange ID', kind: 'text' },
  { name: 'PE', kind: 'decimal' },
  { name: 'Average Volume', kind: 'integer' },
  { name: '52 Week High', kind: 'price' },
  { name: '52 Week Low', kind: 'price' },
  { name: 'Calendar Year High', kind: 'price' },
  { name: 'Calendar Year Low', kind: 'price' },
  { name: 'Dividend Yield', kind: 'decimal' },
  { name: 'Dividend Amount', kind: 'price' },
  { name: 'Dividend Rate', kind: 'price' },
  { name: 'Pay Date', kind: 'date' },
  { name: 'Ex-dividend Date', kind: 'date' },
  { name: 'Current Year EPS', kind: 'decimal' },
  { name: 'Next Year EPS', kind: 'decimal' },
  { name: 'Five-year Growth Percentage', kind: 'decimal' },
  { name: 'Fiscal Year End', kind: 'integer' },
  { name: 'Company Name', kind: 'text' },
  { name: 'Root Option Symbol', kind: 'text' },
  { name: 'Percent Held By Institutions', kind: 'decimal' },
  { name: 'Beta', kind: 'decimal' },
  { name: 'Leaps', kind: 'text' },
  { name: 'Current Assets', kind: 'decimal' },
  { name: 'Current Liabilities', kind: 'decimal' },
  { name: 'Balance Sheet Date', kind: 'date' },
  { name: 'Long-term Debt', kind: 'decimal' },
  { name: 'Common Shares Outstanding', kind: 'decimal' },
  { name: 'Split Factor 1', kind: 'text' }, // `0.25 08/31/2020`
  { name: 'Split Factor 2', kind: 'text' },
  { name: 'Format Code', kind: 'text' },
  { name: 'Precision', kind: 'integer' },
  { name: 'SIC', kind: 'integer' },
  { name: 'Historical Volatility', kind: 'decimal' },
  { name: 'Security Type', kind: 'integer' },
  { name: 'Listed Market', kind: 'integer' },
  { name: '52 Week High Date', kind: 'date' },
  { name: '52 Week Low Date', kind: 'date' },
  { name: 'Calendar Year High Date', kind: 'date' },
  { name: 'Calendar Year Low Date', kind: 'date' },
  { name: 'Year End Close', kind: 'price' },
  { name: 'Maturity Date', kind: 'date' },
  { name: 'Coupon Rate', kind: 'decimal' },
  { name: 'Expiration Date', kind: 'date' },
  { name: 'Strike Price', kind: 'price' },
  { name: 'NAICS', kind: 'integer' },
  { name: 'Exchange Root', kind: 'text' },
  { name: 'Option Premium Multiplier', kind: 'decimal' },
  { name: 'Option Multiple Deliverable', kind: 'integer' },
  { name: 'Session Open Time', kind: 'time' },
  { name: 'Session Close Time', kind: 'time' },
  { name: 'Base Currency', kind: 'text' },
  { name: 'Contract Size', kind: 'text' },
  { name: 'Contract Months', kind: 'text' },
  { name: 'Minimum Tick Size', kind: 'decimal' },
  { name: 'First Delivery Date', kind: 'date' },
  { name: 'FIGI', kind: 'text' },
  { name: 'Security SubType', kind: 'integer' },
] as const satisfies readonly FieldSpec[];

/** Placeholder name of the unused columns of the 6.0 layout; they are read and dropped. */
export const RESERVED = '(Reserved)';

/**
 * The F layout before 6.1 (§5.4): `(Reserved)` columns, Short Interest and Market Center, and
 * nothing after Option Multiple Deliverable.
 */
export const FUNDAMENTAL_FIELDS_60 = [
  ...FUNDAMENTAL_FIELDS.slice(0, 13), // Symbol … Ex-dividend Date
  { name: RESERVED, kind: 'text' },
  { name: RESERVED, kind: 'text' },
  { name: RESERVED, kind: 'text' },
  { name: 'Short Interest', kind: 'integer' },
  { name: RESERVED, kind: 'text' },
  ...FUNDAMENTAL_FIELDS.slice(13, 17), // Current Year EPS … Fiscal Year End
  { name: RESERVED, kind: 'text' },
  ...FUNDAMENTAL_FIELDS.slice(17, 27), // Company Name … Common Shares Outstanding
  { name: RESERVED, kind: 'text' },
  ...FUNDAMENTAL_FIELDS.slice(27, 29), // Split Factor 1, Split Factor 2
  { name: RESERVED, kind: 'text' },
  { name: 'Market Center', kind: 'integer' },
  ...FUNDAMENTAL_FIELDS.slice(29, 48), // Format Code … Option Multiple Deliverable
] as const satisfies readonly FieldSpec[];

/** Field values keyed by name, typed by kind; every field may be empty (null). */
export type FieldsRecord<T extends readonly FieldSpec[]> = {
  readonly [F in T[number] as F['name']]: ValueOf<F['kind']> | null;
};
