/**
 * The deriver: journal lines and connection events in, records out, by the rules of
 * ARCHITECTURE.md "Records" (connection boundaries, L2 bursts, timestamps, quotes, ticks, gaps).
 * It depends on nothing but what it is fed, so deriving a journal twice gives the same records,
 * byte for byte, with the same identity (session, seq): the live collector, a catching-up sink and
 * a restart all run this same code over the same journal.
 *
 * Output order: records come out in the order the lines that complete them are processed. That is
 * seq order except for a summary burst, whose record (at the seq of its last row) is emitted when
 * the burst ends, possibly after L1 records of later seqs. `safeSeq` says how far the output is
 * complete (every record with seq ≤ safeSeq has been emitted, every later one will have a larger
 * seq): sink checkpoints never pass it. Within one (symbol, kind) seqs always increase, because
 * any L2 line of the symbol ends its burst before it yields a record.
 *
 * Readings of the rules where ARCHITECTURE.md leaves room (kept in step with the verifier's
 * reference deriver, harness/verify/reference/deriver.ts):
 * - a gap's start is the receive time of the last journaled line (any channel) before the first
 *   `disconnect` event since the channel's last connect, else before the boundary itself; its
 *   reason is that disconnect's reason (`restart`, `stale-feed`, `server-disconnected`, anything
 *   else `disconnect`), `server-disconnected` for an `S,SERVER DISCONNECTED` line (whose own
 *   receive time starts the gap);
 * - a gap closes at the symbol's first L2 line carrying book state (`0 3 4 5 6 7 8 9 Z 2 U`) or
 *   L1 `Q P F R C` line; `n`, `q`, `E` lines name a symbol but are no resync, and neither is
 *   `S,CLEAR DEPTH`: IQConnect sends it for every book right after `S,SERVER DISCONNECTED`
 *   (IQFEED-PROTOCOL.md §10), so closing the gap there would make every outage last a millisecond;
 * - a line the codec cannot decode (counted as malformed) changes no book and yields no record,
 *   but its type and symbol, read as text, still end or continue a burst and close a gap;
 * - `S,CLEAR DEPTH` clears the side of the symbol's watched family (by price or by order; the
 *   legacy market-maker book has no sides to clear and is left as is) and yields a record;
 * - a summary row (`6 7 Z`) is insert-or-replace and never clears a book. Nothing marks the end
 *   of a snapshot (§6.3): a `T` line, a bare `O`, an `S,` line or another symbol's line may fall
 *   between its rows, and they end only the burst's record, not the snapshot. A book starts over
 *   only where its old state is known stale: at a connection boundary (the feed resends every
 *   watched symbol's state) and, one side at a time, at `S,CLEAR DEPTH`. A re-watch within one
 *   connection is not journaled, so its snapshot merges into the book it restates;
 * - `q` (valid symbol, no depth now) is counted and listed like `n`.
 */
import { easternIso } from '../../common/eastern-time.js';
import { L2hError } from '../../common/errors.js';
import { integrityKinds, type MakerQuote, MboBook, MbpBook } from '../books/index.js';
import type { BookFamily, OrderBook } from '../books/types.js';
import type { JournalEntry } from '../journal/events.js';
import type { Channel } from '../protocol/channel.js';
import { type DecodeError, isDecodeError } from '../protocol/decode-error.js';
import { AdminDecoder, L1Decoder, L2Decoder } from '../protocol/decoders.js';
import { UpdateFields } from '../protocol/l1-messages.js';
import type { FieldValue } from '../protocol/values.js';
import { type DeriverCounts, type DeriverProblems, DeriverTally } from './deriver-stats.js';
import { Envelope, RecordJson } from './json.js';
import { chunkBytesFor, RecordBytes } from './record-bytes.js';
import { SymbolState } from './symbol-state.js';
import { dayOf, lastStampDay, laterTime, padTime, stamp, type TStamp, tStampOf } from './timestamp.js';
import type { GapReason, RecordEnvelope, RecordKind } from './types.js';

export const DEFAULT_DEPTH = 10;

export interface DeriverOptions {
  /** The journal session: half of every record's identity. */
  readonly session: string;
  /** Levels per side in an L2 record (default 10). */
  readonly depth?: number;
  /** The symbols the collector watches (journal header `#symbols`): they get gap markers. */
  readonly symbols: readonly string[];
  /** The L2 family each symbol is watched with (journal header `#l2`). */
  readonly families?: Readonly<Record<string, BookFamily>>;
  /** Problem examples kept per kind (default 20). */
  readonly examples?: number;
}

/** A connection event as the deriver needs it (a journal event, or one just journaled). */
export interface DeriverEvent {
  readonly seq: number;
  readonly event: 'connect' | 'disconnect';
  readonly channel: Channel;
  readonly us: number;
  readonly reason?: string | null;
}

/** How far a deriver has come: what the sink runner needs to checkpoint and hand over. */
export interface DeriverProgress {
  /** Records emitted so far: a catching-up sink rejoins live mode at a count. */
  readonly recordsEmitted: number;
  /** Every record with seq ≤ this has been emitted; every record still to come has a larger seq. */
  readonly safeSeq: number;
  /** Seq of the last line processed (or the line before the last event). */
  readonly lastSeq: number;
}

interface OpenGap {
  readonly startUs: number;
  readonly reason: GapReason;
}

type SummaryType = '6' | '7' | 'Z';

interface Burst {
  readonly sym: SymbolState;
  readonly type: SummaryType;
  readonly firstSeq: number;
  seq: number;
  timestamp: string;
  day: string;
}

type DataChannel = 'L1' | 'L2';

const L2_DATA_TYPES = new Set(['0', '3', '4', '5', '6', '7', '8', '9', 'Z', '2', 'U']);
const L1_SYMBOL_TYPES = new Set(['Q', 'P', 'F', 'R', 'C']);
const QUOTE_FIELDS = ['Bid', 'Bid Size', 'Ask', 'Ask Size'];

/** The Q/P fields the deriver reads, and their places in `UpdateFields.values`. */
const UPDATE_FIELDS = [
  'Bid',
  'Bid Size',
  'Ask',
  'Ask Size',
  'Bid Time',
  'Ask Time',
  'Most Recent Trade',
  'Most Recent Trade Size',
  'Most Recent Trade Time',
  'Most Recent Trade Date',
  'Most Recent Trade Conditions',
  'Most Recent Trade Market Center',
  'Total Volume',
  'TickID',
  'Message Contents',
] as const;
const F_BID = 0;
const F_BID_SIZE = 1;
const F_ASK = 2;
const F_ASK_SIZE = 3;
const F_BID_TIME = 4;
const F_ASK_TIME = 5;
const F_TRADE = 6;
const F_TRADE_SIZE = 7;
const F_TRADE_TIME = 8;
const F_TRADE_DATE = 9;
const F_CONDITIONS = 10;
const F_MARKET_CENTER = 11;
const F_TOTAL_VOLUME = 12;
const F_TICK_ID = 13;
const F_CONTENTS = 14;

function gapReason(reason: string | null | undefined): GapReason {
  return reason === 'restart' || reason === 'stale-feed' || reason === 'server-disconnected'
    ? reason
    : 'disconnect';
}

function num(v: FieldValue | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

function str(v: FieldValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** Message Contents names a trade: `C` last-qualified, `E` extended, `O` other (§5.2). */
function isTrade(contents: string): boolean {
  for (let i = 0; i < contents.length; i++) {
    const c = contents.charCodeAt(i);
    if (c === 67 || c === 69 || c === 79) return true;
  }
  return false;
}

/** Field `index` of a line as text (0 is the type), '' when the line has fewer fields. */
function fieldText(line: string, index: number): string {
  let start = 0;
  for (let k = 0; k < index; k++) {
    const comma = line.indexOf(',', start);
    if (comma < 0) return '';
    start = comma + 1;
  }
  const end = line.indexOf(',', start);
  return line.slice(start, end < 0 ? line.length : end);
}

export class Deriver implements DeriverProgress {
  readonly session: string;
  readonly depth: number;
  private readonly watched: readonly string[];
  private readonly families: Readonly<Record<string, BookFamily>>;
  /** Gap records' text (rare); every other record is written as bytes by `lines`. */
  private readonly json: RecordJson;
  private readonly lines: RecordBytes;
  private readonly tally: DeriverTally;

  private readonly l1dec = new L1Decoder();
  private readonly quoteLine = new UpdateFields(UPDATE_FIELDS);
  private readonly l2dec = new L2Decoder();
  private readonly admindec = new AdminDecoder();
  private layoutFields: readonly string[] | null = null;
  private quoteFields = false;

  private readonly states = new Map<string, SymbolState>();
  private burst: Burst | null = null;
  private tL1: TStamp | null = null;
  private tL2: TStamp | null = null;
  private readonly connects: Record<Channel, number> = { L1: 0, L2: 0, ADMIN: 0 };
  private readonly serverDown: Record<DataChannel, boolean> = { L1: false, L2: false };
  private readonly pendingDisconnect: Record<DataChannel, OpenGap | null> = { L1: null, L2: null };
  private readonly gaps: Record<DataChannel, Map<string, OpenGap>> = { L1: new Map(), L2: new Map() };
  private lastLine: number | null = null;
  private seqDone = 0;
  private emitted = 0;
  // One object reused for every market-maker quote: the book copies its fields.
  private readonly quote: { -readonly [K in keyof MakerQuote]: MakerQuote[K] } = {
    bid: 0,
    bidSize: 0,
    ask: 0,
    askSize: 0,
    bidValid: false,
    askValid: false,
  };

  constructor(options: DeriverOptions) {
    this.session = options.session;
    this.depth = options.depth ?? DEFAULT_DEPTH;
    if (!Number.isInteger(this.depth) || this.depth < 1)
      throw new RangeError(`deriver depth must be ≥ 1, got ${this.depth}`);
    this.watched = [...options.symbols];
    this.families = options.families ?? {};
    this.json = new RecordJson(options.session);
    this.lines = new RecordBytes(options.session, chunkBytesFor(options.symbols.length));
    this.tally = new DeriverTally(options.examples ?? 20);
    for (const s of this.watched) this.state(s);
  }

  get recordsEmitted(): number {
    return this.emitted;
  }

  get safeSeq(): number {
    return this.burst === null ? this.seqDone : this.burst.firstSeq - 1;
  }

  get lastSeq(): number {
    return this.seqDone;
  }

  /** Receive time (epoch µs) of the last line processed, any channel; null before the first. */
  get lastLineUs(): number | null {
    return this.lastLine;
  }

  counts(): DeriverCounts {
    return this.tally.counts();
  }

  problems(): DeriverProblems {
    return this.tally.problems();
  }

  /** Per-symbol state (books, counters) for the status page; watched symbols first. */
  symbolStates(): IterableIterator<SymbolState> {
    return this.states.values();
  }

  /** Gaps open right now per channel (they close when the symbol's data resumes). */
  openGapCount(channel: DataChannel): number {
    return this.gaps[channel].size;
  }

  push(entry: JournalEntry, out: RecordEnvelope[]): void {
    if (entry.type === 'line') this.line(entry.channel, entry.line, entry.seq, entry.receivedUs, out);
    else this.event(entry, out);
  }

  /** The end of the journal: a burst still open is complete. Gaps stay open (no record). */
  end(out: RecordEnvelope[]): void {
    this.endBurst(out);
  }

  event(e: DeriverEvent, out: RecordEnvelope[]): void {
    this.tally.events++;
    this.endBurst(out);
    if (e.seq - 1 > this.seqDone) this.seqDone = e.seq - 1;
    const ch = e.channel;
    if (ch === 'ADMIN') return;
    if (e.event === 'disconnect') {
      if (this.pendingDisconnect[ch] === null) {
        this.pendingDisconnect[ch] = { startUs: this.lastLine ?? e.us, reason: gapReason(e.reason) };
      }
    } else if (this.connects[ch]++ > 0) {
      this.boundary(
        ch,
        this.pendingDisconnect[ch] ?? { startUs: this.lastLine ?? e.us, reason: 'disconnect' },
      );
    }
    this.serverDown[ch] = false;
  }

  line(channel: Channel, text: string, seq: number, receivedUs: number, out: RecordEnvelope[]): void {
    this.tally.lines[channel]++;
    if (channel === 'L2') this.l2(text, seq, receivedUs, out);
    else if (channel === 'L1') this.l1(text, seq, receivedUs, out);
    else this.admin(text, seq);
    this.lastLine = receivedUs;
    this.seqDone = seq;
  }

  // ── boundaries and gaps ────────────────────────────────────────────────────────────────

  private boundary(ch: DataChannel, gap: OpenGap): void {
    this.pendingDisconnect[ch] = null;
    this.resetChannel(ch);
    this.openGaps(ch, gap);
  }

  /** The feed will resend everything: L2 books start over, L1 quotes are forgotten. */
  private resetChannel(ch: DataChannel): void {
    if (ch === 'L2') for (const s of this.states.values()) s.clearBooks();
    else for (const s of this.states.values()) s.hasQuote = false;
  }

  private openGaps(ch: DataChannel, gap: OpenGap): void {
    const open = this.gaps[ch];
    for (const symbol of this.watched) {
      if (!open.has(symbol)) {
        open.set(symbol, gap);
        this.state(symbol).gapsOpened++;
      }
    }
  }

  private closeGap(ch: DataChannel, symbol: string, seq: number, us: number, out: RecordEnvelope[]): void {
    const open = this.gaps[ch];
    if (open.size === 0) return;
    const gap = open.get(symbol);
    if (gap === undefined) return;
    open.delete(symbol);
    const sym = this.state(symbol);
    sym.resyncs++;
    const timestamp = easternIso(gap.startUs);
    this.lines.gap(
      sym.lines,
      this.json.gap(sym.json, timestamp, easternIso(us), us - gap.startUs, gap.reason, ch, seq),
    );
    this.emit(out, 'gaps', sym, seq, dayOf(timestamp));
  }

  private serverStatus(ch: DataChannel, status: string, us: number): void {
    if (status === 'SERVER DISCONNECTED') {
      if (!this.serverDown[ch]) {
        this.serverDown[ch] = true;
        this.openGaps(ch, { startUs: us, reason: 'server-disconnected' });
      }
    } else if (status === 'SERVER CONNECTED' && this.serverDown[ch]) {
      this.serverDown[ch] = false;
      this.resetChannel(ch);
    }
  }

  // ── records ────────────────────────────────────────────────────────────────────────────

  private state(symbol: string): SymbolState {
    let s = this.states.get(symbol);
    if (s === undefined) {
      s = new SymbolState(symbol, this.families[symbol] ?? null);
      this.states.set(symbol, s);
    }
    return s;
  }

  /** The record `this.lines` wrote last. */
  private emit(out: RecordEnvelope[], kind: RecordKind, sym: SymbolState, seq: number, day: string): void {
    const w = this.lines;
    out.push(new Envelope(kind, sym.symbol, seq, day, null, w.chunk, w.start, w.end));
    this.tally.records[kind]++;
    this.emitted++;
  }

  /** An L2 record; `day` is the timestamp's (the caller has it from `stamp`). */
  private emitL2(
    out: RecordEnvelope[],
    sym: SymbolState,
    book: OrderBook,
    seq: number,
    timestamp: string,
    day: string,
  ): void {
    this.lines.l2(sym.lines, timestamp, book, this.depth, seq);
    this.emit(out, 'l2', sym, seq, day);
  }

  private endBurst(out: RecordEnvelope[]): void {
    const b = this.burst;
    if (b === null) return;
    this.burst = null;
    const book = b.type === '7' ? b.sym.mbpBook() : b.type === '6' ? b.sym.mboBook() : b.sym.mmBook();
    this.emitL2(out, b.sym, book, b.seq, b.timestamp, b.day);
  }

  /** A summary row, already in the book (insert-or-replace): the burst's record waits for its end. */
  private summaryRow(sym: SymbolState, type: SummaryType, seq: number, timestamp: string, day: string): void {
    const b = this.burst;
    if (b === null) {
      this.burst = { sym, type, firstSeq: seq, seq, timestamp, day };
    } else {
      b.seq = seq;
      b.timestamp = timestamp;
      b.day = day;
    }
  }

  private checkFlags(flags: number, sym: SymbolState, seq: number): void {
    if (flags === 0) return;
    sym.integrityIssues++;
    this.tally.addIntegrity(seq, sym.symbol, () => integrityKinds(flags));
  }

  // ── Level 2 ────────────────────────────────────────────────────────────────────────────

  private l2(text: string, seq: number, us: number, out: RecordEnvelope[]): void {
    const m = this.l2dec.decode(text);
    if (isDecodeError(m)) {
      this.l2Malformed(text, seq, us, m, out);
      return;
    }
    const b = this.burst;
    if (
      b !== null &&
      !(
        (m.Type === '7' || m.Type === '6' || m.Type === 'Z') &&
        m.Type === b.type &&
        m.Symbol === b.sym.symbol
      )
    ) {
      this.endBurst(out);
    }
    switch (m.Type) {
      case '7':
      case '8': {
        const sym = this.dataLine('L2', m.Symbol, seq, us, out);
        const book = sym.mbpBook();
        this.checkFlags(book.upsertLevel(m.Side, m.Price, m.Size, m['Order Count'] ?? 0), sym, seq);
        const ts = stamp(m.Date, padTime(m.Time), this.tL2, us);
        const day = lastStampDay();
        if (m.Type === '7') this.summaryRow(sym, '7', seq, ts, day);
        else this.emitL2(out, sym, book, seq, ts, day);
        return;
      }
      case '9': {
        const sym = this.dataLine('L2', m.Symbol, seq, us, out);
        const book = sym.mbpBook();
        this.checkFlags(book.deleteLevel(m.Side, m.Price), sym, seq);
        const ts = stamp(m.Date, padTime(m.Time), this.tL2, us);
        this.emitL2(out, sym, book, seq, ts, lastStampDay());
        return;
      }
      case '6':
      case '3':
      case '4':
      case '0': {
        const sym = this.dataLine('L2', m.Symbol, seq, us, out);
        const book = sym.mboBook();
        const id = m['Order ID'] === null ? '' : String(m['Order ID']);
        const mmid = m.MMID ?? '';
        const flags =
          m.Type === '3'
            ? book.addOrder(id, mmid, m.Side, m.Price, m['Order Size'])
            : m.Type === '4'
              ? book.updateOrder(id, mmid, m.Side, m.Price, m['Order Size'])
              : // `6` and `0`: insert or replace.
                book.summaryOrder(id, mmid, m.Side, m.Price, m['Order Size']);
        this.checkFlags(flags, sym, seq);
        const ts = stamp(m['Order Date'], padTime(m['Order Time']), this.tL2, us);
        const day = lastStampDay();
        if (m.Type === '6') this.summaryRow(sym, '6', seq, ts, day);
        else this.emitL2(out, sym, book, seq, ts, day);
        return;
      }
      case '5': {
        const sym = this.dataLine('L2', m.Symbol, seq, us, out);
        const book = sym.mboBook();
        const id = m['Order ID'] === null ? '' : String(m['Order ID']);
        this.checkFlags(book.deleteOrder(id, m.MMID ?? '', m.Side), sym, seq);
        const ts = stamp(m['Order Date'], padTime(m['Order Time']), this.tL2, us);
        this.emitL2(out, sym, book, seq, ts, lastStampDay());
        return;
      }
      case 'Z':
      case '2':
      case 'U': {
        const sym = this.dataLine('L2', m.Symbol, seq, us, out);
        const book = sym.mmBook();
        const q = this.quote;
        const bid = m.Bid;
        const ask = m.Ask;
        const bidFlag = m.Type === 'U' ? m['Bid Valid?'] : m['Bid Info Valid'];
        const askFlag = m.Type === 'U' ? m['Ask Valid?'] : m['Ask Info Valid'];
        q.bid = bid ?? 0;
        q.ask = ask ?? 0;
        q.bidSize = m['Bid Size'] ?? 0;
        q.askSize = m['Ask Size'] ?? 0;
        // A side counts only when flagged valid with a real (positive) price: `0.` with `F` is "no quote" (§6.5).
        q.bidValid = bidFlag === 'T' && bid !== null && bid > 0;
        q.askValid = askFlag === 'T' && ask !== null && ask > 0;
        this.checkFlags(book.setQuote(m.MMID, q), sym, seq);
        const ts = stamp(m.Date, laterTime(padTime(m['Bid Time']), padTime(m['Ask Time'])), this.tL2, us);
        const day = lastStampDay();
        if (m.Type === 'Z') this.summaryRow(sym, 'Z', seq, ts, day);
        else this.emitL2(out, sym, book, seq, ts, day);
        return;
      }
      case 'S':
        if (m['System Type'] === 'CLEAR DEPTH') this.clearDepth(m.Symbol, m.Side, seq, us, out);
        else if (m['System Type'] === 'SYMBOL LIMIT REACHED')
          this.tally.addSymbolLimit(seq, 'L2', text, m.Symbol);
        else this.serverStatus('L2', m['System Type'], us);
        return;
      case 'T':
        this.tL2 = tStampOf(m.Timestamp);
        return;
      case 'n':
        this.tally.addNotFound(m.Symbol);
        return;
      case 'q':
        this.tally.addNoDepth(m.Symbol);
        return;
      case 'E':
        this.tally.addError(seq, 'L2', text, m.Error);
        return;
      default:
        // `M` (market-maker name), bare `O`: journaled, nothing to derive.
        return;
    }
  }

  /** A data line of a symbol: counted, and it closes the symbol's gap on the channel (its resync). */
  private dataLine(
    ch: DataChannel,
    symbol: string,
    seq: number,
    us: number,
    out: RecordEnvelope[],
  ): SymbolState {
    const sym = this.state(symbol);
    sym.messages++;
    this.closeGap(ch, symbol, seq, us, out);
    return sym;
  }

  /** Counted as the symbol's message, but no resync: it says the book is gone, not what it holds. */
  private clearDepth(symbol: string, side: 'A' | 'B', seq: number, us: number, out: RecordEnvelope[]): void {
    const sym = this.state(symbol);
    sym.messages++;
    const book = sym.mainBook();
    if (book instanceof MbpBook || book instanceof MboBook) this.checkFlags(book.clearSide(side), sym, seq);
    const ts = stamp(null, null, this.tL2, us);
    this.emitL2(out, sym, book, seq, ts, lastStampDay());
  }

  private l2Malformed(text: string, seq: number, us: number, err: DecodeError, out: RecordEnvelope[]): void {
    this.tally.addMalformed(seq, 'L2', text, err.error);
    const type = text.length === 1 || text.charCodeAt(1) === 44 ? text.charAt(0) : '';
    const symbol = fieldText(text, 1);
    const summary = type === '7' || type === '6' || type === 'Z' ? type : null;
    const b = this.burst;
    if (b !== null && !(summary !== null && summary === b.type && symbol === b.sym.symbol))
      this.endBurst(out);
    if (!L2_DATA_TYPES.has(type) || symbol === '') return;
    const known = this.states.get(symbol);
    if (known !== undefined) known.messages++;
    this.closeGap('L2', symbol, seq, us, out);
    if (summary === null) return;
    // An unreadable summary row is still a row of its burst: the burst ends at the seq of its last row.
    if (this.burst !== null) {
      this.burst.seq = seq;
      return;
    }
    const sym = this.state(symbol);
    const timestamp = stamp(null, null, this.tL2, us);
    this.burst = { sym, type: summary, firstSeq: seq, seq, timestamp, day: lastStampDay() };
  }

  // ── Level 1 ────────────────────────────────────────────────────────────────────────────

  private l1(text: string, seq: number, us: number, out: RecordEnvelope[]): void {
    // Q and P (most of Level 1) through the lean path; anything else, and a Q or P line it
    // finds malformed, through the decoder (which also follows the field list and protocol).
    const c = text.charCodeAt(0);
    if ((c === 81 || c === 80) && text.charCodeAt(1) === 44) {
      const q = this.quoteLine;
      if (q.read(text, c === 81 ? 'Q' : 'P', this.l1dec.fields)) {
        this.update(q, seq, us, out);
        return;
      }
    }
    const m = this.l1dec.decode(text);
    if (isDecodeError(m)) {
      this.tally.addMalformed(seq, 'L1', text, m.error);
      const type = text.charCodeAt(1) === 44 ? text.charAt(0) : '';
      const symbol = fieldText(text, 1);
      if (L1_SYMBOL_TYPES.has(type) && symbol !== '') {
        const known = this.states.get(symbol);
        if (known !== undefined) known.messages++;
        this.closeGap('L1', symbol, seq, us, out);
      }
      return;
    }
    switch (m.Type) {
      case 'Q':
      case 'P':
        // UpdateFields accepts exactly the Q and P lines the decoder accepts: never here.
        throw new L2hError('the lean Q/P path refused a line the decoder accepts', {
          code: 'INTERNAL',
          context: { seq, line: text.slice(0, 200) },
        });
      case 'F':
      case 'R':
      case 'C':
        this.dataLine('L1', m.Symbol, seq, us, out);
        return;
      case 'T':
        this.tL1 = tStampOf(m.Timestamp);
        return;
      case 'S':
        // The decoder itself follows `S,CURRENT UPDATE FIELDNAMES` (the Q/P layout).
        if (m['System Type'] === 'SYMBOL LIMIT REACHED') this.tally.addSymbolLimit(seq, 'L1', text, m.Symbol);
        else this.serverStatus('L1', m['System Type'], us);
        return;
      case 'n':
        this.tally.addNotFound(m.Symbol);
        return;
      case 'E':
        this.tally.addError(seq, 'L1', text, m.Error);
        return;
      default:
        // `N` news headlines: journaled, no record.
        return;
    }
  }

  private update(q: UpdateFields, seq: number, us: number, out: RecordEnvelope[]): void {
    const sym = this.dataLine('L1', q.symbol, seq, us, out);
    const fields = this.l1dec.fields;
    if (fields !== this.layoutFields) {
      this.layoutFields = fields;
      this.quoteFields = QUOTE_FIELDS.every((f) => fields.includes(f));
    }
    const v = q.values;
    if (this.quoteFields) {
      const bid = num(v[F_BID]);
      const bidSize = num(v[F_BID_SIZE]);
      const ask = num(v[F_ASK]);
      const askSize = num(v[F_ASK_SIZE]);
      if (
        !sym.hasQuote ||
        bid !== sym.bid ||
        bidSize !== sym.bidSize ||
        ask !== sym.ask ||
        askSize !== sym.askSize
      ) {
        sym.hasQuote = true;
        sym.bid = bid;
        sym.bidSize = bidSize;
        sym.ask = ask;
        sym.askSize = askSize;
        const time =
          laterTime(padTime(str(v[F_BID_TIME])), padTime(str(v[F_ASK_TIME]))) ??
          padTime(str(v[F_TRADE_TIME]));
        // The last T line's date first (with its time, for midnight), else the trade date.
        const ts =
          this.tL1 !== null ? stamp(null, time, this.tL1, us) : stamp(str(v[F_TRADE_DATE]), time, null, us);
        const day = lastStampDay();
        this.lines.l1(sym.lines, ts, bid, bidSize, ask, askSize, seq);
        this.emit(out, 'l1', sym, seq, day);
      }
    }
    if (q.type !== 'Q') return;
    const contents = v[F_CONTENTS];
    if (typeof contents !== 'string' || !isTrade(contents)) return;
    const price = num(v[F_TRADE]);
    if (price === null) return;
    const size = num(v[F_TRADE_SIZE]);
    const ts = stamp(str(v[F_TRADE_DATE]), padTime(str(v[F_TRADE_TIME])), this.tL1, us);
    const day = lastStampDay();
    sym.lastTradePrice = price;
    sym.lastTradeSize = size;
    sym.lastTradeTimestamp = ts;
    this.lines.tick(
      sym.lines,
      ts,
      price,
      size,
      str(v[F_CONDITIONS]),
      num(v[F_MARKET_CENTER]),
      num(v[F_TOTAL_VOLUME]),
      num(v[F_TICK_ID]),
      seq,
    );
    this.emit(out, 'ticks', sym, seq, day);
  }

  // ── admin ──────────────────────────────────────────────────────────────────────────────

  private admin(text: string, seq: number): void {
    const m = this.admindec.decode(text);
    if (isDecodeError(m)) this.tally.addMalformed(seq, 'ADMIN', text, m.error);
    else if (m.Type === 'E') this.tally.addError(seq, 'ADMIN', text, m.Error);
  }
}
