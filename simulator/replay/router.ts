/**
 * The forwarding rule: which tape line goes to which connection. Each tape line is classified
 * by its type char and symbol only (parsing whole lines would cap the replay rate), applied to
 * the symbol's state (for snapshots), then queued on the connections it is for.
 *
 * Forwarded:
 * - L1 `Q`/`P`/`F`/`C` of a symbol to its `w` watchers; Q/P re-projected to each client's field
 *   list. To `t` watchers only trades: `Q` whose Message Contents holds C, E or O, and `C`
 *   corrections. `R` only to connections that sent `S,REGON,<sym>`. `N` only to connections with
 *   `S,NEWSON` that watch a symbol of the headline's symbol list.
 * - L2 `0 3 4 5 6` to WOR watchers, `7 8 9` to WPL watchers, `Z 2 U` to legacy `w` watchers,
 *   `S,CLEAR DEPTH,<sym>,…` to every connection with any L2 watch of the symbol.
 * - Feed status (`S,SERVER CONNECTED`, `S,SERVER DISCONNECTED`, `S,SERVER RECONNECT FAILED`),
 *   `E` lines and bare `O` lines to every connection of the channel.
 * - `T` lines of the tape to every connection of the channel with timestamps on; when the tape
 *   has T lines on a channel none are synthesized there (never both).
 *
 * - While IQConnect's link to DTN is down on a channel (`setLinkDown`), nothing of the tape but
 *   `T` reaches that channel's connections: IQConnect receives nothing meanwhile, so it has
 *   nothing to forward. The lines still update the symbols' state, which is what DTN sends again
 *   on reconnect (the sessions' resync). They are counted in `lostToLinkDown`.
 *
 * Not forwarded, because they answered the recording client's own commands: `S,KEY`, `S,IP`,
 * `S,CUST`, `S,CURRENT PROTOCOL`, `S,*FIELDNAMES`, `S,WATCHES`, `S,CURRENT LOG LEVELS`,
 * `S,STATS`, any other `S` line, `n`, `q`, `M`, and every ADMIN-channel line. The tape's
 * `S,CURRENT UPDATE FIELDNAMES` is consumed: it tells the tape's Q/P layout. Lines of a type no
 * rule names are counted as not forwarded.
 */
import type { Channel } from '../../collector/protocol/channel.js';
import { timestampLine } from '../sim-time.js';
import { FieldList } from '../state/field-list.js';
import type { SentCounters } from '../stats.js';
import { DEFAULT_TAPE_FIELDS } from './l1-fields.js';
import type { L1Subscriber, L2Subscriber, StreamSubscriber } from './subscribers.js';
import { SymbolEntry } from './symbol-entry.js';
import type { TapeIndex } from './tape-index.js';

const COMMA = 44;
export const FEED_STATUS: ReadonlySet<string> = new Set([
  'SERVER CONNECTED',
  'SERVER DISCONNECTED',
  'SERVER RECONNECT FAILED',
]);
export const FIELDNAMES_PREFIX = 'S,CURRENT UPDATE FIELDNAMES,';
export const CLEAR_DEPTH_PREFIX = 'S,CLEAR DEPTH,';
const L1_COMPACT_EVERY = 1 << 18;

export class Router {
  private readonly entries = new Map<string, SymbolEntry>();
  private readonly cache: (SymbolEntry | undefined)[] = new Array(256).fill(undefined);
  /** Connections per channel, in accept order. */
  l1Sessions: L1Subscriber[] = [];
  l2Sessions: L2Subscriber[] = [];
  /** The Q/P layout of the tape's L1 lines right now. */
  tapeList = new FieldList(DEFAULT_TAPE_FIELDS);
  private messageContentsAt = this.tapeList.indexOf('Message Contents');
  /** Tape lines that no rule forwards (counted, not sent). */
  notForwarded = 0;
  /** Tape lines not sent because their channel's link was down (once per line, not per client). */
  lostToLinkDown = 0;
  private downL1 = false;
  private downL2 = false;
  /** Lines since the kept rows were last given their own memory. */
  private sinceCompact = 0;

  constructor(
    readonly index: TapeIndex,
    private readonly counters: SentCounters,
  ) {
    for (const symbol of index.symbols) {
      this.entries.set(
        symbol,
        new SymbolEntry(symbol, index.depth.get(symbol) ?? new Set(), counters.symbol(symbol)),
      );
    }
  }

  /** IQConnect's link to DTN for this channel went down (true) or came back (false). */
  setLinkDown(channel: 'L1' | 'L2', down: boolean): void {
    if (channel === 'L1') this.downL1 = down;
    else this.downL2 = down;
  }

  isLinkDown(channel: Channel): boolean {
    return channel === 'L1' ? this.downL1 : channel === 'L2' ? this.downL2 : false;
  }

  /** The symbol's entry, or undefined when the tape does not hold it. */
  entry(symbol: string): SymbolEntry | undefined {
    return this.entries.get(symbol);
  }

  addSession(channel: 'L1', sub: L1Subscriber): void;
  addSession(channel: 'L2', sub: L2Subscriber): void;
  addSession(channel: 'L1' | 'L2', sub: L1Subscriber | L2Subscriber): void {
    if (channel === 'L1') this.l1Sessions = [...this.l1Sessions, sub as L1Subscriber];
    else this.l2Sessions = [...this.l2Sessions, sub as L2Subscriber];
  }

  removeSession(sub: StreamSubscriber): void {
    this.l1Sessions = this.l1Sessions.filter((s) => s !== sub);
    this.l2Sessions = this.l2Sessions.filter((s) => s !== sub);
  }

  /**
   * Synthesized `T` for one simulated second, on the channels whose tape has none; after the
   * tape (`afterEnd`) on both channels, since the tape's own are over.
   */
  tick(simUs: number, afterEnd = false): void {
    const synthL1 = (afterEnd || !this.index.tapeTimestamps.L1) && this.l1Sessions.length > 0;
    const synthL2 = (afterEnd || !this.index.tapeTimestamps.L2) && this.l2Sessions.length > 0;
    if (!synthL1 && !synthL2) return;
    const line = timestampLine(simUs);
    if (synthL1) this.toTimestamped('L1', this.l1Sessions, line);
    if (synthL2) this.toTimestamped('L2', this.l2Sessions, line);
  }

  /**
   * Every 256k lines, copy the L1 lines the state keeps out of the reader's pieces (see
   * ownCopy): two a symbol, kept as they are on the hot path. Book rows are copied as they are
   * kept (depth-state.ts).
   */
  private maybeCompactL1(): void {
    if (++this.sinceCompact < L1_COMPACT_EVERY) return;
    this.sinceCompact = 0;
    for (const e of this.entries.values()) e.l1.compact();
  }

  routeL2(line: string): void {
    this.maybeCompactL1();
    const code = line.charCodeAt(0);
    if (line.charCodeAt(1) !== COMMA) {
      if (line === 'O') this.toAll('L2', this.l2Sessions, line);
      else this.notForwarded++;
      return;
    }
    switch (code) {
      case 48: // 0
      case 51: // 3
      case 52: // 4
      case 53: // 5
      case 54: // 6
        this.depthRow(code, line, 'mbo');
        return;
      case 55: // 7
      case 56: // 8
      case 57: // 9
        this.depthRow(code, line, 'mbp');
        return;
      case 90: // Z
      case 50: // 2
      case 85: // U
        this.depthRow(code, line, 'mm');
        return;
      case 84: // T
        this.toTimestamped('L2', this.l2Sessions, line);
        return;
      case 69: // E
        this.toAll('L2', this.l2Sessions, line);
        return;
      case 83: // S
        this.systemL2(line);
        return;
      default:
        this.notForwarded++;
    }
  }

  routeL1(line: string): void {
    this.maybeCompactL1();
    const code = line.charCodeAt(0);
    if (line.charCodeAt(1) !== COMMA) {
      if (line === 'O') this.toAll('L1', this.l1Sessions, line);
      else this.notForwarded++;
      return;
    }
    switch (code) {
      case 81: // Q
      case 80: {
        // P
        const e = this.entryOf(line);
        if (!e) break;
        e.l1.onQuote(line, this.tapeList);
        if (e.l1Quotes.length > 0) this.toProjected(e, e.l1Quotes, line, code);
        if (code === 81 && e.l1Trades.length > 0 && this.isTrade(line))
          this.toProjected(e, e.l1Trades, line, code);
        return;
      }
      case 70: {
        // F
        const e = this.entryOf(line);
        if (!e) break;
        e.l1.onFundamental(line);
        if (e.l1Quotes.length > 0) this.toSubs('L1', e, e.l1Quotes, line, code);
        return;
      }
      case 67: {
        // C
        const e = this.entryOf(line);
        if (!e) break;
        if (e.l1Quotes.length > 0) this.toSubs('L1', e, e.l1Quotes, line, code);
        if (e.l1Trades.length > 0) this.toSubs('L1', e, e.l1Trades, line, code);
        return;
      }
      case 82: {
        // R
        const e = this.entryOf(line);
        if (!e) break;
        if (e.l1Regional.length > 0) this.toSubs('L1', e, e.l1Regional, line, code);
        return;
      }
      case 78: // N
        this.news(line);
        return;
      case 84: // T
        this.toTimestamped('L1', this.l1Sessions, line);
        return;
      case 69: // E
        this.toAll('L1', this.l1Sessions, line);
        return;
      case 83: // S
        this.systemL1(line);
        return;
    }
    this.notForwarded++;
  }

  private depthRow(code: number, line: string, family: 'mbp' | 'mbo' | 'mm'): void {
    const symEnd = line.indexOf(',', 2);
    const e = symEnd < 0 ? undefined : this.entryAt(line, symEnd);
    if (!e) {
      this.notForwarded++;
      return;
    }
    e.depth.apply(code, line, symEnd);
    const subs = e.l2[family];
    if (subs.length > 0) this.toSubs('L2', e, subs, line, code);
  }

  private systemL1(line: string): void {
    if (line.startsWith(FIELDNAMES_PREFIX)) {
      this.setTapeList(line.slice(FIELDNAMES_PREFIX.length).split(','));
      return;
    }
    if (FEED_STATUS.has(systemKeyword(line))) this.toAll('L1', this.l1Sessions, line);
    else this.notForwarded++;
  }

  private systemL2(line: string): void {
    if (line.startsWith(CLEAR_DEPTH_PREFIX)) {
      const symEnd = line.indexOf(',', CLEAR_DEPTH_PREFIX.length);
      const symbol = line.slice(CLEAR_DEPTH_PREFIX.length, symEnd < 0 ? line.length : symEnd);
      const e = this.entries.get(symbol);
      if (!e) {
        this.notForwarded++;
        return;
      }
      if (symEnd >= 0) e.depth.clear(line.charAt(symEnd + 1));
      if (e.l2Any.length > 0) this.toSubs('L2', e, e.l2Any, line, 83);
      return;
    }
    if (FEED_STATUS.has(systemKeyword(line))) this.toAll('L2', this.l2Sessions, line);
    else this.notForwarded++;
  }

  /** A news headline goes to NEWSON connections that watch one of its symbols. */
  private news(line: string): void {
    const symbols = newsSymbols(line);
    if (symbols === null) {
      this.notForwarded++;
      return;
    }
    if (this.downL1) {
      this.lostToLinkDown++;
      return;
    }
    let n = 0;
    for (const s of this.l1Sessions) {
      if (s.newsOn && symbols.some((sym) => s.isWatching(sym))) {
        s.out.send(line, null);
        n++;
      }
    }
    if (n > 0) this.counters.countChar('L1', 78, n);
  }

  private setTapeList(names: readonly string[]): void {
    const next = new FieldList(names);
    if (next.sameAs(this.tapeList)) return;
    for (const e of this.entries.values()) e.l1.carryOver(next);
    this.tapeList = next;
    this.messageContentsAt = next.indexOf('Message Contents');
  }

  private isTrade(line: string): boolean {
    return isTradeLine(line, this.messageContentsAt);
  }

  private entryOf(line: string): SymbolEntry | undefined {
    const symEnd = line.indexOf(',', 2);
    return this.entryAt(line, symEnd < 0 ? line.length : symEnd);
  }

  /**
   * The entry of the symbol at [2, symEnd). A small direct-mapped cache (by length and a few
   * chars) answers most lines without cutting the symbol out of the line and hashing it.
   */
  private entryAt(line: string, symEnd: number): SymbolEntry | undefined {
    const len = symEnd - 2;
    const slot = (len * 31 + line.charCodeAt(2) * 7 + line.charCodeAt(symEnd - 1)) & 255;
    const cached = this.cache[slot];
    if (cached !== undefined && cached.symbol.length === len && line.startsWith(cached.symbol, 2))
      return cached;
    const e = this.entries.get(line.slice(2, symEnd));
    if (e) this.cache[slot] = e;
    return e;
  }

  private toSubs(
    channel: Channel,
    e: SymbolEntry,
    subs: readonly StreamSubscriber[],
    line: string,
    code: number,
  ): void {
    if (channel === 'L1' ? this.downL1 : this.downL2) {
      this.lostToLinkDown++;
      return;
    }
    const symbol = e.symbol;
    for (let i = 0; i < subs.length; i++) subs[i].out.send(line, symbol);
    e.count(channel, subs.length);
    this.counters.countChar(channel, code, subs.length);
  }

  private toProjected(e: SymbolEntry, subs: readonly L1Subscriber[], line: string, code: number): void {
    if (this.downL1) {
      this.lostToLinkDown++;
      return;
    }
    const symbol = e.symbol;
    const list = this.tapeList;
    for (let i = 0; i < subs.length; i++) subs[i].out.send(subs[i].project(line, list), symbol);
    e.count('L1', subs.length);
    this.counters.countChar('L1', code, subs.length);
  }

  private toAll(channel: Channel, subs: readonly StreamSubscriber[], line: string): void {
    if (this.isLinkDown(channel)) {
      this.lostToLinkDown++;
      return;
    }
    for (let i = 0; i < subs.length; i++) subs[i].out.send(line, null);
    this.counters.countLine(channel, line, null, subs.length);
  }

  private toTimestamped(channel: Channel, subs: readonly StreamSubscriber[], line: string): void {
    let n = 0;
    for (let i = 0; i < subs.length; i++) {
      if (subs[i].timestampsOn) {
        subs[i].out.send(line, null);
        n++;
      }
    }
    if (n > 0) this.counters.countChar(channel, 84, n);
  }
}

/**
 * A Q line is a trade when its Message Contents (field `at` of the tape's list) holds C, E or O;
 * every Q line is when the list has no Message Contents.
 */
export function isTradeLine(line: string, at: number): boolean {
  if (at < 0) return true;
  let pos = 0;
  for (let i = 0; i <= at; i++) {
    pos = line.indexOf(',', pos + 1);
    if (pos < 0) return false;
  }
  const end = line.indexOf(',', pos + 1);
  const contents = line.slice(pos + 1, end < 0 ? line.length : end);
  return contents.includes('C') || contents.includes('E') || contents.includes('O');
}

/** The symbol list of an `N` headline, null when the line has none. */
export function newsSymbols(line: string): string[] | null {
  let pos = 0;
  for (let i = 0; i < 3 && pos >= 0; i++) pos = line.indexOf(',', pos + 1);
  const end = pos < 0 ? -1 : line.indexOf(',', pos + 1);
  if (end < 0) return null;
  return line
    .slice(pos + 1, end)
    .split(':')
    .filter((s) => s !== '');
}

/** `S,<KEYWORD>[,…]` → KEYWORD. */
export function systemKeyword(line: string): string {
  const end = line.indexOf(',', 2);
  return line.slice(2, end < 0 ? line.length : end);
}
