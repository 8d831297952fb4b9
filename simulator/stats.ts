/**
 * What the simulator reports about what it sent. The harness compares the collector's journal
 * against these figures, so they are exact, never sampled:
 * - per connection (from its output): lines, bytes, SHA-256 of the raw bytes, SHA-256 of the
 *   lines (each without terminator, followed by "\n"), a lines digest checkpoint every N lines,
 *   and its backpressure history;
 * - per channel: the sums over its connections, open or closed;
 * - per symbol and per message type (the line's first field): lines offered to the connections'
 *   send paths. With the identity send path (no faults) that is exactly what was sent.
 */
import type { Channel } from '../collector/protocol/channel.js';
import type { FaultReport } from './faults/injector.js';
import type { Checkpoint } from './session/output.js';

export interface SymbolCounts {
  L1: number;
  L2: number;
}

export class SentCounters {
  /** Single-char types (nearly all lines) counted by char code, per channel. */
  private readonly charTypes: Record<Channel, Float64Array> = {
    L1: new Float64Array(256),
    L2: new Float64Array(256),
    ADMIN: new Float64Array(256),
  };
  private readonly otherTypes: Record<Channel, Map<string, number>> = {
    L1: new Map(),
    L2: new Map(),
    ADMIN: new Map(),
  };
  private readonly symbols = new Map<string, SymbolCounts>();

  /** The counters of one symbol; the router keeps the object to count without a lookup. */
  symbol(symbol: string): SymbolCounts {
    let c = this.symbols.get(symbol);
    if (!c) {
      c = { L1: 0, L2: 0 };
      this.symbols.set(symbol, c);
    }
    return c;
  }

  /** Count `n` deliveries of a line whose type is the single char `code`. */
  countChar(channel: Channel, code: number, n: number): void {
    this.charTypes[channel][code & 255] += n;
  }

  /** Count `n` deliveries of any line (replies, banners, snapshots). */
  countLine(channel: Channel, line: string, symbol: string | null, n = 1): void {
    const code = line.charCodeAt(0);
    if ((line.length === 1 || line.charCodeAt(1) === 44) && code < 256) this.charTypes[channel][code] += n;
    else {
      const comma = line.indexOf(',');
      const type = comma < 0 ? line : line.slice(0, comma);
      const m = this.otherTypes[channel];
      m.set(type, (m.get(type) ?? 0) + n);
    }
    if (symbol !== null && channel !== 'ADMIN') this.symbol(symbol)[channel] += n;
  }

  types(): Record<Channel, Record<string, number>> {
    const out = { L1: {}, L2: {}, ADMIN: {} } as Record<Channel, Record<string, number>>;
    for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
      const arr = this.charTypes[ch];
      const entries: [string, number][] = [];
      for (let i = 0; i < 256; i++) if (arr[i] > 0) entries.push([String.fromCharCode(i), arr[i]]);
      for (const [k, v] of this.otherTypes[ch]) if (v > 0) entries.push([k, v]);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out[ch] = Object.fromEntries(entries);
    }
    return out;
  }

  symbolTable(): Record<string, SymbolCounts> {
    const names = [...this.symbols.keys()].filter((s) => {
      const c = this.symbols.get(s)!;
      return c.L1 + c.L2 > 0;
    });
    names.sort();
    return Object.fromEntries(names.map((s) => [s, { ...this.symbols.get(s)! }]));
  }
}

export interface ConnectionReport {
  readonly id: number;
  readonly channel: Channel;
  /** The name the client gave with `S,SET CLIENT NAME`, '' when none. */
  readonly client: string;
  readonly remote: string;
  readonly open: boolean;
  readonly lines: number;
  readonly bytes: number;
  readonly sha256Raw: string;
  readonly sha256Lines: string;
  readonly checkpointEvery: number;
  readonly checkpoints: readonly Checkpoint[];
  /**
   * Times the connection's queue went over its bound (or a fault held it), and for how long in
   * all: an L1/L2 connection spends that time behind the live replay, served from the tape (with
   * `--wait-for-clients`, the replay waits for it meanwhile).
   */
  readonly stalls: number;
  readonly stalledMs: number;
  readonly maxQueuedBytes: number;
  /** Lines it was sent while behind the live replay (by its catch-up cursor). */
  readonly linesWhileBehind: number;
  /**
   * Present when the simulator closed it after the tape because it stopped reading: how far
   * behind it was then (tape lines it had not been given, bytes queued for it).
   */
  readonly closedStuck?: { readonly linesBehind: number; readonly queuedBytes: number };
}

export interface ChannelTotals {
  readonly connections: number;
  readonly lines: number;
  readonly bytes: number;
}

export interface ReplayReport {
  readonly pacing: string;
  readonly start: string;
  readonly started: boolean;
  readonly tapeEnded: boolean;
  /** Tape lines taken from the tape so far (all channels, forwarded or not). */
  readonly linesReplayed: number;
  /** Tape lines not forwarded to anyone because no rule forwards their type. */
  readonly linesNotForwarded: number;
  /** Tape lines not sent because IQConnect's link to DTN was down on their channel. */
  readonly linesLostToLinkDown: number;
  readonly simStartUs: number;
  readonly simNowUs: number;
  /** `--hold-when-unwatched`: times the replay waited for a channel to be watched, and how long. */
  readonly holds: number;
  readonly heldMs: number;
  /**
   * `--wait-for-clients`: the replay waited for a client over its bound (counted in that
   * connection's `stalls` / `stalledMs`) instead of leaving it behind (`linesWhileBehind` stays 0).
   */
  readonly waitForClients: boolean;
  readonly timestampsSynthesized: { readonly L1: boolean; readonly L2: boolean };
}

export interface SimulatorStats {
  /** Why the run ended (`tape-end`, `signal`, `admin-end`, `stop`), null while it runs. */
  readonly reason: string | null;
  readonly tape: {
    readonly path: string;
    readonly lines: number;
    readonly timeBase: string;
    readonly symbols: readonly string[];
  };
  readonly replay: ReplayReport;
  readonly channels: Readonly<Record<Channel, ChannelTotals>>;
  readonly symbols: Readonly<Record<string, SymbolCounts>>;
  readonly types: Readonly<Record<Channel, Readonly<Record<string, number>>>>;
  readonly connections: readonly ConnectionReport[];
  /** What the faults did and where (only with `--faults`). */
  readonly faults?: FaultReport;
  /** Set when the run ended on an error (a tape found corrupt mid-replay). */
  readonly error?: string;
}

export function channelTotals(connections: readonly ConnectionReport[]): Record<Channel, ChannelTotals> {
  const t = {
    L1: { connections: 0, lines: 0, bytes: 0 },
    L2: { connections: 0, lines: 0, bytes: 0 },
    ADMIN: { connections: 0, lines: 0, bytes: 0 },
  };
  for (const c of connections) {
    const ch = t[c.channel];
    ch.connections++;
    ch.lines += c.lines;
    ch.bytes += c.bytes;
  }
  return t;
}
