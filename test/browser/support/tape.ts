/**
 * Small hand-made tapes (CONTRACTS §1) for the monitor tests, and the lines they hold:
 * L1 `Q` updates in the generator's field list, L2 market-by-price `7`/`8`/`9` rows, `T` stamps.
 * Written here, line by line, so a test knows exactly what the feed will send.
 */
import type { FeedChannel } from './feed-processes.js';

export interface TapeLine {
  readonly offsetUs: number;
  readonly channel: FeedChannel;
  readonly line: string;
}

export interface TapeHeader {
  readonly date: string; // YYYY-MM-DD
  readonly symbols: readonly string[];
  /** `#l2` value, e.g. `AAPL=mbp,MSFT=mbp`. */
  readonly l2: string;
  readonly startUs: number;
}

/** The Level 1 layout of the tape's Q lines (the simulator re-projects them per client). */
export const L1_FIELDS: readonly string[] = [
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
  'TickID',
  'Bid Time',
  'Ask Time',
  'Most Recent Trade Date',
];

/** Consumed by the simulator (it tells the tape's Q layout), never forwarded. */
export const FIELDNAMES_LINE = `S,CURRENT UPDATE FIELDNAMES,${L1_FIELDS.join(',')}`;

export function tapeText(header: TapeHeader, lines: readonly TapeLine[]): string {
  const head = [
    '#l2tape 1',
    '#source l2h monitor browser test',
    `#date ${header.date}`,
    `#symbols ${header.symbols.join(',')}`,
    `#l2 ${header.l2}`,
    `#start-us ${header.startUs}`,
  ];
  let last = 0;
  const body = lines.map((l) => {
    if (l.offsetUs < last) throw new Error(`tape offsets must not decrease: ${l.offsetUs} after ${last}`);
    last = l.offsetUs;
    return `${l.offsetUs}\t${l.channel}\t${l.line}`;
  });
  return `${[...head, ...body].join('\n')}\n`;
}

/** `T,YYYYMMDD HH:MM:SS` for a US Eastern wall time. */
export function timestampLine(date: string, hms: string): string {
  return `T,${date.replaceAll('-', '')} ${hms}`;
}

/** `HH:MM:SS.ffffff` of `baseHms` plus `offsetUs` (same day). */
export function clockAt(baseHms: string, offsetUs: number): string {
  const [h, m, s] = baseHms.split(':').map(Number);
  const totalUs = ((h! * 60 + m!) * 60 + s!) * 1_000_000 + offsetUs;
  const us = totalUs % 1_000_000;
  const secs = Math.floor(totalUs / 1_000_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}.${String(us).padStart(6, '0')}`;
}

export type Side = 'B' | 'A';

/** `7` summary / `8` update: `Symbol,Side,Price,Size,Order Count,Precision,Time,Date,`. */
export function mbpRow(
  kind: '7' | '8',
  symbol: string,
  side: Side,
  price: string,
  size: number,
  time: string,
  date: string,
): string {
  return `${kind},${symbol},${side},${price},${size},1,4,${time},${date},`;
}

/** `9` delete: `Symbol,Side,Price,Time,Date,`. */
export function mbpDelete(symbol: string, side: Side, price: string, time: string, date: string): string {
  return `9,${symbol},${side},${price},${time},${date},`;
}

export interface Quote {
  readonly symbol: string;
  /** Set for a trade (Message Contents `C`); a quote-only update leaves the last trade fields as they were. */
  readonly trade: { readonly price: string; readonly size: number; readonly time: string };
  readonly isTrade: boolean;
  readonly volume: number;
  readonly bid: string;
  readonly bidSize: number;
  readonly ask: string;
  readonly askSize: number;
  readonly time: string;
  readonly tickId: number;
  /** MM/DD/YYYY */
  readonly tradeDate: string;
}

/** A `Q` line in `L1_FIELDS` order. */
export function quoteLine(q: Quote): string {
  const fields = [
    q.symbol,
    q.trade.price,
    String(q.trade.size),
    q.trade.time,
    '26',
    String(q.volume),
    q.bid,
    String(q.bidSize),
    q.ask,
    String(q.askSize),
    '',
    '',
    '',
    '',
    q.isTrade ? 'Cba' : 'ba',
    '01',
    String(q.tickId),
    q.time,
    q.time,
    q.tradeDate,
  ];
  return `Q,${fields.join(',')},`;
}
