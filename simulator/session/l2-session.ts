/**
 * A Level 2 (port 9200) connection: `S,SERVER CONNECTED` on accept (CRLF), then depth watches —
 * `WPL` by price, `WOR` by order, and the legacy market-maker `w` (IQFEED-PROTOCOL.md §3.2, §6).
 *
 * `n,<sym>` when the tape does not hold the symbol; `q,<sym>` when it holds no depth of the
 * family asked for (WPL needs price levels; WOR needs order or market-maker rows; `w` needs
 * legacy Z/2/U rows). A watch mid-replay first gets the family's summary rows built from the
 * simulator's own book (`7` for WPL, `6` for WOR, `Z` for `w`; bids best first, then asks); an
 * empty book sends none. Watching again re-sends the summary (a resync).
 *
 * Leniency: the legacy `w<sym>` is accepted under protocol 6.2 too. One client refuses to send it
 * under 6.2 and IQConnect 6.2's answer to it is not documented; the simulator answers with the
 * 6.1 form (Z rows, then 2 updates) so a legacy client can be tested against a 6.2 tape.
 * `WPL,<sym>,<levels>` is accepted but the level cap is not applied. `m<MMID>`, whose reply
 * text the tape cannot supply, is answered with the syntax error. `x` takes IQConnect's depth
 * link down and `c` brings it back, for every L2 connection (hub.setServerLink); when it already
 * is so, only the requester is told its status.
 */
import type { ClientCommand } from '../../collector/protocol/index.js';
import type { L2Subscriber } from '../replay/subscribers.js';
import type { DepthFamily } from '../state/depth-state.js';
import type { SessionContext } from './context.js';
import type { ConnectionOutput } from './output.js';
import { Session, statusLine } from './session.js';

export class L2Session extends Session implements L2Subscriber {
  /** Watched symbols in first-watch order, with the families watched. */
  private readonly watches = new Map<string, Set<DepthFamily>>();

  constructor(
    ctx: SessionContext,
    id: number,
    out: ConnectionOutput,
    remote: string,
    connectedSimUs: number,
  ) {
    super(ctx, id, 'L2', out, remote, connectedSimUs);
    this.reply(statusLine(ctx.serverLinkUp('L2')));
  }

  symbolCount(): number {
    return this.watches.size;
  }

  watchedSymbols(): Iterable<string> {
    return this.watches.keys();
  }

  watchesDepth(symbol: string, family: DepthFamily | null): boolean {
    const fams = this.watches.get(symbol);
    return fams !== undefined && (family === null ? fams.size > 0 : fams.has(family));
  }

  /** Off the live replay's subscriber lists, watches kept (the connection fell behind). */
  leaveReplay(): void {
    this.ctx.router.removeSession(this);
    for (const [symbol, fams] of this.watches) {
      const e = this.ctx.router.entry(symbol);
      for (const f of fams) e?.removeL2(f, this);
    }
  }

  /** Back on the live replay's lists with every watch it holds (it caught up). */
  joinReplay(): void {
    this.ctx.router.addSession('L2', this);
    for (const [symbol, fams] of this.watches) {
      const e = this.ctx.router.entry(symbol);
      for (const f of fams) e?.addL2(f, this);
    }
  }

  detach(): void {
    for (const symbol of [...this.watches.keys()]) this.unwatch(symbol, null);
  }

  protected handle(cmd: ClientCommand): boolean {
    switch (cmd.Command) {
      case 'WPL':
        this.watch(cmd.Symbol, 'mbp');
        return true;
      case 'WOR':
        this.watch(cmd.Symbol, 'mbo');
        return true;
      case 'w':
        this.watch(cmd.Symbol, 'mm');
        return true;
      case 'RPL':
        this.unwatch(cmd.Symbol, 'mbp');
        return true;
      case 'ROR':
        this.unwatch(cmd.Symbol, 'mbo');
        return true;
      case 'r':
        this.unwatch(cmd.Symbol, null);
        return true;
      case 'REQUEST WATCHES':
        this.reply(['S,WATCHES', ...this.watches.keys()].join(','));
        return true;
      case 'UNWATCH ALL':
        for (const symbol of [...this.watches.keys()]) this.unwatch(symbol, null);
        return true;
      case 'TIMESTAMPSON':
        this.timestampsOn = true;
        return true;
      case 'TIMESTAMPSOFF':
        this.timestampsOn = false;
        return true;
      case 'c':
      case 'x': {
        const up = cmd.Command === 'c';
        if (!this.ctx.setServerLink(['L2'], up, `L2 ${cmd.Command}`)) this.reply(statusLine(up));
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * The depth link went down: the status, then both sides of every watched book cleared
   * (IQFEED-PROTOCOL.md §10: a depth client expects CLEAR DEPTH for the affected books).
   */
  serverDisconnected(): void {
    this.reply(statusLine(false));
    for (const symbol of this.watches.keys()) {
      this.reply(`S,CLEAR DEPTH,${symbol},B,`, symbol);
      this.reply(`S,CLEAR DEPTH,${symbol},A,`, symbol);
    }
  }

  /** The depth link is back: the status, then the summary rows of every watched book (re-added). */
  serverConnected(): void {
    this.reply(statusLine(true));
    for (const [symbol, fams] of this.watches) {
      const e = this.ctx.router.entry(symbol);
      if (!e) continue;
      for (const f of fams) for (const row of e.depth.summary(f)) this.reply(row, symbol);
    }
  }

  private watch(symbol: string, family: DepthFamily): void {
    const e = this.ctx.router.entry(symbol);
    if (!e) {
      this.reply(`n,${symbol}`, symbol);
      return;
    }
    const has = family === 'mbo' ? e.families.has('mbo') || e.families.has('mm') : e.families.has(family);
    this.ctx.noteWatch('L2', symbol);
    if (!has) {
      this.reply(`q,${symbol}`, symbol);
      return;
    }
    let fams = this.watches.get(symbol);
    if (!fams && this.atSymbolLimit()) {
      this.reply(`S,SYMBOL LIMIT REACHED,${symbol}`, symbol);
      return;
    }
    if (!fams) {
      fams = new Set();
      this.watches.set(symbol, fams);
    }
    fams.add(family);
    e.addL2(family, this);
    this.ctx.watchesChanged();
    for (const row of e.depth.summary(family)) this.reply(row, symbol);
  }

  /** Remove one family's watch, or every L2 watch of the symbol when `family` is null. */
  private unwatch(symbol: string, family: DepthFamily | null): void {
    const fams = this.watches.get(symbol);
    if (!fams) return;
    const e = this.ctx.router.entry(symbol);
    for (const f of family === null ? [...fams] : [family]) {
      if (fams.delete(f)) e?.removeL2(f, this);
    }
    if (fams.size === 0) {
      this.watches.delete(symbol);
      this.ctx.watchesChanged();
    }
  }
}
