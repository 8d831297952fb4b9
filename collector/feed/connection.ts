/**
 * One TCP connection to one IQConnect port: connect with a timeout, frame bytes into lines,
 * watch for silence, pause and resume reading, close gracefully or at once. It never
 * reconnects; `link.ts` decides that. Every byte received is delivered: the unterminated
 * remainder goes out as a last line before `closed`.
 */
import { connect, type Socket } from 'node:net';
import type { Clock, Timer } from '../../common/clock.js';
import type { Channel } from '../protocol/channel.js';
import { LineFramer } from '../protocol/framing.js';
import type { DisconnectReason } from './types.js';

export interface ConnectionEnd {
  readonly reason: DisconnectReason;
  /** `EOF`, `ECONNRESET`, `ECONNREFUSED`, `no line for 5000 ms`… */
  readonly detail: string;
  /** Whether `connected()` was called (false: the attempt failed). */
  readonly wasConnected: boolean;
}

/**
 * How long the bytes of the read being delivered may have waited for the collector, set just
 * before `ConnectionHandlers.lines` is called and valid during that call (reads are delivered
 * one at a time, synchronously). `waitingSinceWallUs` ≤ `receivedWallUs` is the earliest the
 * bytes may have been readable: the start of the pause when the read is the first after the
 * socket was paused (backpressure, or the collector yielding the loop) and comes right after
 * the resume, else the first read of the same event-loop turn when reads of other lines were
 * handled before this one, else the read itself. An upper bound of the time in the kernel's
 * socket buffer as far as the collector caused it: it misses waits behind other callbacks
 * (a sink's completion, a GC) that came before the turn's first read.
 */
export const readTiming = { receivedWallUs: 0, waitingSinceWallUs: 0 };

/** A read this soon after a resume found its bytes waiting: they count from the pause. */
const RESUME_WINDOW_US = 2000;

/** The first read of the current event-loop turn (any connection), or null between turns. */
let turnStartWallUs: number | null = null;

function turnStart(wallUs: number): number {
  if (turnStartWallUs === null) {
    turnStartWallUs = wallUs;
    // The check phase follows the poll phase that delivers reads: the turn is over then.
    setImmediate(() => {
      turnStartWallUs = null;
    });
  }
  return turnStartWallUs;
}

export interface ConnectionHandlers {
  /** The TCP connect completed; no line has been delivered yet. */
  connected(): void;
  /** The complete lines of one socket read. */
  lines(lines: string[], receivedWallUs: number): void;
  /** The socket is gone and every byte received has been delivered. Called once. */
  closed(end: ConnectionEnd): void;
}

export interface ConnectionOptions {
  readonly channel: Channel;
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** Silence (no complete line) after which the connection is destroyed; null: never. */
  readonly staleMs: number | null;
  readonly stopGraceMs: number;
  /** Longest line kept whole (framing.ts); default 4 MiB. */
  readonly maxLineBytes?: number;
  readonly clock: Clock;
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

export class Connection {
  private readonly socket: Socket;
  private readonly framer: LineFramer;
  private state: State = 'connecting';
  private wasConnected = false;
  /** Set when we end the connection ourselves; otherwise the peer or the network did. */
  private endedBy: { reason: DisconnectReason; detail: string } | null = null;
  private lastError: string | null = null;
  private paused = false;
  /** When reading stopped (for `readTiming`), until the first read after the resume. */
  private pausedSinceWallUs: number | null = null;
  private resumedAtWallUs = 0;
  /** Mono µs of the last complete line, null before the first. */
  lastLineMonoUs: number | null = null;
  /**
   * Mono µs since which silence counts: the last line or the connect, moved later by the time
   * spent paused since.
   */
  private quietSinceUs = 0;
  /** Mono µs reading stopped, while paused. */
  private pausedAtMonoUs: number | null = null;
  private lastDataWallUs = 0;
  private connectTimer: Timer | null = null;
  private watchdog: Timer | null = null;
  private graceTimer: Timer | null = null;

  constructor(
    private readonly o: ConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.framer = new LineFramer({ maxLineBytes: o.maxLineBytes });
    this.socket = connect({ host: o.host, port: o.port });
    const s = this.socket;
    s.setNoDelay(true);
    // Admin has no watchdog; keep-alive at least notices a peer that vanished.
    s.setKeepAlive(true, 10_000);
    this.connectTimer = o.clock.setTimeout(
      () => this.close('disconnect', `connect timed out after ${o.connectTimeoutMs} ms`),
      o.connectTimeoutMs,
    );
    s.on('connect', () => this.onConnect());
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.lastError = err.code ?? err.message;
    });
    s.on('close', () => this.onClose());
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Writes commands; ignored unless open (a closing connection gets nothing new). */
  send(text: string): void {
    if (this.state === 'open') this.socket.write(text, 'latin1');
  }

  /**
   * Stops reading until `resume()`. Ignored once closing: a graceful close must read until the
   * peer closes (the grace bounds it), but the collector still pauses for its yields and its
   * backpressure while it journals those last lines, and would never resume.
   */
  pause(): void {
    if (this.paused || this.state === 'closing' || this.state === 'closed') return;
    this.paused = true;
    this.pausedSinceWallUs ??= this.o.clock.wallUs();
    this.pausedAtMonoUs = this.o.clock.monoUs();
    this.socket.pause();
    this.cancel('watchdog');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumedAtWallUs = this.o.clock.wallUs();
    this.socket.resume();
    // The silence while paused was ours, not the feed's; the silence before it was the feed's
    // and still counts. Restarting the count here instead would let the collector's yields
    // (every few thousand lines of a busy port, pausing every port) keep a dead port fresh.
    // A connect during the pause started the count afresh: only the pause after it is ours.
    const now = this.o.clock.monoUs();
    const pausedAt = this.pausedAtMonoUs ?? now;
    this.pausedAtMonoUs = null;
    this.quietSinceUs += now - Math.max(pausedAt, this.quietSinceUs);
    this.armWatchdog(this.o.staleMs);
  }

  /**
   * Ends the connection. `graceful`: send FIN and keep reading until the peer closes (at most
   * `stopGraceMs`), so what it already sent is delivered; otherwise destroy at once.
   */
  close(reason: DisconnectReason, detail: string, graceful = false): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing' && graceful) return;
    this.endedBy ??= { reason, detail };
    this.cancel('connect');
    this.cancel('watchdog');
    if (graceful && this.state === 'open') {
      this.state = 'closing';
      // A pause from before the stop must not hold back what the peer already sent.
      this.resume();
      this.socket.end();
      this.graceTimer = this.o.clock.setTimeout(() => this.socket.destroy(), this.o.stopGraceMs);
      return;
    }
    this.state = 'closing';
    this.socket.destroy();
  }

  /** Lines longer than `maxLineBytes` received so far (each journaled in pieces). */
  get oversizedLines(): number {
    return this.framer.oversizedLines;
  }

  private onConnect(): void {
    this.cancel('connect');
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.wasConnected = true;
    this.quietSinceUs = this.o.clock.monoUs();
    this.handlers.connected();
    if (!this.paused) this.armWatchdog(this.o.staleMs);
  }

  private onData(chunk: Buffer): void {
    const wallUs = this.o.clock.wallUs();
    this.lastDataWallUs = wallUs;
    const lines = this.framer.push(chunk);
    if (lines.length === 0) return;
    const now = this.o.clock.monoUs();
    this.lastLineMonoUs = now;
    this.quietSinceUs = now;
    let since = turnStart(wallUs);
    const paused = this.pausedSinceWallUs;
    if (paused !== null && !this.paused) {
      this.pausedSinceWallUs = null;
      if (wallUs - this.resumedAtWallUs <= RESUME_WINDOW_US && paused < since) since = paused;
    }
    readTiming.receivedWallUs = wallUs;
    readTiming.waitingSinceWallUs = since;
    this.handlers.lines(lines, wallUs);
  }

  private onClose(): void {
    const wasOpen = this.state !== 'closed';
    this.state = 'closed';
    this.cancel('connect');
    this.cancel('watchdog');
    this.cancel('grace');
    if (!wasOpen) return;
    const rest = this.framer.end();
    // Received but never terminated: still data (the journal keeps it, the decoder flags it).
    if (rest !== null && this.wasConnected) {
      readTiming.receivedWallUs = readTiming.waitingSinceWallUs = this.lastDataWallUs;
      this.handlers.lines([rest], this.lastDataWallUs);
    }
    const end = this.endedBy ?? { reason: 'disconnect' as const, detail: this.lastError ?? 'EOF' };
    this.handlers.closed({ ...end, wasConnected: this.wasConnected });
  }

  /**
   * One timer per connection: when it fires, silence is measured from the last line (or resume);
   * if the feed spoke meanwhile the timer is set again for what is left.
   */
  private armWatchdog(staleMs: number | null): void {
    if (staleMs === null || this.state !== 'open' || this.paused) return;
    this.cancel('watchdog');
    const leftMs = staleMs - (this.o.clock.monoUs() - this.quietSinceUs) / 1000;
    this.watchdog = this.o.clock.setTimeout(
      () => {
        this.watchdog = null;
        if (this.state !== 'open' || this.paused) return;
        const quietMs = (this.o.clock.monoUs() - this.quietSinceUs) / 1000;
        if (quietMs >= staleMs) this.close('stale-feed', `no line for ${Math.round(quietMs)} ms`);
        else this.armWatchdog(staleMs);
      },
      Math.max(1, Math.ceil(leftMs)),
    );
  }

  private cancel(which: 'connect' | 'watchdog' | 'grace'): void {
    if (which === 'connect') {
      this.connectTimer?.cancel();
      this.connectTimer = null;
    } else if (which === 'watchdog') {
      this.watchdog?.cancel();
      this.watchdog = null;
    } else {
      this.graceTimer?.cancel();
      this.graceTimer = null;
    }
  }
}
