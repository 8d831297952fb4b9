/**
 * One IQConnect port over time: connect, say the handshake, hand lines on, follow IQConnect's
 * own link to DTN (`S,SERVER DISCONNECTED` / `CONNECTED`, §10), and reconnect with backoff when
 * the socket ends. Every connection that connected produces exactly one `connect` and one
 * `disconnect` event, around its lines; failed attempts produce none (there is nothing between
 * them to bound), only counts and a log line.
 */
import type { Clock, Timer } from '../../common/clock.js';
import { L2hError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Channel } from '../protocol/channel.js';
import { backoffDelayMs } from './backoff.js';
import { Connection, type ConnectionEnd } from './connection.js';
import { DEPTH_CONNECT, handshake, l2Protocol, loggable, watches, wire } from './handshake.js';
import type { FeedOptions } from './options.js';
import { type Signal, signalOf, statsConnected } from './signals.js';
import type { FeedListener, FeedPortStatus } from './types.js';

export interface LinkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  readonly listener: FeedListener;
}

export class Link {
  private conn: Connection | null = null;
  private stopped = false;
  private paused = false;
  /** Backoff step of the next retry; back to 0 after a connection that proved healthy. */
  private step = 0;
  /** Mono µs the current connection connected; null before. */
  private connectedAtUs: number | null = null;
  private retryTimer: Timer | null = null;
  private retryAtUs: number | null = null;
  /** IQConnect's link to DTN as this connection last heard it; null before it said. */
  private serverConnected: boolean | null = null;
  private serverTimer: Timer | null = null;
  /**
   * µs still allowed for S,SERVER CONNECTED, counted down only while reading (from
   * `serverArmedAtUs`); null when not waiting for it.
   */
  private serverLeftUs: number | null = null;
  private serverArmedAtUs = 0;
  /** Oversized lines of the current connection already logged. */
  private oversizedSeen = 0;
  private gotLine = false;
  private refusedSeen = false;
  private connects = 0;
  private attempts = 0;
  private failedAttempts = 0;
  private lastLineMonoUs: number | null = null;
  private lastProblem: string | null = null;
  private fatal: L2hError | null = null;
  private statsStatus: string | null = null;
  private onFirstSettled: (() => void) | null = null;
  private onStopped: (() => void) | null = null;
  private readonly log: Logger;

  constructor(
    readonly channel: Channel,
    private readonly o: FeedOptions,
    private readonly deps: LinkDeps,
  ) {
    this.log = deps.logger.child({ channel, host: o.host, port: o.ports[channel] });
  }

  private get port(): number {
    return this.o.ports[this.channel];
  }

  /** Resolves once the first attempt has connected or failed. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.onFirstSettled = resolve;
      this.open();
    });
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry();
    this.cancelServerTimer();
    this.settleFirst();
    const conn = this.conn;
    if (!conn) return Promise.resolve();
    return new Promise((resolve) => {
      this.onStopped = resolve;
      conn.close('stop', 'stop requested', true);
    });
  }

  pause(): void {
    this.paused = true;
    this.conn?.pause();
    // The answer to a server-down may be sitting unread in our buffer: don't count that time.
    // But keep what was already waited: the collector pauses every port on each of its yields,
    // and a wait that started over at every resume would never end while another port is busy.
    this.holdServerTimer();
  }

  resume(): void {
    this.paused = false;
    this.conn?.resume();
    this.armServerTimer();
  }

  /** Re-send the watches of `symbols` if connected (Level 1 and 2; admin has none). */
  resync(symbols: readonly string[]): void {
    if (!this.conn?.isOpen) return;
    const cmds = watches(this.channel, this.o, symbols);
    if (cmds.length === 0) return;
    this.conn.send(wire(cmds));
    this.log.info({ symbols: symbols.length }, 'watches re-sent');
  }

  status(): FeedPortStatus {
    const now = this.deps.clock.monoUs();
    return {
      channel: this.channel,
      host: this.o.host,
      port: this.port,
      connected: this.conn?.isOpen ?? false,
      serverConnected: this.serverConnected,
      msSinceLastLine: this.lastLineMonoUs === null ? null : Math.round((now - this.lastLineMonoUs) / 1000),
      reconnects: Math.max(0, this.connects - 1),
      attempts: this.attempts,
      failedAttempts: this.failedAttempts,
      retryInMs: this.retryAtUs === null ? null : Math.max(0, Math.round((this.retryAtUs - now) / 1000)),
      lastProblem: this.lastProblem,
      error: this.fatal?.describe() ?? null,
      statsStatus: this.statsStatus,
    };
  }

  private open(): void {
    this.retryTimer = null;
    this.retryAtUs = null;
    if (this.stopped) return;
    this.attempts++;
    this.gotLine = false;
    this.connectedAtUs = null;
    this.refusedSeen = false;
    this.serverConnected = null;
    const o = this.o;
    const conn = new Connection(
      {
        channel: this.channel,
        host: o.host,
        port: this.port,
        connectTimeoutMs: o.connectTimeoutMs,
        // Admin has no 1 Hz `T`; its STATS line is status, not the data we guard.
        staleMs: this.channel === 'ADMIN' ? null : o.staleMs,
        stopGraceMs: o.stopGraceMs,
        maxLineBytes: o.maxLineBytes,
        clock: this.deps.clock,
      },
      {
        connected: () => this.onConnected(conn),
        lines: (lines, wallUs) => this.onLines(lines, wallUs),
        closed: (end) => this.onClosed(end),
      },
    );
    this.conn = conn;
    this.oversizedSeen = 0;
    if (this.paused) conn.pause();
  }

  private onConnected(conn: Connection): void {
    this.connects++;
    this.connectedAtUs = this.deps.clock.monoUs();
    this.deps.listener.event({
      event: 'connect',
      channel: this.channel,
      us: this.deps.clock.wallUs(),
      reason: null,
    });
    const cmds = handshake(this.channel, this.o);
    conn.send(wire(cmds));
    this.log.info(
      { attempt: this.attempts, reconnects: Math.max(0, this.connects - 1) },
      'connected to IQConnect',
    );
    this.log.debug({ commands: loggable(cmds) }, 'handshake sent');
    this.settleFirst();
  }

  private onLines(lines: string[], wallUs: number): void {
    this.lastLineMonoUs = this.deps.clock.monoUs();
    this.gotLine = true;
    this.deps.listener.lines(this.channel, lines, wallUs);
    const cut = this.conn?.oversizedLines ?? 0;
    if (cut > this.oversizedSeen) {
      // Nothing is lost (every piece is journaled, and the decoder flags what it cannot read),
      // but a line over the bound is news: IQConnect's longest lines are a few hundred bytes.
      this.log.warn(
        { oversizedLines: cut, maxLineBytes: this.o.maxLineBytes },
        'a feed line longer than --max-line-kb was journaled in pieces',
      );
      this.oversizedSeen = cut;
    }
    for (const line of lines) {
      const s = signalOf(line);
      if (s) this.onSignal(s);
    }
  }

  private onSignal(s: Signal): void {
    switch (s.kind) {
      case 'server':
        if (this.channel !== 'ADMIN') this.onServerStatus(s.status);
        return;
      case 'stats':
        if (this.channel === 'ADMIN') {
          this.statsStatus = s.status;
          this.serverConnected = statsConnected(s.status);
        }
        return;
      case 'protocol-refused':
        this.onProtocolRefused(s.version);
        return;
    }
  }

  private onServerStatus(status: 'connected' | 'disconnected' | 'reconnect-failed'): void {
    if (status === 'connected') {
      const wasDown = this.serverConnected === false;
      this.serverConnected = true;
      this.cancelServerTimer();
      if (wasDown) {
        // IQConnect is back on DTN: ask again for every symbol so it resends their state.
        this.log.info('IQConnect reconnected to DTN (S,SERVER CONNECTED): re-sending watches');
        this.resync(this.o.symbols);
      }
      return;
    }
    const wasUp = this.serverConnected !== false;
    this.serverConnected = false;
    // A repeated server-down (RECONNECT FAILED, then DISCONNECTED) does not extend the wait.
    this.serverLeftUs ??= this.o.serverReconnectTimeoutMs * 1000;
    if (this.channel === 'L2' && wasUp) this.conn?.send(wire([DEPTH_CONNECT]));
    if (status === 'reconnect-failed') {
      this.log.error('IQConnect gave up reconnecting to DTN (S,SERVER RECONNECT FAILED)');
    } else {
      this.log.warn('IQConnect lost its link to DTN (S,SERVER DISCONNECTED): waiting for S,SERVER CONNECTED');
    }
    this.armServerTimer();
  }

  private onProtocolRefused(version: string): void {
    if (this.refusedSeen) return;
    this.refusedSeen = true;
    const asked = this.channel === 'L2' ? l2Protocol(this.o) : this.o.protocol;
    const err = new L2hError(
      `IQConnect refused protocol ${version} on the ${this.channel} port (it answered "E,${version} is not a valid protocol.")`,
      {
        code: 'SERVICE_UNAVAILABLE',
        retriable: false,
        context: { channel: this.channel, host: this.o.host, port: this.port, protocol: asked },
        hint: `this IQConnect is too old for protocol ${version}: upgrade IQConnect (the IQFeed client) to ${version} or later and restart it; reconnecting will not help`,
      },
    );
    this.fatal = err;
    this.log.error({ err: err.describe() }, 'IQConnect refused the protocol');
    this.deps.listener.error?.(err);
  }

  private onClosed(end: ConnectionEnd): void {
    this.conn = null;
    this.cancelServerTimer();
    this.serverConnected = null;
    if (end.wasConnected) {
      this.lastProblem = `${end.reason}: ${end.detail}`;
      this.deps.listener.event({
        event: 'disconnect',
        channel: this.channel,
        us: this.deps.clock.wallUs(),
        reason: end.reason,
        detail: end.detail,
      });
      const level = end.reason === 'stop' ? 'info' : 'warn';
      this.log[level]({ reason: end.reason, detail: end.detail }, 'disconnected from IQConnect');
    } else if (end.reason !== 'stop') {
      this.failedAttempts++;
      this.lastProblem = end.detail;
    }
    this.settleFirst();
    if (this.stopped) {
      const done = this.onStopped;
      this.onStopped = null;
      done?.();
      return;
    }
    this.scheduleRetry(end);
  }

  private scheduleRetry(end: ConnectionEnd): void {
    if (this.provedHealthy()) this.step = 0;
    const delayMs = backoffDelayMs(this.o.backoff, this.step, this.deps.random);
    this.step++;
    this.retryAtUs = this.deps.clock.monoUs() + delayMs * 1000;
    this.retryTimer = this.deps.clock.setTimeout(() => this.open(), delayMs);
    if (!end.wasConnected) {
      this.log.warn(
        { detail: end.detail, failedAttempts: this.failedAttempts, retryInMs: delayMs },
        this.failedAttempts === 1
          ? 'cannot connect to IQConnect (is it running, and on this host and port?): retrying'
          : 'still cannot connect to IQConnect: retrying',
      );
    } else {
      this.log.info({ retryInMs: delayMs }, 'reconnecting');
    }
  }

  /**
   * Reset the backoff after a connection IQConnect spoke on (a line). Known weakness: an
   * IQConnect that accepts, sends a greeting and hangs up is redialled every `initialMs`. A
   * stricter rule (data lines, or `backoff.maxMs` up) made the collector miss reconnects in the
   * disconnect-storm scenario, where short connections are the norm, so it waits for a rule
   * that passes both.
   */
  private provedHealthy(): boolean {
    return this.gotLine && this.connectedAtUs !== null;
  }

  private armServerTimer(): void {
    const left = this.serverLeftUs;
    if (left === null || this.paused || this.serverTimer || !this.conn?.isOpen) return;
    const ms = this.o.serverReconnectTimeoutMs;
    const conn = this.conn;
    this.serverArmedAtUs = this.deps.clock.monoUs();
    this.serverTimer = this.deps.clock.setTimeout(
      () => {
        this.serverTimer = null;
        this.serverLeftUs = null;
        conn.close('server-disconnected', `no S,SERVER CONNECTED within ${ms} ms of S,SERVER DISCONNECTED`);
      },
      Math.max(0, Math.ceil(left / 1000)),
    );
  }

  /** Stops the wait's clock, keeping what is left of it for `armServerTimer`. */
  private holdServerTimer(): void {
    if (!this.serverTimer || this.serverLeftUs === null) return;
    this.serverTimer.cancel();
    this.serverTimer = null;
    this.serverLeftUs -= this.deps.clock.monoUs() - this.serverArmedAtUs;
  }

  private cancelServerTimer(): void {
    this.serverTimer?.cancel();
    this.serverTimer = null;
    this.serverLeftUs = null;
  }

  private cancelRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = null;
    this.retryAtUs = null;
  }

  private settleFirst(): void {
    const settle = this.onFirstSettled;
    this.onFirstSettled = null;
    settle?.();
  }
}
