/**
 * Test helpers for the feed: small TCP servers standing in for IQConnect's ports (every byte the
 * client sends is kept; the test decides what to answer, when to close, reset or refuse), a
 * listener that records everything in order, and a logger whose output the test can read.
 */

import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { readTiming } from '../../../collector/feed/connection.js';
import {
  type Channel,
  createFeed,
  type Feed,
  type FeedEvent,
  type FeedListener,
  type FeedOptions,
  type FeedOptionsInput,
  type FeedPortStatus,
  resolveFeedOptions,
} from '../../../collector/feed/index.js';
import { ManualClock } from '../../../common/clock.js';
import type { L2hError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import { createPrng, type Prng } from '../../../simulator/prng.js';

/** Poll `cond` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One accepted client connection, as the server sees it. */
export class FakeConn {
  private received = Buffer.alloc(0);
  closed = false;
  /** The client half-closed (sent FIN). */
  ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  /** Every byte received, as latin1 text. */
  get raw(): string {
    return this.received.toString('latin1');
  }

  /** Commands received: split on CRLF; a trailing piece without CRLF is left out. */
  commands(): string[] {
    const parts = this.raw.split('\r\n');
    parts.pop();
    return parts;
  }

  waitForCommands(n: number, what = `${n} commands`): Promise<void> {
    return waitFor(() => this.commands().length >= n, what);
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  end(text?: string): void {
    if (text === undefined) this.socket.end();
    else this.socket.end(text, 'latin1');
  }

  /** Close with a TCP RST. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  waitClosed(): Promise<void> {
    return waitFor(() => this.closed, 'the connection to close');
  }
}

/** A listening port standing in for one IQConnect port. */
export class FakePort {
  readonly conns: FakeConn[] = [];
  /** Called on every accepted connection (send a banner, say). */
  onAccept: (c: FakeConn) => void = () => {};
  private server: Server;

  private constructor(
    server: Server,
    public port: number,
    private readonly halfOpen: boolean,
  ) {
    this.server = server;
  }

  static async listen(options: { halfOpen?: boolean; port?: number } = {}): Promise<FakePort> {
    const halfOpen = options.halfOpen ?? false;
    const p = new FakePort(createServer(), 0, halfOpen);
    await p.open(options.port ?? 0);
    return p;
  }

  private async open(port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: this.halfOpen }, (s) => {
      const c = new FakeConn(s);
      this.conns.push(c);
      this.onAccept(c);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    this.port = addr.port;
  }

  /** Stop listening (connects are refused); open connections stay. */
  async refuse(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Listen again on the same port. */
  reopen(): Promise<void> {
    return this.open(this.port);
  }

  waitForConn(n: number): Promise<FakeConn> {
    return waitFor(() => this.conns.length >= n, `connection #${n} on port ${this.port}`).then(
      () => this.conns[n - 1],
    );
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export type Entry =
  | {
      readonly kind: 'lines';
      readonly channel: Channel;
      readonly lines: readonly string[];
      readonly us: number;
    }
  | { readonly kind: 'event'; readonly e: FeedEvent }
  | { readonly kind: 'error'; readonly err: L2hError };

/** A listener that keeps every call in order. */
export class Recorder implements FeedListener {
  readonly log: Entry[] = [];
  /** Each read's receive time and `readTiming.waitingSinceWallUs` as the listener saw them. */
  readonly reads: { channel: Channel; us: number; waitingSinceUs: number }[] = [];

  lines(channel: Channel, lines: readonly string[], receivedWallUs: number): void {
    this.log.push({ kind: 'lines', channel, lines: [...lines], us: receivedWallUs });
    const waitingSinceUs =
      readTiming.receivedWallUs === receivedWallUs ? readTiming.waitingSinceWallUs : Number.NaN;
    this.reads.push({ channel, us: receivedWallUs, waitingSinceUs });
  }

  event(e: FeedEvent): void {
    this.log.push({ kind: 'event', e });
  }

  error(err: L2hError): void {
    this.log.push({ kind: 'error', err });
  }

  /** One channel's story as text: `connect`, each line, `disconnect:<reason>`, `error`. */
  timeline(channel: Channel): string[] {
    const out: string[] = [];
    for (const x of this.log) {
      if (x.kind === 'lines' && x.channel === channel) out.push(...x.lines);
      else if (x.kind === 'event' && x.e.channel === channel) {
        out.push(x.e.event === 'connect' ? 'connect' : `disconnect:${x.e.reason}`);
      } else if (x.kind === 'error' && x.err.context.channel === channel) out.push('error');
    }
    return out;
  }

  linesOf(channel: Channel): string[] {
    return this.timeline(channel).filter(
      (l) => l !== 'connect' && !l.startsWith('disconnect:') && l !== 'error',
    );
  }

  events(channel?: Channel): FeedEvent[] {
    const out: FeedEvent[] = [];
    for (const x of this.log)
      if (x.kind === 'event' && (channel === undefined || x.e.channel === channel)) out.push(x.e);
    return out;
  }

  errors(): L2hError[] {
    const out: L2hError[] = [];
    for (const x of this.log) if (x.kind === 'error') out.push(x.err);
    return out;
  }
}

/**
 * A logger at the most verbose level, with no redaction configured: whatever the feed hands it
 * is kept verbatim, so a secret that reaches a log call shows up here.
 */
export function captureLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  return { logger, text: () => chunks.join('') };
}

/** Epoch µs the rigs' ManualClock starts at (2024-01-02 14:30 UTC). */
export const START_US = 1_704_205_800_000_000;

/** A feed wired to fake ports, a ManualClock, a seeded random and a capturing logger. */
export interface Rig {
  readonly feed: Feed;
  readonly clock: ManualClock;
  readonly rec: Recorder;
  readonly log: () => string;
  readonly port: Readonly<Record<Channel, FakePort>>;
  readonly options: FeedOptions;
  /** The same sequence the feed's random draws from, for computing expected delays. */
  readonly draws: Prng;
  advanceMs(ms: number): void;
  status(channel: Channel): FeedPortStatus;
  teardown(): Promise<void>;
}

/**
 * What a busy Level 1 makes the collector do: yield (pause, then resume) every second, `times`
 * times, each pause 10 ms long. The clock moves 1010 ms a time.
 */
export function yieldEverySecond(r: Rig, times: number): void {
  for (let i = 0; i < times; i++) {
    r.advanceMs(1000);
    r.feed.pause();
    r.advanceMs(10);
    r.feed.resume();
  }
}

export async function makeRig(
  input: Partial<FeedOptionsInput> = {},
  settings: { seed?: number; halfOpen?: boolean } = {},
): Promise<Rig> {
  const seed = settings.seed ?? 42;
  const port = {
    L1: await FakePort.listen({ halfOpen: settings.halfOpen }),
    L2: await FakePort.listen({ halfOpen: settings.halfOpen }),
    ADMIN: await FakePort.listen({ halfOpen: settings.halfOpen }),
  };
  const options = resolveFeedOptions({
    symbols: ['AAPL'],
    admin: false,
    ...input,
    ports: { L1: port.L1.port, L2: port.L2.port, ADMIN: port.ADMIN.port },
  });
  const clock = new ManualClock(START_US);
  const rec = new Recorder();
  const { logger, text } = captureLogger();
  const random = createPrng(seed);
  const feed = createFeed(options, rec, { clock, logger, random: () => random.next() });
  return {
    feed,
    clock,
    rec,
    log: text,
    port,
    options,
    draws: createPrng(seed),
    advanceMs: (ms) => clock.advanceUs(ms * 1000),
    status: (ch) => {
      const s = feed.ports().find((p) => p.channel === ch);
      if (!s) throw new Error(`no status for ${ch}`);
      return s;
    },
    async teardown() {
      // A graceful stop waits for the peer to close; the fake ports close on FIN, but a port
      // told to hang must not hang the teardown: advance the manual clock past the grace period.
      const stopping = feed.stop();
      clock.advanceUs(options.stopGraceMs * 1000);
      await stopping;
      await Promise.all(Object.values(port).map((p) => p.close()));
    },
  };
}
