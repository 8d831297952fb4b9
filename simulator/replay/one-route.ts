/**
 * The forwarding rule of router.ts for one connection: which tape lines and which synthesized
 * `T` lines it gets. Used by the catch-up cursor (catch-up.ts), which serves a connection that
 * fell behind the live replay from the tape itself. The live router delivers by the symbol's
 * subscriber lists (fast for many connections); this asks the connection about its own watches.
 * Both must agree line for line: test/simulator/replay/catch-up.test.ts checks that a
 * connection served partly from here receives exactly the bytes of one that never fell behind.
 *
 * State is not touched here: books and L1 state are the live replay's (snapshots come from it).
 */
import type { Channel } from '../../collector/protocol/channel.js';
import { timestampLine } from '../sim-time.js';
import type { DepthFamily } from '../state/depth-state.js';
import { FieldList } from '../state/field-list.js';
import type { SentCounters } from '../stats.js';
import {
  CLEAR_DEPTH_PREFIX,
  FEED_STATUS,
  FIELDNAMES_PREFIX,
  isTradeLine,
  newsSymbols,
  type Router,
  systemKeyword,
} from './router.js';
import type { L1Subscriber, L2Subscriber } from './subscribers.js';

const COMMA = 44;

export type OneSubscriber =
  | { readonly channel: 'L1'; readonly sub: L1Subscriber }
  | { readonly channel: 'L2'; readonly sub: L2Subscriber };

export class OneRoute {
  private tapeList: FieldList;
  private messageContentsAt: number;

  constructor(
    private readonly router: Router,
    private readonly counters: SentCounters,
    private readonly target: OneSubscriber,
  ) {
    this.tapeList = router.tapeList;
    this.messageContentsAt = this.tapeList.indexOf('Message Contents');
  }

  /** Start from the live replay's Q/P layout (the layout at the line the connection left at). */
  resetTapeList(list: FieldList): void {
    this.tapeList = list;
    this.messageContentsAt = list.indexOf('Message Contents');
  }

  /** One tape line, as router.routeL1 / routeL2 would deliver it to this connection. */
  line(channel: Channel, line: string): void {
    if (channel === 'L1') {
      // The Q/P layout follows the tape whatever connection this is, as in the router.
      if (line.startsWith(FIELDNAMES_PREFIX)) this.setTapeList(line);
      else if (this.target.channel === 'L1') this.l1(this.target.sub, line);
    } else if (channel === 'L2' && this.target.channel === 'L2') this.l2(this.target.sub, line);
  }

  /** One simulated second, as router.tick would deliver it. */
  tick(simUs: number, afterEnd: boolean): void {
    const { channel, sub } = this.target;
    if (!(afterEnd || !this.router.index.tapeTimestamps[channel]) || !sub.timestampsOn) return;
    sub.out.send(timestampLine(simUs), null);
    this.counters.countChar(channel, 84, 1);
  }

  private l1(sub: L1Subscriber, line: string): void {
    const code = line.charCodeAt(0);
    if (line.charCodeAt(1) !== COMMA) {
      if (line === 'O') this.toAll('L1', sub, line);
      return;
    }
    switch (code) {
      case 81: // Q
      case 80: {
        // P
        const symbol = this.symbolOf(line, line.length);
        if (symbol === null) return;
        const kind = sub.watchKind(symbol);
        const deliver =
          kind === 'quotes' ||
          (kind === 'trades' && code === 81 && isTradeLine(line, this.messageContentsAt));
        if (deliver) this.toSymbol('L1', sub, sub.project(line, this.tapeList), symbol, code);
        return;
      }
      case 70: {
        // F
        const symbol = this.symbolOf(line, line.length);
        if (symbol !== null && sub.watchKind(symbol) === 'quotes')
          this.toSymbol('L1', sub, line, symbol, code);
        return;
      }
      case 67: {
        // C
        const symbol = this.symbolOf(line, line.length);
        if (symbol !== null && sub.watchKind(symbol) !== undefined)
          this.toSymbol('L1', sub, line, symbol, code);
        return;
      }
      case 82: {
        // R
        const symbol = this.symbolOf(line, line.length);
        if (symbol !== null && sub.regionalOn(symbol)) this.toSymbol('L1', sub, line, symbol, code);
        return;
      }
      case 78: {
        // N
        const symbols = newsSymbols(line);
        if (
          symbols !== null &&
          sub.newsOn &&
          !this.router.isLinkDown('L1') &&
          symbols.some((s) => sub.isWatching(s))
        ) {
          sub.out.send(line, null);
          this.counters.countChar('L1', 78, 1);
        }
        return;
      }
      case 84: // T
        this.toTimestamped('L1', sub, line);
        return;
      case 69: // E
        this.toAll('L1', sub, line);
        return;
      case 83: // S
        if (FEED_STATUS.has(systemKeyword(line))) this.toAll('L1', sub, line);
        return;
    }
  }

  private l2(sub: L2Subscriber, line: string): void {
    const code = line.charCodeAt(0);
    if (line.charCodeAt(1) !== COMMA) {
      if (line === 'O') this.toAll('L2', sub, line);
      return;
    }
    switch (code) {
      case 48: // 0
      case 51: // 3
      case 52: // 4
      case 53: // 5
      case 54: // 6
        this.depthRow(sub, code, line, 'mbo');
        return;
      case 55: // 7
      case 56: // 8
      case 57: // 9
        this.depthRow(sub, code, line, 'mbp');
        return;
      case 90: // Z
      case 50: // 2
      case 85: // U
        this.depthRow(sub, code, line, 'mm');
        return;
      case 84: // T
        this.toTimestamped('L2', sub, line);
        return;
      case 69: // E
        this.toAll('L2', sub, line);
        return;
      case 83: {
        // S
        if (line.startsWith(CLEAR_DEPTH_PREFIX)) {
          const symEnd = line.indexOf(',', CLEAR_DEPTH_PREFIX.length);
          const symbol = line.slice(CLEAR_DEPTH_PREFIX.length, symEnd < 0 ? line.length : symEnd);
          if (this.router.entry(symbol) && sub.watchesDepth(symbol, null))
            this.toSymbol('L2', sub, line, symbol, 83);
          return;
        }
        if (FEED_STATUS.has(systemKeyword(line))) this.toAll('L2', sub, line);
        return;
      }
    }
  }

  private depthRow(sub: L2Subscriber, code: number, line: string, family: DepthFamily): void {
    const symEnd = line.indexOf(',', 2);
    if (symEnd < 0) return;
    const symbol = this.symbolOf(line, symEnd);
    if (symbol !== null && sub.watchesDepth(symbol, family)) this.toSymbol('L2', sub, line, symbol, code);
  }

  /** The symbol at [2, end) when the tape holds it (the router forwards nothing else). */
  private symbolOf(line: string, fallbackEnd: number): string | null {
    const comma = line.indexOf(',', 2);
    const symbol = line.slice(2, comma < 0 ? fallbackEnd : comma);
    return this.router.entry(symbol) ? symbol : null;
  }

  private toSymbol(
    channel: 'L1' | 'L2',
    sub: L1Subscriber | L2Subscriber,
    line: string,
    symbol: string,
    code: number,
  ): void {
    // A connection served from the tape while the link is down loses what the live ones lose.
    if (this.router.isLinkDown(channel)) return;
    sub.out.send(line, symbol);
    this.router.entry(symbol)?.count(channel, 1);
    this.counters.countChar(channel, code, 1);
  }

  private toAll(channel: 'L1' | 'L2', sub: L1Subscriber | L2Subscriber, line: string): void {
    if (this.router.isLinkDown(channel)) return;
    sub.out.send(line, null);
    this.counters.countLine(channel, line, null, 1);
  }

  private toTimestamped(channel: 'L1' | 'L2', sub: L1Subscriber | L2Subscriber, line: string): void {
    if (!sub.timestampsOn) return;
    sub.out.send(line, null);
    this.counters.countChar(channel, 84, 1);
  }

  private setTapeList(line: string): void {
    const next = new FieldList(line.slice(FIELDNAMES_PREFIX.length).split(','));
    if (!next.sameAs(this.tapeList)) this.resetTapeList(next);
  }
}
