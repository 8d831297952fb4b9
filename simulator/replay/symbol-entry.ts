/**
 * Everything the replay keeps per symbol, in one object so a tape line costs one map lookup:
 * the state snapshots are built from, the connections subscribed to each kind of line, and the
 * symbol's sent-lines counters.
 */
import type { Channel } from '../../collector/protocol/channel.js';
import { type DepthFamily, DepthState } from '../state/depth-state.js';
import { L1SymbolState } from '../state/l1-state.js';
import type { SymbolCounts } from '../stats.js';
import type { L1Subscriber, L2Subscriber } from './subscribers.js';

export type L1WatchKind = 'quotes' | 'trades' | 'regional';

export class SymbolEntry {
  readonly l1: L1SymbolState;
  readonly depth = new DepthState();
  /** `w` watchers: every Q/P/F/C line. */
  l1Quotes: L1Subscriber[] = [];
  /** `t` watchers: trades (Q lines with C/E/O in Message Contents) and corrections. */
  l1Trades: L1Subscriber[] = [];
  /** `S,REGON` subscribers: R lines. */
  l1Regional: L1Subscriber[] = [];
  /** L2 watchers per family: WPL (mbp), WOR (mbo), legacy w (mm). */
  readonly l2: Record<DepthFamily, L2Subscriber[]> = { mbp: [], mbo: [], mm: [] };
  /** Every connection with any L2 watch of the symbol, once each (for S,CLEAR DEPTH). */
  l2Any: L2Subscriber[] = [];

  constructor(
    readonly symbol: string,
    readonly families: ReadonlySet<DepthFamily>,
    readonly sent: SymbolCounts,
  ) {
    this.l1 = new L1SymbolState(symbol);
  }

  addL1(kind: L1WatchKind, sub: L1Subscriber): void {
    const list = this.l1List(kind);
    if (!list.includes(sub)) this.setL1List(kind, [...list, sub]);
  }

  removeL1(kind: L1WatchKind, sub: L1Subscriber): void {
    const list = this.l1List(kind);
    if (list.includes(sub))
      this.setL1List(
        kind,
        list.filter((s) => s !== sub),
      );
  }

  addL2(family: DepthFamily, sub: L2Subscriber): void {
    if (!this.l2[family].includes(sub)) this.l2[family] = [...this.l2[family], sub];
    this.refreshL2Any();
  }

  removeL2(family: DepthFamily, sub: L2Subscriber): void {
    this.l2[family] = this.l2[family].filter((s) => s !== sub);
    this.refreshL2Any();
  }

  count(channel: Channel, n: number): void {
    if (channel !== 'ADMIN') this.sent[channel] += n;
  }

  private l1List(kind: L1WatchKind): L1Subscriber[] {
    return kind === 'quotes' ? this.l1Quotes : kind === 'trades' ? this.l1Trades : this.l1Regional;
  }

  // Lists are replaced, never mutated, so a delivery loop in progress is never disturbed.
  private setL1List(kind: L1WatchKind, list: L1Subscriber[]): void {
    if (kind === 'quotes') this.l1Quotes = list;
    else if (kind === 'trades') this.l1Trades = list;
    else this.l1Regional = list;
  }

  private refreshL2Any(): void {
    const all = new Set<L2Subscriber>([...this.l2.mbp, ...this.l2.mbo, ...this.l2.mm]);
    this.l2Any = [...all];
  }
}
