/**
 * One client connection's outgoing side: lines are appended to a latin1 string and handed to the
 * socket in one write per replay slice (a write per line would cap the simulator far below a
 * million lines a second). It also keeps what the stats report about the connection: lines,
 * bytes, the SHA-256 of the raw bytes, the SHA-256 of the lines (each without terminator,
 * followed by "\n") with a checkpoint every N lines, and its backpressure history.
 *
 * Over its bound a connection either pauses the replay for everyone (`pause-replay`: L1/L2 with
 * `--wait-for-clients`, and tests that want a reader to hold the cursor; closing or detaching it
 * ends its stall and so opens the gate again), falls behind it (`fall-behind`: L1/L2 by default,
 * served from the tape by its own cursor until it catches up; the owner sees `overBound`, sets
 * `behind` and is called back through `onResume` as it drains), or only counts the stall
 * (`own-loss`: the admin port, whose owner stops pushing its periodic lines while `overBound`;
 * one admin client that stopped reading must not freeze the market data of every other client).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Channel } from '../../collector/protocol/channel.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { FlowGate } from '../replay/flow-gate.js';
import { identitySendPath, type SendPath, type SendSink } from '../send-path.js';

/**
 * How long a connection ended by a stop may take to hand its queued bytes to the kernel before
 * it is destroyed. A reading client drains megabytes in milliseconds; one that stopped reading
 * never does.
 */
export const CLOSE_GRACE_MS = 2_000;

export interface Checkpoint {
  readonly lines: number;
  readonly sha256: string;
}

export interface OutputStats {
  readonly lines: number;
  readonly bytes: number;
  readonly sha256Raw: string;
  readonly sha256Lines: string;
  readonly checkpoints: readonly Checkpoint[];
  readonly stalls: number;
  readonly stalledMs: number;
  readonly maxQueuedBytes: number;
}

export interface OutputOptions {
  readonly channel: Channel;
  readonly terminator: string;
  readonly maxQueueBytes: number;
  readonly checkpointEvery: number;
  readonly sendPath: SendPath;
  readonly gate: FlowGate;
  readonly clock: Clock;
  /** What being over the bound does (see the module comment). Default `pause-replay`. */
  readonly overflow?: 'pause-replay' | 'fall-behind' | 'own-loss';
}

/** The part of a socket the output uses, so tests and benches can give it something else. */
export type OutputSocket = Pick<
  Socket,
  'write' | 'end' | 'destroy' | 'resetAndDestroy' | 'writableLength' | 'destroyed'
>;

export class ConnectionOutput implements SendSink {
  readonly channel: Channel;
  private readonly term: string;
  private readonly termLen: number;
  private readonly sendPath: SendPath;
  private readonly identity: boolean;
  private readonly gate: FlowGate;
  private readonly clock: Clock;
  private readonly maxQueueBytes: number;
  private readonly checkpointEvery: number;
  private readonly pausesReplay: boolean;
  /**
   * Set by the owner while the connection is served from the tape behind the live replay: its
   * stall lasts until it has caught up, not merely until its queue drained.
   */
  private behindReplay = false;
  /** Called (once) when the queue is at or under half the bound again and not held. */
  private resumeListener: (() => void) | null = null;

  private pending = '';
  /** Lines text (each line + "\n") not yet hashed, when it differs from `pending`. */
  private linesPending = '';
  /** On LF ports the lines text is `pending` itself until a raw write makes them differ. */
  private linesShareRaw: boolean;
  /** Chars at the start of `pending` already fed to the lines hash (shared mode only). */
  private linesHashed = 0;
  private readonly rawHash: Hash = createHash('sha256');
  private readonly linesHash: Hash = createHash('sha256');
  private readonly checkpointList: Checkpoint[] = [];

  private offered = 0;
  private lineCount = 0;
  private byteCount = 0;
  private stallCount = 0;
  private stalledUs = 0;
  private stallStartedUs = -1;
  private maxQueued = 0;
  private held = false;
  private holdTimer: Timer | null = null;
  private closed = false;
  /**
   * Called when each write reaches the kernel. Resuming on a write callback rather than on
   * 'drain' works for any bound: 'drain' fires only after a write crossed the socket's own
   * high-water mark, which a small bound (tests) may never reach.
   */
  private readonly onWritten = (): void => {
    this.checkResume();
    if (this.drainWaiters.length > 0 && this.queuedBytes() === 0) this.releaseDrainWaiters();
  };
  private drainWaiters: (() => void)[] = [];
  private readonly resumeBytes: number;

  constructor(
    private readonly socket: OutputSocket,
    options: OutputOptions,
  ) {
    this.channel = options.channel;
    this.term = options.terminator;
    this.termLen = options.terminator.length;
    this.sendPath = options.sendPath;
    this.identity = options.sendPath === identitySendPath;
    this.gate = options.gate;
    this.clock = options.clock;
    this.maxQueueBytes = options.maxQueueBytes;
    this.checkpointEvery = options.checkpointEvery;
    this.pausesReplay = (options.overflow ?? 'pause-replay') === 'pause-replay';
    // Resume at half the bound: a little hysteresis keeps a slow reader's pipe busy instead of
    // stalling and resuming on every write.
    this.resumeBytes = Math.floor(options.maxQueueBytes / 2);
    this.linesShareRaw = options.terminator === '\n';
  }

  /** Offer a line to the send path (the only entry point for replay and replies). */
  send(line: string, symbol: string | null): void {
    if (this.closed) return;
    if (this.identity) {
      this.offered++;
      this.line(line);
      return;
    }
    this.sendPath.send({ index: this.offered++, channel: this.channel, symbol, line }, this);
  }

  line(text: string): void {
    if (this.closed) return;
    this.pending += text + this.term;
    this.byteCount += text.length + this.termLen;
    if (!this.linesShareRaw) this.linesPending += text + '\n';
    if (++this.lineCount % this.checkpointEvery === 0) this.checkpoint();
    if (this.pending.length + this.socket.writableLength > this.maxQueueBytes) this.gate.flushWanted = true;
  }

  raw(text: string): void {
    if (this.closed) return;
    if (this.linesShareRaw) {
      // From here on the raw bytes and the lines differ: keep the lines text separately.
      this.linesPending = this.pending.slice(this.linesHashed);
      this.linesHashed = 0;
      this.linesShareRaw = false;
    }
    this.pending += text;
    this.byteCount += text.length;
    if (this.pending.length + this.socket.writableLength > this.maxQueueBytes) this.gate.flushWanted = true;
  }

  split(text: string, at: number): void {
    if (this.closed) return;
    this.line(text);
    // While held the line goes out whole with the rest: the hold decides when bytes move.
    if (this.held) return;
    const whole = text.length + this.termLen;
    const cut = this.pending.length - whole + Math.max(1, Math.min(at, whole - 1));
    const tail = this.pending.slice(cut);
    // In shared mode `linesHashed` may already cover part of the tail (a checkpoint): keep
    // that part counted as hashed when the tail becomes the pending text again.
    const tailHashed = Math.max(0, this.linesHashed - cut);
    this.pending = this.pending.slice(0, cut);
    this.linesHashed = Math.min(this.linesHashed, cut);
    this.flush();
    if (this.closed) return;
    this.pending = tail + this.pending;
    this.linesHashed = tailHashed;
  }

  /** Hand the queued text to the socket; block the replay if the socket is over its bound. */
  flush(): void {
    if (this.pending.length === 0 || this.held || this.closed) return;
    const buf = Buffer.from(this.pending, 'latin1');
    this.rawHash.update(buf);
    this.hashPendingLines(buf);
    this.pending = '';
    this.linesHashed = 0;
    if (this.socket.destroyed) return;
    this.socket.write(buf, this.onWritten);
    const queued = this.socket.writableLength;
    if (queued > this.maxQueued) this.maxQueued = queued;
    if (queued > this.maxQueueBytes) this.startStall();
  }

  stall(ms: number): void {
    if (this.closed) return;
    if (this.holdTimer) this.holdTimer.cancel();
    this.held = true;
    this.startStall();
    this.holdTimer = this.clock.setTimeout(() => {
      this.holdTimer = null;
      this.held = false;
      this.flush();
      this.checkResume();
    }, ms);
  }

  /** More queued than the bound allows (a `fall-behind` owner moves the connection off the replay). */
  get overBound(): boolean {
    return (
      this.pending.length + (this.socket.destroyed ? 0 : this.socket.writableLength) > this.maxQueueBytes
    );
  }

  /** The owner serves the connection behind the live replay (true) or it has caught up (false). */
  set behind(on: boolean) {
    this.behindReplay = on;
    if (on) this.startStall();
    else this.checkResume();
  }

  get behind(): boolean {
    return this.behindReplay;
  }

  /** Call `fn` once the queue is at or under half the bound and not held (at once if it is). */
  onResume(fn: () => void): void {
    this.resumeListener = fn;
    this.checkResume();
  }

  /** Not held, and queued at most half the bound: a stall may end, a cursor behind may go on. */
  private checkResume(): void {
    if (this.held || this.closed || this.queuedBytes() > this.resumeBytes) return;
    if (!this.behindReplay) this.endStall();
    const fn = this.resumeListener;
    this.resumeListener = null;
    fn?.();
  }

  close(how: 'end' | 'reset', graceMs?: number): void {
    if (this.closed) return;
    if (how === 'end') {
      this.held = false;
      this.flush();
    }
    this.closed = true;
    this.behindReplay = false;
    this.resumeListener = null;
    this.holdTimer?.cancel();
    this.endStall();
    if (how === 'end') this.end(graceMs);
    else this.socket.resetAndDestroy();
  }

  /**
   * FIN after the queued bytes, then destroy once everything reached the kernel (which still
   * delivers it), so a client that never closes its side cannot keep us open. end() completes
   * only when the kernel took every byte, which a client that stopped reading never lets happen:
   * with a grace, the deadline keeps such a client from holding the socket, and the process.
   */
  private end(graceMs: number | undefined): void {
    const deadline =
      graceMs === undefined ? null : this.clock.setTimeout(() => this.socket.destroy(), graceMs);
    // Called on 'finish', or with an error once the socket is destroyed some other way.
    this.socket.end(() => {
      deadline?.cancel();
      this.socket.destroy();
    });
  }

  /** The peer went away: stop queueing and stop blocking the replay. */
  detach(): void {
    this.closed = true;
    this.behindReplay = false;
    this.resumeListener = null;
    this.holdTimer?.cancel();
    this.endStall();
    this.releaseDrainWaiters();
  }

  /** Call `fn` once everything queued has been taken by the kernel (or the peer is gone). */
  whenDrained(fn: () => void): void {
    if (this.closed || this.queuedBytes() === 0) fn();
    else this.drainWaiters.push(fn);
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes accepted for this client and not yet taken by the kernel. */
  queuedBytes(): number {
    return this.pending.length + (this.socket.destroyed ? 0 : this.socket.writableLength);
  }

  get lines(): number {
    return this.lineCount;
  }

  get bytes(): number {
    return this.byteCount;
  }

  stats(): OutputStats {
    const raw = this.rawHash.copy();
    const lines = this.linesHash.copy();
    if (this.pending.length > 0) {
      const buf = Buffer.from(this.pending, 'latin1');
      raw.update(buf);
      if (this.linesShareRaw) lines.update(buf.subarray(this.linesHashed));
      else lines.update(this.linesPending, 'latin1');
    }
    const stalledUs =
      this.stalledUs + (this.stallStartedUs >= 0 ? this.clock.monoUs() - this.stallStartedUs : 0);
    return {
      lines: this.lineCount,
      bytes: this.byteCount,
      sha256Raw: raw.digest('hex'),
      sha256Lines: lines.digest('hex'),
      checkpoints: [...this.checkpointList],
      stalls: this.stallCount,
      stalledMs: Math.round(stalledUs / 1000),
      maxQueuedBytes: this.maxQueued,
    };
  }

  private checkpoint(): void {
    if (this.linesShareRaw) {
      this.linesHash.update(this.pending.slice(this.linesHashed), 'latin1');
      this.linesHashed = this.pending.length;
    } else {
      this.linesHash.update(this.linesPending, 'latin1');
      this.linesPending = '';
    }
    this.checkpointList.push({ lines: this.lineCount, sha256: this.linesHash.copy().digest('hex') });
  }

  private hashPendingLines(buf: Buffer): void {
    if (this.linesShareRaw) {
      this.linesHash.update(this.linesHashed === 0 ? buf : buf.subarray(this.linesHashed));
    } else if (this.linesPending.length > 0) {
      this.linesHash.update(this.linesPending, 'latin1');
      this.linesPending = '';
    }
  }

  private startStall(): void {
    if (this.stallStartedUs >= 0) return;
    this.stallCount++;
    this.stallStartedUs = this.clock.monoUs();
    if (this.pausesReplay) this.gate.block(this);
  }

  private endStall(): void {
    if (this.stallStartedUs < 0) return;
    this.stalledUs += this.clock.monoUs() - this.stallStartedUs;
    this.stallStartedUs = -1;
    if (this.pausesReplay) this.gate.unblock(this);
  }
}
