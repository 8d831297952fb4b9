/**
 * A Level 1 (port 5009) connection: the banner, watches (`w` quotes and trades, `t` trades only,
 * `r` unwatch, `f` refresh), field selection, regional quotes, news, timestamps and the field-name
 * requests (IQFEED-PROTOCOL.md §3.1, §4, §5).
 *
 * A watch of a symbol the tape does not hold is answered `n,<sym>`. A watch of a known symbol
 * gets the symbol's current state first, as IQConnect sends it: `F` then `P` in this client's
 * field list; when nothing of the symbol has been replayed yet there is no state and nothing is
 * sent (the tape's own F/P/Q lines follow). Watching an already watched symbol re-sends the
 * state (a resync), as `f` does.
 */
import { type ClientCommand, normalizeUpdateFields } from '../../collector/protocol/index.js';
import {
  ALL_UPDATE_FIELDS,
  DEFAULT_TAPE_FIELDS,
  FUNDAMENTAL_FIELD_NAMES,
  isSelectableField,
} from '../replay/l1-fields.js';
import type { L1Subscriber } from '../replay/subscribers.js';
import type { L1WatchKind, SymbolEntry } from '../replay/symbol-entry.js';
import { timestampLine } from '../sim-time.js';
import { FieldList } from '../state/field-list.js';
import type { SessionContext } from './context.js';
import type { ConnectionOutput } from './output.js';
import { Session, SYNTAX_ERROR, statusLine } from './session.js';

const DEFAULT_LIST = new FieldList(DEFAULT_TAPE_FIELDS);

export class L1Session extends Session implements L1Subscriber {
  newsOn = false;
  private fields: FieldList = DEFAULT_LIST;
  /** Watched symbols in the order they were first watched (S,WATCHES lists them so). */
  private readonly watches = new Map<string, 'quotes' | 'trades'>();
  private readonly regional = new Set<string>();
  /** Projector from the tape list with this id to this client's list. */
  private projectFrom = -1;
  private projectFn: ((line: string) => string) | null = null;

  constructor(
    ctx: SessionContext,
    id: number,
    out: ConnectionOutput,
    remote: string,
    connectedSimUs: number,
  ) {
    super(ctx, id, 'L1', out, remote, connectedSimUs);
    this.reply('S,KEY,99999');
    this.reply(ctx.serverLinkUp('L1') ? 'S,SERVER CONNECTED' : 'S,SERVER DISCONNECTED');
    this.reply(ctx.banner.ip);
    this.reply(ctx.banner.cust);
  }

  project(line: string, tapeList: FieldList): string {
    if (this.projectFrom !== tapeList.id) {
      this.projectFrom = tapeList.id;
      this.projectFn = this.fields.sameAs(tapeList) ? null : this.ctx.projector(tapeList, this.fields);
    }
    return this.projectFn === null ? line : this.projectFn(line);
  }

  isWatching(symbol: string): boolean {
    return this.watches.has(symbol);
  }

  watchKind(symbol: string): 'quotes' | 'trades' | undefined {
    return this.watches.get(symbol);
  }

  regionalOn(symbol: string): boolean {
    return this.regional.has(symbol);
  }

  /** Off the live replay's subscriber lists, watches kept (the connection fell behind). */
  leaveReplay(): void {
    this.ctx.router.removeSession(this);
    for (const [symbol, kind] of this.watches) this.ctx.router.entry(symbol)?.removeL1(kind, this);
    for (const symbol of this.regional) this.ctx.router.entry(symbol)?.removeL1('regional', this);
  }

  /** Back on the live replay's lists with every watch it holds (it caught up). */
  joinReplay(): void {
    this.ctx.router.addSession('L1', this);
    for (const [symbol, kind] of this.watches) this.ctx.router.entry(symbol)?.addL1(kind, this);
    for (const symbol of this.regional) this.ctx.router.entry(symbol)?.addL1('regional', this);
  }

  symbolCount(): number {
    return this.watches.size;
  }

  watchedSymbols(): Iterable<string> {
    return this.watches.keys();
  }

  override regionalCount(): number {
    return this.regional.size;
  }

  detach(): void {
    for (const symbol of [...this.watches.keys()]) this.unwatch(symbol);
    for (const symbol of [...this.regional]) this.ctx.router.entry(symbol)?.removeL1('regional', this);
    this.regional.clear();
  }

  protected override onProtocol(version: string): void {
    super.onProtocol(version);
    if (this.protocol === version) this.reply(this.currentFieldsLine());
  }

  protected handle(cmd: ClientCommand): boolean {
    switch (cmd.Command) {
      case 'w':
        this.watch(cmd.Symbol, 'quotes');
        return true;
      case 't':
        this.watch(cmd.Symbol, 'trades');
        return true;
      case 'r':
        this.unwatch(cmd.Symbol);
        return true;
      case 'f': {
        const e = this.watches.has(cmd.Symbol) ? this.ctx.router.entry(cmd.Symbol) : undefined;
        if (e) this.sendState(e);
        return true;
      }
      case 'T':
        this.reply(timestampLine(this.ctx.simNowUs()));
        return true;
      case 'SELECT UPDATE FIELDS':
        this.select(cmd.Args);
        return true;
      case 'REQUEST CURRENT UPDATE FIELDNAMES':
        this.reply(this.currentFieldsLine());
        return true;
      case 'REQUEST ALL UPDATE FIELDNAMES':
        this.reply(`S,UPDATE FIELDNAMES,${ALL_UPDATE_FIELDS.join(',')}`);
        return true;
      case 'REQUEST FUNDAMENTAL FIELDNAMES':
        this.reply(`S,FUNDAMENTAL FIELDNAMES,${FUNDAMENTAL_FIELD_NAMES.join(',')}`);
        return true;
      case 'REQUEST WATCHES':
        this.reply(['S,WATCHES', ...this.watches.keys()].join(','));
        return true;
      case 'REQUEST STATS':
        this.reply(this.ctx.statsLine());
        return true;
      case 'UNWATCH ALL':
        for (const symbol of [...this.watches.keys()]) this.unwatch(symbol);
        return true;
      case 'TIMESTAMPSON':
        this.timestampsOn = true;
        return true;
      case 'TIMESTAMPSOFF':
        this.timestampsOn = false;
        return true;
      case 'REGON': {
        const symbol = cmd.Args[0];
        const e = this.ctx.router.entry(symbol);
        if (!e) this.reply(`n,${symbol}`, symbol);
        else {
          this.regional.add(symbol);
          e.addL1('regional', this);
        }
        return true;
      }
      case 'REGOFF':
        this.regional.delete(cmd.Args[0]);
        this.ctx.router.entry(cmd.Args[0])?.removeL1('regional', this);
        return true;
      case 'NEWSON':
        this.newsOn = true;
        return true;
      case 'NEWSOFF':
        this.newsOn = false;
        return true;
      case 'SET LOG LEVELS':
        this.reply(`S,CURRENT LOG LEVELS,${cmd.Args.join(',')}`);
        return true;
      case 'KEY':
        this.reply('S,KEYOK');
        return true;
      case 'CONNECT':
      case 'DISCONNECT': {
        const up = cmd.Command === 'CONNECT';
        // Already so: the requester alone is told the status it asked for.
        if (!this.ctx.setServerLink(['L1', 'L2'], up, `L1 S,${cmd.Command}`)) this.reply(statusLine(up));
        return true;
      }
      default:
        return false;
    }
  }

  /** IQConnect lost DTN: the client is told; its watches stay (nothing comes until reconnect). */
  serverDisconnected(): void {
    this.reply(statusLine(false));
  }

  /**
   * IQConnect is back: the status, then F and P of every watched symbol. Whether IQConnect
   * resumes watches is not established (§10); it does here, with the state a client missed,
   * which is what a client following PY's advice (`f<SYM>` for each watch) would get.
   */
  serverConnected(): void {
    this.reply(statusLine(true));
    for (const symbol of this.watches.keys()) {
      const e = this.ctx.router.entry(symbol);
      if (e) this.sendState(e);
    }
  }

  private watch(symbol: string, kind: 'quotes' | 'trades'): void {
    const e = this.ctx.router.entry(symbol);
    if (!e) {
      this.reply(`n,${symbol}`, symbol);
      return;
    }
    const before = this.watches.get(symbol);
    if (before === undefined && this.atSymbolLimit()) {
      this.reply(`S,SYMBOL LIMIT REACHED,${symbol}`, symbol);
      // Asked for all the same: a start that waits for every watch must not wait forever.
      this.ctx.noteWatch('L1', symbol);
      return;
    }
    if (before !== undefined && before !== kind) e.removeL1(before, this);
    this.watches.set(symbol, kind);
    e.addL1(kind, this);
    this.ctx.noteWatch('L1', symbol);
    this.ctx.watchesChanged();
    this.sendState(e);
  }

  private unwatch(symbol: string): void {
    const kind: L1WatchKind | undefined = this.watches.get(symbol);
    const e = this.ctx.router.entry(symbol);
    if (kind !== undefined) {
      this.watches.delete(symbol);
      e?.removeL1(kind, this);
      this.ctx.watchesChanged();
    }
    if (this.regional.delete(symbol)) e?.removeL1('regional', this);
  }

  /** F then P of the symbol's current state, when there is one. */
  private sendState(e: SymbolEntry): void {
    if (!e.l1.hasState) return;
    this.reply(e.l1.fundamentalLine(), e.symbol);
    this.reply(e.l1.summaryLine(this.fields), e.symbol);
  }

  /**
   * `S,SELECT UPDATE FIELDS,…`: Symbol is forced first (IQConnect does). A name outside the
   * catalogue is refused with the syntax error and the list stays as it was: the reference does
   * not say what IQConnect answers, and silently dropping a column would shift a client's parser.
   */
  private select(names: readonly string[]): void {
    const wanted = names.map((n) => n.trim()).filter((n) => n !== '');
    if (wanted.length === 0 || !wanted.every(isSelectableField)) {
      this.reply(SYNTAX_ERROR);
      return;
    }
    this.fields = new FieldList(normalizeUpdateFields(wanted));
    this.projectFrom = -1;
    this.reply(this.currentFieldsLine());
  }

  private currentFieldsLine(): string {
    return `S,CURRENT UPDATE FIELDNAMES,${this.fields.names.join(',')}`;
  }
}
