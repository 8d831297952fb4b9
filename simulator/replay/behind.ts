/**
 * The L1/L2 connections that fell behind the live replay (their output went over its bound),
 * each served from the tape by its own catch-up cursor (catch-up.ts) until it rejoins. A
 * connection leaves the replay's subscriber lists with its watches kept, stops being read (its
 * commands wait until it has caught up, as IQConnect answers a client after what is queued for
 * it; a watch taken now would get a snapshot of the live books ahead of the rows it is still
 * being given), and comes back to both once its cursor has reached the live replay.
 */

import type { ConnectionOutput } from '../session/output.js';
import type { FieldList } from '../state/field-list.js';
import type { SentCounters } from '../stats.js';
import { CatchUpCursor, type LivePosition } from './catch-up.js';
import { OneRoute, type OneSubscriber } from './one-route.js';
import type { Router } from './router.js';

/** A connection as this module needs it. */
export interface StreamConnection {
  readonly id: number;
  readonly out: ConnectionOutput;
  /** Itself as the forwarding rule sees it. */
  readonly subscriber: OneSubscriber;
  /** Off the live replay's subscriber lists, watches kept. */
  leaveReplay(): void;
  /** Back on them with every watch it holds. */
  joinReplay(): void;
  /** Stop / start reading its commands. */
  pauseInput(): void;
  resumeInput(): void;
}

export interface BehindOptions {
  readonly tape: string;
  readonly batchSize: number;
  readonly readChunkBytes: number;
  readonly sliceLines: number;
  readonly live: LivePosition;
  readonly router: Router;
  readonly counters: SentCounters;
  readonly onError: (err: unknown) => void;
}

export class BehindConnections {
  /** By connection id, kept for the connection's life once it fell behind (the reader moves on). */
  private readonly cursors = new Map<number, CatchUpCursor>();
  private readonly caughtUpWaiters = new Map<number, (() => void)[]>();

  constructor(private readonly o: BehindOptions) {}

  /** Move the connection off the live replay at the place it has reached; serve it from the tape. */
  fallBehind(c: StreamConnection, tapeList: FieldList): void {
    let cursor = this.cursors.get(c.id);
    if (!cursor) {
      cursor = new CatchUpCursor({
        tape: this.o.tape,
        batchSize: this.o.batchSize,
        readChunkBytes: this.o.readChunkBytes,
        sliceLines: this.o.sliceLines,
        live: this.o.live,
        route: new OneRoute(this.o.router, this.o.counters, c.subscriber),
        out: c.out,
        onCaughtUp: () => this.rejoin(c),
        onError: this.o.onError,
      });
      this.cursors.set(c.id, cursor);
    }
    c.leaveReplay();
    c.out.behind = true;
    c.pauseInput();
    cursor.fallBehind(tapeList);
  }

  /** Call `fn` once the connection is on the live replay (at once if it is). */
  whenCaughtUp(id: number, fn: () => void): void {
    if (!this.cursors.get(id)?.isBehind) {
      fn();
      return;
    }
    const list = this.caughtUpWaiters.get(id) ?? [];
    list.push(fn);
    this.caughtUpWaiters.set(id, list);
  }

  /**
   * Put a connection behind back on the live replay at once, dropping the tape lines it had not
   * been given yet (their number is returned). Used when IQConnect's link to DTN changes: every
   * connection is then told at the same place of the tape, and a depth client's CLEAR DEPTH and
   * the state sent on reconnect cannot be overtaken by older rows still to come from its cursor.
   */
  skipToLive(c: StreamConnection): number {
    const cursor = this.cursors.get(c.id);
    if (!cursor?.isBehind) return 0;
    const skipped = this.linesBehind(c.id);
    cursor.abandon();
    this.rejoin(c);
    return skipped;
  }

  /** Simulated time of what a connection behind is being given, null when it is on the replay. */
  simNowUs(id: number): number | null {
    const cursor = this.cursors.get(id);
    return cursor?.isBehind ? cursor.simNowUs : null;
  }

  /** Tape lines the live replay is ahead of the connection (0 when it is on the replay). */
  linesBehind(id: number): number {
    const cursor = this.cursors.get(id);
    return cursor?.isBehind ? Math.max(0, this.o.live.linesReplayed - cursor.position) : 0;
  }

  /** Lines the connection was sent while behind, over its life. */
  linesGiven(id: number): number {
    return this.cursors.get(id)?.linesGiven ?? 0;
  }

  /** The connection is gone: stop its cursor (its figures are kept for the report). */
  forget(id: number): void {
    this.cursors.get(id)?.close();
    this.release(id);
  }

  closeAll(): void {
    for (const c of this.cursors.values()) c.close();
  }

  private rejoin(c: StreamConnection): void {
    if (c.out.isClosed) return;
    c.joinReplay();
    c.out.behind = false;
    c.resumeInput();
    this.release(c.id);
  }

  private release(id: number): void {
    const waiters = this.caughtUpWaiters.get(id);
    this.caughtUpWaiters.delete(id);
    for (const w of waiters ?? []) w();
  }
}
