import type { Channel } from '../../../collector/protocol/channel.js';
import type { GapReason } from '../../../collector/records/types.js';
import { easternIso, easternParts } from '../../../common/eastern-time.js';
import type { JournalItem } from '../journal-reader.js';
import { type RefBook, RefMakerBook, RefOrderBook, RefPriceBook, type RefTop } from './books.js';
import { num, padTime, splitFields, usDate } from './fields.js';

/**
 * What the collector should have produced for a journal, rebuilt by the rules in
 * ARCHITECTURE.md "Records" with code that shares nothing with collector/records or
 * collector/books.
 *
 * Books are emptied only at a connection boundary (and one side by `S,CLEAR DEPTH`); a summary
 * row is a plain upsert, since a snapshot's rows may arrive with other lines among them.
 * `S,CLEAR DEPTH` ends no gap: it comes during an outage, before the book is resent.
 */
export interface ExpectedL2 {
  readonly kind: 'l2';
  readonly symbol: string;
  readonly seq: number;
  readonly timestamp: string;
  readonly top: RefTop;
}

export interface ExpectedL1 {
  readonly kind: 'l1';
  readonly symbol: string;
  readonly seq: number;
  readonly timestamp: string;
  readonly bid: number | null;
  readonly bid_size: number | null;
  readonly ask: number | null;
  readonly ask_size: number | null;
}

export interface ExpectedTick {
  readonly kind: 'ticks';
  readonly symbol: string;
  readonly seq: number;
  readonly timestamp: string;
  readonly price: number;
  readonly size: number | null;
  readonly conditions: string | null;
  readonly market_center: number | null;
  readonly total_volume: number | null;
  readonly tick_id: number | null;
}

export interface ExpectedGap {
  readonly kind: 'gaps';
  readonly symbol: string;
  readonly seq: number;
  readonly timestamp: string;
  readonly gap_end: string;
  readonly duration_us: number;
  readonly reason: GapReason;
  readonly channel: 'L1' | 'L2';
}

export type Expected = ExpectedL2 | ExpectedL1 | ExpectedTick | ExpectedGap;

type Family = 'mbp' | 'mbo' | 'mm';

const SUMMARY_FAMILY: Readonly<Record<string, Family>> = { '7': 'mbp', '6': 'mbo', Z: 'mm' };
const L2_FAMILY: Readonly<Record<string, Family>> = {
  '7': 'mbp',
  '8': 'mbp',
  '9': 'mbp',
  '6': 'mbo',
  '3': 'mbo',
  '4': 'mbo',
  '5': 'mbo',
  '0': 'mbo',
  Z: 'mm',
  '2': 'mm',
  U: 'mm',
};

const DEFAULT_L1_FIELDS = [
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

interface OpenGap {
  readonly startUs: number;
  readonly reason: GapReason;
}

interface PendingBurst {
  readonly symbol: string;
  readonly family: Family;
  seq: number;
  timestamp: string;
}

export interface ReferenceOptions {
  readonly depth: number;
  /** Symbols the collector watched (journal header `#symbols`): who gets gap markers. */
  readonly symbols: readonly string[];
}

/** A `T` line's timestamp as IQConnect sends it. */
const T_STAMP = /^\d{8} \d\d:\d\d:\d\d$/;

export class ReferenceDeriver {
  private readonly books = new Map<string, RefBook>();
  private burst: PendingBurst | null = null;
  private readonly connects: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  private readonly serverDown: Record<Channel, boolean> = { L1: false, L2: false, ADMIN: false };
  private readonly lastT: Record<Channel, { date: string; time: string } | null> = {
    L1: null,
    L2: null,
    ADMIN: null,
  };
  private l1Fields = new Map<string, number>();
  private readonly lastQuote = new Map<string, string>();
  private readonly gaps: Record<'L1' | 'L2', Map<string, OpenGap>> = { L1: new Map(), L2: new Map() };
  /** The book of every L2 record, by seq, for the side-by-side diff of a mismatch. */
  readonly integrity = { unknownDeletes: 0 };

  constructor(private readonly options: ReferenceOptions) {
    this.setL1Fields(DEFAULT_L1_FIELDS);
  }

  push(item: JournalItem, out: Expected[]): void {
    if (item.kind === 'event') {
      this.endBurst(out);
      if (item.channel === 'ADMIN') return;
      if (item.event === 'disconnect') {
        // The gap began when the connection ended; it is opened at the reconnect, when books reset.
        this.pendingDisconnect[item.channel] ??= { startUs: item.us, reason: gapReason(item.reason) };
      } else if (this.connects[item.channel]++ > 0) {
        this.boundary(
          item.channel,
          this.pendingDisconnect[item.channel] ?? { startUs: item.us, reason: 'disconnect' },
        );
      }
      this.serverDown[item.channel] = false;
      return;
    }
    const { channel, line, seq, receivedUs } = item;
    if (channel === 'L2') this.l2(line, seq, receivedUs, out);
    else if (channel === 'L1') this.l1(line, seq, receivedUs, out);
  }

  /** At the end of the journal: a burst still open is complete. */
  end(out: Expected[]): void {
    this.endBurst(out);
  }

  bookOf(symbol: string, family: Family): RefBook | undefined {
    return this.books.get(`${family}:${symbol}`);
  }

  private readonly pendingDisconnect: Record<'L1' | 'L2', OpenGap | null> = { L1: null, L2: null };

  private boundary(channel: 'L1' | 'L2', gap: OpenGap): void {
    this.pendingDisconnect[channel] = null;
    if (channel === 'L2') for (const b of this.books.values()) clearBook(b);
    else this.lastQuote.clear();
    this.openGaps(channel, gap);
  }

  private openGaps(channel: 'L1' | 'L2', gap: OpenGap): void {
    for (const s of this.options.symbols) if (!this.gaps[channel].has(s)) this.gaps[channel].set(s, gap);
  }

  private closeGap(channel: 'L1' | 'L2', symbol: string, seq: number, us: number, out: Expected[]): void {
    const g = this.gaps[channel].get(symbol);
    if (!g) return;
    this.gaps[channel].delete(symbol);
    out.push({
      kind: 'gaps',
      symbol,
      seq,
      timestamp: easternIso(g.startUs),
      gap_end: easternIso(us),
      duration_us: us - g.startUs,
      reason: g.reason,
      channel,
    });
  }

  private systemLine(channel: Channel, f: readonly string[], us: number): void {
    if (f[1] === 'SERVER DISCONNECTED' && channel !== 'ADMIN') {
      if (!this.serverDown[channel]) {
        this.serverDown[channel] = true;
        // The gap opens now; books are cleared when the server comes back (resync).
        this.openGaps(channel, { startUs: us, reason: 'server-disconnected' });
      }
    } else if (f[1] === 'SERVER CONNECTED' && channel !== 'ADMIN' && this.serverDown[channel]) {
      this.serverDown[channel] = false;
      if (channel === 'L2') for (const b of this.books.values()) clearBook(b);
      else this.lastQuote.clear();
    }
  }

  private tStamp(channel: Channel, f: readonly string[]): void {
    const ts = f[1] ?? '';
    // Exactly `YYYYMMDD HH:MM:SS`: anything else is a malformed T line that sets no clock.
    if (T_STAMP.test(ts)) {
      this.lastT[channel] = {
        date: `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}`,
        time: `${ts.slice(9, 17)}.000000`,
      };
    }
  }

  private stamp(channel: Channel, date: string | null, time: string | null, us: number): string {
    const t = this.lastT[channel];
    const received = { date: easternParts(us).date, time: easternIso(us).slice(11) };
    const source = t ?? received;
    // A date from elsewhere than the message belongs to its time's day: midnight may lie between.
    const d = date ?? (time === null ? source.date : sameDayAs(source.date, source.time, time));
    const tm = time ?? source.time;
    return `${d}T${tm}`;
  }

  private book(symbol: string, family: Family): RefBook {
    const key = `${family}:${symbol}`;
    let b = this.books.get(key);
    if (!b) {
      b = family === 'mbp' ? new RefPriceBook() : family === 'mbo' ? new RefOrderBook() : new RefMakerBook();
      this.books.set(key, b);
    }
    return b;
  }

  private endBurst(out: Expected[]): void {
    const b = this.burst;
    if (!b) return;
    this.burst = null;
    out.push({
      kind: 'l2',
      symbol: b.symbol,
      seq: b.seq,
      timestamp: b.timestamp,
      top: this.book(b.symbol, b.family).top(this.options.depth),
    });
  }

  private l2(line: string, seq: number, us: number, out: Expected[]): void {
    const f = splitFields(line);
    const type = f[0] ?? '';
    const family = L2_FAMILY[type];
    const symbol = f[1] ?? '';
    const summary = SUMMARY_FAMILY[type];
    if (this.burst && !(summary && this.burst.symbol === symbol && this.burst.family === summary))
      this.endBurst(out);
    if (type === 'T') {
      this.tStamp('L2', f);
      return;
    }
    if (type === 'S') {
      this.systemLine('L2', f, us);
      if (f[1] === 'CLEAR DEPTH' && f[2]) {
        const sym = f[2];
        const side = f[3] === 'A' ? 'A' : 'B';
        let touched: Family | null = null;
        for (const fam of ['mbp', 'mbo', 'mm'] as const) {
          const bk = this.books.get(`${fam}:${sym}`);
          if (bk instanceof RefPriceBook || bk instanceof RefOrderBook) {
            bk.clear(side);
            touched = fam;
          } else if (bk instanceof RefMakerBook) touched = fam;
        }
        out.push({
          kind: 'l2',
          symbol: sym,
          seq,
          timestamp: this.stamp('L2', null, null, us),
          top: this.book(sym, touched ?? 'mbp').top(this.options.depth),
        });
      }
      return;
    }
    if (!family || symbol === '') return;
    this.closeGap('L2', symbol, seq, us, out);
    if (!wellFormedL2(type, line.split(','))) {
      // A line the collector cannot read changes no book and yields no record; a summary row still
      // belongs to its burst (a first one starts the burst's record).
      if (!summary) return;
      if (this.burst) this.burst.seq = seq;
      else this.burst = { symbol, family: summary, seq, timestamp: this.stamp('L2', null, null, us) };
      return;
    }
    const side = f[type === '7' || type === '8' || type === '9' ? 2 : 4] === 'A' ? 'A' : 'B';
    let timestamp: string;
    if (family === 'mbp') {
      const bk = this.book(symbol, 'mbp') as RefPriceBook;
      const price = num(f[3]) ?? 0;
      if (type === '9') {
        if (!bk[side === 'B' ? 'bids' : 'asks'].has(price)) this.integrity.unknownDeletes++;
        bk.remove(side, price);
        timestamp = this.stamp('L2', f[5] || null, padTime(f[4]), us);
      } else {
        bk.set(side, price, num(f[4]) ?? 0);
        timestamp = this.stamp('L2', f[8] || null, padTime(f[7]), us);
      }
    } else if (family === 'mbo') {
      const bk = this.book(symbol, 'mbo') as RefOrderBook;
      // Orders without an id are Nasdaq market-maker rows, one per (MMID, side).
      const key = f[2] ? `#${f[2]}` : `${f[3] ?? ''}/${side}`;
      if (type === '5') {
        if (!bk.orders.has(key)) this.integrity.unknownDeletes++;
        bk.remove(key);
        timestamp = this.stamp('L2', f[6] || null, padTime(f[5]), us);
      } else {
        bk.put(key, side, num(f[5]) ?? 0, num(f[6]) ?? 0);
        timestamp = this.stamp('L2', f[10] || null, padTime(f[9]), us);
      }
    } else {
      const bk = this.book(symbol, 'mm') as RefMakerBook;
      const bid = num(f[3]);
      const ask = num(f[4]);
      // U rows carry three unknown columns where Z/2 carry one Condition Code.
      const shift = type === 'U' ? 2 : 0;
      const bidValid = f[11 + shift] === 'T' && bid !== null && bid !== 0;
      const askValid = f[12 + shift] === 'T' && ask !== null && ask !== 0;
      bk.put(f[2] ?? '', {
        bid: bidValid ? bid : null,
        bidSize: num(f[5]) ?? 0,
        ask: askValid ? ask : null,
        askSize: num(f[6]) ?? 0,
      });
      const bt = padTime(f[7]);
      const at = padTime(f[10 + shift]);
      const later = laterTime(bt, at);
      timestamp = this.stamp('L2', f[8] || null, later, us);
    }
    if (summary) {
      if (this.burst) {
        this.burst.seq = seq;
        this.burst.timestamp = timestamp;
      } else this.burst = { symbol, family: summary, seq, timestamp };
      return;
    }
    out.push({ kind: 'l2', symbol, seq, timestamp, top: this.book(symbol, family).top(this.options.depth) });
  }

  private setL1Fields(names: readonly string[]): void {
    this.l1Fields = new Map(names.map((n, i) => [n, i + 1]));
  }

  /** A Q/P line carries every field of the list in force, each readable as its kind. */
  private wellFormedL1(line: string): boolean {
    const raw = line.split(',');
    if (raw.length < this.l1Fields.size + 1) return false;
    for (const [name, i] of this.l1Fields) if (!l1FieldOk(name, raw[i] ?? '')) return false;
    return true;
  }

  private l1(line: string, seq: number, us: number, out: Expected[]): void {
    const f = splitFields(line);
    const type = f[0];
    if (type === 'T') {
      this.tStamp('L1', f);
      return;
    }
    if (type === 'S') {
      if (f[1] === 'CURRENT UPDATE FIELDNAMES') this.setL1Fields(f.slice(2));
      this.systemLine('L1', f, us);
      return;
    }
    if (type === 'F' || type === 'R' || type === 'C') {
      if (f[1]) this.closeGap('L1', f[1], seq, us, out);
      return;
    }
    if (type !== 'Q' && type !== 'P') return;
    const symbol = f[1] ?? '';
    if (symbol === '') return;
    this.closeGap('L1', symbol, seq, us, out);
    if (!this.wellFormedL1(line)) return;
    const field = (name: string): string | undefined => {
      const i = this.l1Fields.get(name);
      return i === undefined ? undefined : f[i];
    };
    const has = (name: string) => this.l1Fields.has(name);
    const tDate = this.lastT.L1?.date ?? null;
    if (has('Bid') && has('Bid Size') && has('Ask') && has('Ask Size')) {
      const bid = num(field('Bid'));
      const bidSize = num(field('Bid Size'));
      const ask = num(field('Ask'));
      const askSize = num(field('Ask Size'));
      const key = `${bid},${bidSize},${ask},${askSize}`;
      if (this.lastQuote.get(symbol) !== key) {
        this.lastQuote.set(symbol, key);
        const bt = padTime(field('Bid Time'));
        const at = padTime(field('Ask Time'));
        const later = laterTime(bt, at) ?? padTime(field('Most Recent Trade Time'));
        out.push({
          kind: 'l1',
          symbol,
          seq,
          // The last T line's date (null here lets stamp take it, with its time), else the trade date.
          timestamp: this.stamp(
            'L1',
            tDate === null ? usDate(field('Most Recent Trade Date')) : null,
            later,
            us,
          ),
          bid,
          bid_size: bidSize,
          ask,
          ask_size: askSize,
        });
      }
    }
    const contents = field('Message Contents') ?? '';
    const price = num(field('Most Recent Trade'));
    if (type === 'Q' && /[CEO]/.test(contents) && price !== null) {
      const cond = field('Most Recent Trade Conditions');
      out.push({
        kind: 'ticks',
        symbol,
        seq,
        timestamp: this.stamp(
          'L1',
          usDate(field('Most Recent Trade Date')),
          padTime(field('Most Recent Trade Time')),
          us,
        ),
        price,
        size: num(field('Most Recent Trade Size')),
        conditions: cond ? cond : null,
        market_center: num(field('Most Recent Trade Market Center')),
        total_volume: num(field('Total Volume')),
        tick_id: num(field('TickID')),
      });
    }
  }
}

const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;
const TIME = /^\d\d:\d\d:\d\d(\.\d+)?$/;
const DATE = /^\d{4}-\d\d-\d\d$/;
const US_DATE = /^\d\d\/\d\d\/\d{4}$/;

/** An integer the way JavaScript can hold it exactly. */
function integer(v: string): boolean {
  return /^-?\d+$/.test(v) && Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER;
}

/** How the reference reads an L1 field it is given: by the kind of value IQFeed sends in it. */
function l1Kind(name: string): 'price' | 'integer' | 'time' | 'date' | 'text' {
  if (/Time$/.test(name)) return 'time';
  if (/Date$/.test(name)) return 'date';
  if (
    /Size$|Volume$|Market Center$|^TickID$|^Open Interest$|^Delay$|^Number of Trades Today$|^Decimal Precision$|^Days to Expiration$|^Fraction Display Code$|^Market Open$|^Tick$|Aggressor$|Day Code$/.test(
      name,
    )
  )
    return 'integer';
  if (
    /^(Symbol|Exchange ID|Message Contents|Most Recent Trade Conditions|Restricted Code|Financial Status Indicator|Available Regions)$/.test(
      name,
    )
  )
    return 'text';
  return 'price';
}

function l1FieldOk(name: string, v: string): boolean {
  if (v === '') return true;
  switch (l1Kind(name)) {
    case 'price':
      return DECIMAL.test(v);
    case 'integer':
      return integer(v);
    case 'time':
      return TIME.test(v);
    case 'date':
      return US_DATE.test(v);
    default:
      return true;
  }
}

/** Fields after the type each L2 message must carry (empty is fine, absent is not). */
const L2_FIELDS: Readonly<Record<string, number>> = {
  '7': 8,
  '8': 8,
  '9': 5,
  '3': 10,
  '4': 10,
  '6': 10,
  '0': 10,
  '5': 6,
  Z: 13,
  '2': 13,
  U: 14,
};

const opt = (re: RegExp, v: string | undefined) => v === undefined || v === '' || re.test(v);
const req = (re: RegExp, v: string | undefined) => v !== undefined && re.test(v);
const optInt = (v: string | undefined) => v === undefined || v === '' || integer(v);
const reqInt = (v: string | undefined) => v !== undefined && integer(v);
const side = (v: string | undefined) => v === 'A' || v === 'B';

/**
 * Whether the collector can read an L2 data line at all, judged from its raw fields (the trailing
 * comma's empty field counts as present) with this file's own rules (IQFEED-PROTOCOL.md §6.2):
 * every field of the layout present, symbol not empty, sides A/B, prices decimals, sizes and
 * counts integers JavaScript holds exactly, times and dates in their wire forms or empty.
 */
function wellFormedL2(type: string, raw: readonly string[]): boolean {
  const need = L2_FIELDS[type];
  if (need === undefined || raw.length < need + 1 || raw[1] === '') return false;
  const f = raw;
  switch (type) {
    case '7':
    case '8':
      return (
        side(f[2]) &&
        req(DECIMAL, f[3]) &&
        reqInt(f[4]) &&
        optInt(f[5]) &&
        reqInt(f[6]) &&
        opt(TIME, f[7]) &&
        opt(DATE, f[8])
      );
    case '9':
      return side(f[2]) && req(DECIMAL, f[3]) && opt(TIME, f[4]) && opt(DATE, f[5]);
    case '3':
    case '4':
    case '6':
    case '0':
      return (
        optInt(f[2]) &&
        side(f[4]) &&
        req(DECIMAL, f[5]) &&
        reqInt(f[6]) &&
        optInt(f[7]) &&
        reqInt(f[8]) &&
        opt(TIME, f[9]) &&
        opt(DATE, f[10])
      );
    case '5':
      return optInt(f[2]) && side(f[4]) && opt(TIME, f[5]) && opt(DATE, f[6]);
    case 'U':
      return (
        f[2] !== '' &&
        opt(DECIMAL, f[3]) &&
        opt(DECIMAL, f[4]) &&
        optInt(f[5]) &&
        optInt(f[6]) &&
        opt(TIME, f[7]) &&
        opt(DATE, f[8]) &&
        opt(TIME, f[12])
      );
    default:
      // Z and 2: MMID, bid, ask, sizes, bid time, date, condition, ask time, flags.
      return (
        f[2] !== '' &&
        opt(DECIMAL, f[3]) &&
        opt(DECIMAL, f[4]) &&
        optInt(f[5]) &&
        optInt(f[6]) &&
        opt(TIME, f[7]) &&
        opt(DATE, f[8]) &&
        opt(TIME, f[10])
      );
  }
}

const DAY_S = 86_400;

function secondsIntoDay(time: string): number {
  const [h, m, sec] = time.slice(0, 8).split(':').map(Number);
  return h! * 3600 + m! * 60 + sec!;
}

/**
 * The later of two `HH:MM:SS.ffffff` times, or whichever exists: by text, unless they are more
 * than half a day apart, when midnight lies between them and the earlier text is the later time.
 */
function laterTime(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const apart = Math.abs(secondsIntoDay(a) - secondsIntoDay(b));
  const textLater = a > b ? a : b;
  if (apart <= DAY_S / 2) return textLater;
  return textLater === a ? b : a;
}

/** The date of an event at `time`, given that `baseTime` fell on `baseDate`: the nearest such day. */
function sameDayAs(baseDate: string, baseTime: string, time: string): string {
  const diff = secondsIntoDay(time) - secondsIntoDay(baseTime);
  const days = diff > DAY_S / 2 ? -1 : diff < -DAY_S / 2 ? 1 : 0;
  if (days === 0) return baseDate;
  const noon = new Date(`${baseDate}T12:00:00Z`);
  noon.setUTCDate(noon.getUTCDate() + days);
  return noon.toISOString().slice(0, 10);
}

function gapReason(reason: string | null): GapReason {
  return reason === 'restart' || reason === 'stale-feed' || reason === 'server-disconnected'
    ? reason
    : 'disconnect';
}

function clearBook(b: RefBook): void {
  if (b instanceof RefPriceBook || b instanceof RefOrderBook || b instanceof RefMakerBook) b.clear();
}
