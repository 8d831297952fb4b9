/**
 * The fault injector: one per simulator run. It builds each connection's send path, counts the
 * lines offered per channel (and per symbol where a fault names one), fires each planned fault
 * once at its point, and keeps the report of what it did and where: the fault, the connection,
 * the line's index on that connection and on the channel, the symbol and the simulated time.
 *
 * Lines a fault changes or adds are sent through the connection's output like any other, so the
 * simulator's per-connection stats (lines, digests) are what actually went on the wire; the
 * report says why they differ from the tape.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../../collector/protocol/channel.js';
import { SERVER_TERMINATORS } from '../../collector/protocol/framing.js';
import { createPrng } from '../prng.js';
import type { ConnectionInfo, OutgoingLine, SendPath, SendPathFactory, SendSink } from '../send-path.js';
import {
  backwardsTimestamp,
  binaryLine,
  corruptLine,
  garbageLine,
  oversizedLine,
  splitPoint,
  truncateLine,
  unknownTypeLine,
} from './mutate.js';
import { describePoint, type PlannedFault, planFaults } from './schedule.js';
import { FAULT_DEFAULTS, type FaultKind, type FaultSpec } from './spec.js';

/** One fault as it happened. */
export interface InjectedFault {
  readonly n: number;
  readonly kind: FaultKind;
  readonly channel: Channel;
  readonly symbol: string | null;
  /** Where it was asked for: `line 1200`, `t+90000 ms`. */
  readonly planned: string;
  /** The simulator's connection id (as in the stats' `connections`). */
  readonly connection: number;
  /** Index (from 0) of the line it fired on among the lines offered to that connection. */
  readonly connectionLine: number;
  /**
   * Index (from 0), among the lines this connection actually sent, of the last line the fault
   * put on the wire (the inserted or altered one); of the next line when it put none. A client
   * that frames the bytes finds the fault's line at this index of the connection.
   */
  readonly wireLine: number;
  /** Index (from 0) of that line among every line offered on the channel. */
  readonly channelLine: number;
  /** Simulated ms since the time base when it fired. */
  readonly simMs: number;
  /** What exactly was done: `field 3 → "NaN"`, `cut at byte 17 of 42`, `1048576 bytes`. */
  readonly detail: string;
  /**
   * Lines this fault put on the wire that are not tape lines (inserted, or the altered form of
   * one): how many, so a verifier can account for every line a client could not parse.
   */
  readonly addedLines: number;
  /**
   * The line at `wireLine` when the fault put one there (`addedLines` > 0): its length and the
   * SHA-256 of its latin1 bytes, without the terminator. A verifier that finds a line at that
   * place can then tell the fault's line from whatever else a client put there. Null otherwise.
   */
  readonly addedLine: { readonly bytes: number; readonly sha256: string } | null;
}

export interface FaultReport {
  readonly seed: number;
  readonly planned: number;
  readonly injected: readonly InjectedFault[];
  /** Faults whose point the run never reached (the tape ended first). */
  readonly notReached: readonly {
    readonly n: number;
    readonly kind: FaultKind;
    readonly channel: Channel;
    readonly planned: string;
  }[];
  /** Outages: when each channel stopped listening and for how long (connects got ECONNREFUSED). */
  readonly refusals: readonly { readonly n: number; readonly channel: Channel; readonly ms: number }[];
  /** Connections a fault reset: what the kernel still held for the peer may not have arrived. */
  readonly resetConnections: readonly number[];
  /** Connections a fault ended with FIN (everything queued was delivered first). */
  readonly closedConnections: readonly number[];
}

/**
 * Faults that end the connection. The line they fire on is lost, not re-queued: it models
 * IQConnect dropping a client, when what was in flight to it goes nowhere.
 */
const ENDING: ReadonlySet<FaultKind> = new Set(['close', 'reset', 'outage']);
/** Faults that change or replace the line itself (at most one applies per line). */
const ALTERING: ReadonlySet<FaultKind> = new Set(['drop', 'duplicate', 'corrupt', 'truncate', 'split']);

interface Track {
  offered: number;
  /** Line faults sorted by line; `next` is the first not fired. */
  readonly byLine: PlannedFault[];
  nextLine: number;
  readonly byTime: PlannedFault[];
  nextTime: number;
  /**
   * Faults due on a line where another fault took their place: they fire on this track's next
   * line, so one naming a symbol still lands on a line about that symbol.
   */
  carry: PlannedFault[];
}

function track(faults: PlannedFault[]): Track {
  const byLine = faults.filter((f) => 'line' in f.at).sort((a, b) => lineOf(a) - lineOf(b) || a.n - b.n);
  const byTime = faults.filter((f) => 'timeMs' in f.at).sort((a, b) => timeOf(a) - timeOf(b) || a.n - b.n);
  return { offered: 0, byLine, nextLine: 0, byTime, nextTime: 0, carry: [] };
}

const lineOf = (f: PlannedFault): number => ('line' in f.at ? f.at.line : 0);
const timeOf = (f: PlannedFault): number => ('timeMs' in f.at ? f.at.timeMs : 0);

export interface FaultInjectorOptions {
  readonly spec: FaultSpec;
  /** The simulator's seed; the spec's own `seed` wins when given. */
  readonly seed: number;
}

export class FaultInjector {
  readonly seed: number;
  private readonly planned: PlannedFault[];
  private readonly channels: Record<Channel, Track>;
  /** Per `channel + NUL + symbol`: tracks of the faults that name a symbol. */
  private readonly symbols = new Map<string, Track>();
  private refuseHook: ((channel: Channel, ms: number) => void) | null = null;
  private readonly injected: InjectedFault[] = [];
  private readonly fired = new Set<number>();
  private readonly refusals: { n: number; channel: Channel; ms: number }[] = [];
  private readonly reset: number[] = [];
  private readonly closed: number[] = [];
  constructor(options: FaultInjectorOptions) {
    this.seed = options.spec.seed ?? options.seed;
    this.planned = planFaults(options.spec, this.seed);
    const of = (ch: Channel) => this.planned.filter((f) => f.channel === ch && f.symbol === undefined);
    this.channels = { L1: track(of('L1')), L2: track(of('L2')), ADMIN: track(of('ADMIN')) };
    const named = new Map<string, PlannedFault[]>();
    for (const f of this.planned) {
      if (f.symbol === undefined) continue;
      const key = `${f.channel}\u0000${f.symbol}`;
      named.set(key, [...(named.get(key) ?? []), f]);
    }
    for (const [key, faults] of named) this.symbols.set(key, track(faults));
  }

  /** The faults of the run, numbered, as planned (random groups drawn). */
  plan(): readonly PlannedFault[] {
    return this.planned;
  }

  /** How an outage stops a channel's listener for a while (the simulator's listeners). */
  onRefuse(hook: (channel: Channel, ms: number) => void): void {
    this.refuseHook = hook;
  }

  readonly sendPaths: SendPathFactory = (conn: ConnectionInfo): SendPath => {
    const base = conn.simBaseUs ?? 0;
    const now = conn.simNowUs ?? (() => base);
    const wire = { lines: 0 };
    return { send: (out, sink) => this.onLine(conn, now, out, sink, wire) };
  };

  report(): FaultReport {
    return {
      seed: this.seed,
      planned: this.planned.length,
      injected: [...this.injected],
      notReached: this.planned
        .filter((f) => !this.fired.has(f.n))
        .map((f) => ({ n: f.n, kind: f.kind, channel: f.channel, planned: describePoint(f.at) })),
      refusals: [...this.refusals],
      resetConnections: [...this.reset],
      closedConnections: [...this.closed],
    };
  }

  private onLine(
    conn: ConnectionInfo,
    simNowUs: () => number,
    out: OutgoingLine,
    sink: SendSink,
    wire: { lines: number },
  ): void {
    const t = this.channels[out.channel];
    const channelLine = t.offered++;
    let due: PlannedFault[] | null = null;
    if (t.carry.length > 0) {
      due = t.carry;
      t.carry = [];
    }
    due = takeDue(t, channelLine, simNowUs, conn.simBaseUs ?? 0, due);
    if (this.symbols.size > 0 && out.symbol !== null) {
      const st = this.symbols.get(`${out.channel}\u0000${out.symbol}`);
      if (st) {
        if (st.carry.length > 0) {
          due = [...(due ?? []), ...st.carry];
          st.carry = [];
        }
        due = takeDue(st, st.offered++, simNowUs, conn.simBaseUs ?? 0, due);
      }
    }
    if (due === null) {
      sink.line(out.line);
      wire.lines++;
      return;
    }
    this.apply(due, conn, simNowUs, out, channelLine, countingSink(sink, wire), wire);
  }

  private apply(
    due: PlannedFault[],
    conn: ConnectionInfo,
    simNowUs: () => number,
    out: OutgoingLine,
    channelLine: number,
    sink: SendSink,
    wire: { lines: number },
  ): void {
    const simUs = simNowUs();
    const record = (
      f: PlannedFault,
      detail: string,
      addedLines: number,
      line: string | null = null,
    ): void => {
      this.fired.add(f.n);
      this.injected.push({
        n: f.n,
        kind: f.kind,
        channel: out.channel,
        symbol: out.symbol,
        planned: describePoint(f.at),
        connection: conn.id,
        connectionLine: out.index,
        wireLine: addedLines > 0 || f.kind === 'split' ? wire.lines - 1 : wire.lines,
        channelLine,
        simMs: Math.round((simUs - (conn.simBaseUs ?? 0)) / 1000),
        detail,
        addedLines,
        addedLine: addedLines > 0 && line !== null ? lineIdentity(line) : null,
      });
    };
    // A connection is ended on a data line only: a fault that fell due while the channel was
    // down waits until the next connection is set up and streaming again, as a real disconnect
    // hits a working feed (ending it on the banner would only test the reconnect backoff).
    const canEnd = out.symbol !== null || out.channel === 'ADMIN';
    const ending = canEnd ? due.find((f) => ENDING.has(f.kind)) : undefined;
    let altering: PlannedFault | undefined;
    for (const f of due) {
      if (f === ending) continue;
      if (ENDING.has(f.kind)) {
        // A second ending fault due at once ends the next connection instead.
        this.trackOf(f).carry.push(f);
        continue;
      }
      if (ALTERING.has(f.kind)) {
        if (altering === undefined && ending === undefined) altering = f;
        else this.trackOf(f).carry.push(f);
        continue;
      }
      const prng = createPrng(f.seed);
      switch (f.kind) {
        case 'stall':
        case 'full-buffer': {
          const ms = f.ms ?? FAULT_DEFAULTS.stallMs;
          sink.stall(ms);
          record(f, `output held ${ms} ms`, 0);
          break;
        }
        case 'garbage': {
          const n = f.bytes ?? FAULT_DEFAULTS.garbageBytes;
          const line = garbageLine(n, prng);
          sink.line(line);
          record(f, `${n} printable bytes inserted`, 1, line);
          break;
        }
        case 'binary': {
          const n = f.bytes ?? FAULT_DEFAULTS.garbageBytes;
          const line = binaryLine(n, prng);
          sink.line(line);
          record(f, `${n} binary bytes inserted`, 1, line);
          break;
        }
        case 'oversized': {
          const n = f.bytes ?? FAULT_DEFAULTS.oversizedBytes;
          const line = oversizedLine(n, out.symbol, prng);
          sink.line(line);
          record(f, `one ${n}-byte line inserted`, 1, line);
          break;
        }
        case 'time-backwards': {
          const back = f.backMs ?? FAULT_DEFAULTS.backMs;
          const line = backwardsTimestamp(simUs, back);
          sink.line(line);
          record(f, `${JSON.stringify(line)} inserted (${back} ms back)`, 1, line);
          break;
        }
        case 'unknown-type': {
          const line = unknownTypeLine(out.symbol);
          sink.line(line);
          record(f, `${JSON.stringify(line)} inserted`, 1, line);
          break;
        }
        default:
          break;
      }
    }
    if (ending !== undefined) {
      this.end(ending, conn, out, sink, record);
      return;
    }
    if (altering === undefined) {
      sink.line(out.line);
      return;
    }
    const prng = createPrng(altering.seed);
    switch (altering.kind) {
      case 'drop':
        record(altering, `line not sent (${out.line.length} bytes)`, 0);
        return;
      case 'duplicate':
        sink.line(out.line);
        sink.line(out.line);
        record(altering, 'line sent twice', 1, out.line);
        return;
      case 'corrupt': {
        const c = corruptLine(out.line, prng, altering.field);
        sink.line(c.line);
        record(altering, `field ${c.field} replaced: ${JSON.stringify(c.line.slice(0, 120))}`, 1, c.line);
        return;
      }
      case 'truncate': {
        const t = truncateLine(out.line, prng, altering.keep);
        sink.line(t);
        record(altering, `cut to ${t.length} of ${out.line.length} bytes`, t === out.line ? 0 : 1, t);
        return;
      }
      case 'split': {
        const term = SERVER_TERMINATORS[out.channel];
        const at = splitPoint(out.line, term, prng, altering.byte);
        sink.split(out.line, at);
        const where = at > out.line.length ? 'inside the terminator' : `after byte ${at}`;
        record(altering, `written in two parts, cut ${where} of ${out.line.length + term.length}`, 0);
        return;
      }
      default:
        sink.line(out.line);
    }
  }

  /** The track a fault was planned on: its symbol's when it names one, so a carry keeps to it. */
  private trackOf(f: PlannedFault): Track {
    if (f.symbol !== undefined) {
      const st = this.symbols.get(`${f.channel}\u0000${f.symbol}`);
      if (st) return st;
    }
    return this.channels[f.channel];
  }

  private end(
    f: PlannedFault,
    conn: ConnectionInfo,
    out: OutgoingLine,
    sink: SendSink,
    record: (f: PlannedFault, detail: string, added: number, line?: string | null) => void,
  ): void {
    // Named in the report because no connection will ever carry it: a verifier must not wait
    // for it after the reconnect.
    const lost = `the line (${out.line.length} bytes) is lost`;
    switch (f.kind) {
      case 'close':
        sink.close('end');
        this.closed.push(conn.id);
        record(f, `connection closed (FIN) before the line; ${lost}`, 0);
        return;
      case 'reset':
        // Hand what is queued to the kernel first: the reset then loses only what the kernel
        // had not passed to the peer yet, as a real reset would.
        sink.flush();
        sink.close('reset');
        this.reset.push(conn.id);
        record(f, `connection reset (RST) before the line; ${lost}`, 0);
        return;
      case 'outage': {
        const ms = f.ms ?? FAULT_DEFAULTS.outageMs;
        sink.line('S,SERVER DISCONNECTED');
        sink.close('end');
        this.closed.push(conn.id);
        this.refusals.push({ n: f.n, channel: conn.channel, ms });
        this.refuseHook?.(conn.channel, ms);
        record(
          f,
          `S,SERVER DISCONNECTED, connection closed, ${conn.channel} port closed for ${ms} ms; ${lost}`,
          1,
          'S,SERVER DISCONNECTED',
        );
        return;
      }
      default:
        return;
    }
  }
}

function takeDue(
  t: Track,
  index: number,
  simNowUs: () => number,
  baseUs: number,
  into: PlannedFault[] | null,
): PlannedFault[] | null {
  let due = into;
  while (t.nextLine < t.byLine.length && lineOf(t.byLine[t.nextLine]!) <= index) {
    due ??= [];
    due.push(t.byLine[t.nextLine++]!);
  }
  if (t.nextTime < t.byTime.length) {
    const simMs = (simNowUs() - baseUs) / 1000;
    while (t.nextTime < t.byTime.length && timeOf(t.byTime[t.nextTime]!) <= simMs) {
      due ??= [];
      due.push(t.byTime[t.nextTime++]!);
    }
  }
  return due;
}

/** Lines go out as latin1 (session/output.ts): the same bytes the stats' digests are over. */
function lineIdentity(line: string): { bytes: number; sha256: string } {
  return {
    bytes: Buffer.byteLength(line, 'latin1'),
    sha256: createHash('sha256').update(line, 'latin1').digest('hex'),
  };
}

/** The sink, counting the lines that go on the wire (for the report's `wireLine`). */
function countingSink(sink: SendSink, wire: { lines: number }): SendSink {
  return {
    line(text) {
      sink.line(text);
      wire.lines++;
    },
    split(text, at) {
      sink.split(text, at);
      wire.lines++;
    },
    raw: (text) => sink.raw(text),
    flush: () => sink.flush(),
    stall: (ms) => sink.stall(ms),
    close: (how) => sink.close(how),
  };
}
