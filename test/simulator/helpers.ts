/**
 * Test helpers for the simulator: tapes written to private temp dirs, simulators on free ports,
 * and a plain TCP client that keeps every byte it received.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Channel } from '../../collector/protocol/channel.js';
import { type Clock, systemClock, type Timer } from '../../common/clock.js';
import { easternToEpochUs } from '../../common/eastern-time.js';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../simulator/index.js';

export type TapeBody = readonly (readonly [offsetUs: number, channel: Channel, line: string])[];

const dirs: string[] = [];

/** A fresh private directory, removed by `cleanupTempDirs`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'l2h-sim-'));
  dirs.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * The simulators and clients a test file starts, in arrays its tests push to: after each test
 * the clients are closed, the simulators stopped and the temporary tapes removed.
 */
export function stopAfterEach(): { readonly sims: SimulatorHandle[]; readonly clients: TestClient[] } {
  const sims: SimulatorHandle[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of sims.splice(0)) await s.stop();
    cleanupTempDirs();
  });
  return { sims, clients };
}

/** Writes a tape (CONTRACTS §1) and returns its path. */
export function writeTape(
  headers: Readonly<Record<string, string>>,
  body: TapeBody,
  dir = tempDir(),
): string {
  let text = '#l2tape 1\n';
  for (const [k, v] of Object.entries(headers)) text += v === '' ? `#${k}\n` : `#${k} ${v}\n`;
  for (const [offset, channel, line] of body) text += `${offset}\t${channel}\t${line}\n`;
  const path = join(dir, `t${dirs.length}-${Math.random().toString(36).slice(2)}.tape`);
  writeFileSync(path, text, 'latin1');
  return path;
}

/** Where `bigTape`'s day starts: 2024-06-21 09:30 New York. */
export const BIG_TAPE_START_US = easternToEpochUs('2024-06-21', '09:30:00');

/**
 * `lines` L2 rows of ~60 bytes (one symbol, AAPL), row i at tape offset i × `gapUs`: 220k rows
 * (~13 MB) are more than loopback's kernel buffers (~4 MB) hold for a paused reader.
 */
export function bigTape(lines: number, gapUs = 1): { path: string; rows: string[] } {
  const rows: string[] = [];
  let text = `#l2tape 1\n#symbols AAPL\n#l2 mbp\n#start-us ${BIG_TAPE_START_US}\n`;
  for (let i = 0; i < lines; i++) {
    const row = `8,AAPL,${i % 2 ? 'A' : 'B'},${100 + (i % 500) / 100},${1 + (i % 977)},1,2,09:30:00.${String(i % 1e6).padStart(6, '0')},2024-06-21,`;
    rows.push(row);
    text += `${i * gapUs}\tL2\t${row}\n`;
  }
  const path = join(tempDir(), 'big.tape');
  writeFileSync(path, text, 'latin1');
  return { path, rows };
}

/** A simulator on free ports, quiet. */
export function startSim(
  options: Omit<SimulatorOptions, 'ports'> & Partial<SimulatorOptions>,
): Promise<SimulatorHandle> {
  return startSimulator({ ports: { L1: 0, L2: 0, ADMIN: 0 }, ...options });
}

/** Poll `cond` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** `p` settled within `ms`, or the string 'pending' (a promise that must not hang). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export const TERMINATOR: Readonly<Record<Channel, string>> = { L1: '\n', L2: '\r\n', ADMIN: '\n' };

/** A plain TCP client: sends commands, keeps every byte received. */
export class TestClient {
  private chunks: Buffer[] = [];
  private size = 0;
  closed = false;

  private constructor(
    readonly socket: Socket,
    readonly channel: Channel,
  ) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static connect(port: number, channel: Channel): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new TestClient(s, channel)));
      s.once('error', reject);
    });
  }

  /** Send commands, each followed by CRLF (or `terminator`). */
  send(commands: readonly string[] | string, terminator = '\r\n'): void {
    const list = typeof commands === 'string' ? [commands] : commands;
    this.socket.write(list.map((c) => c + terminator).join(''), 'latin1');
  }

  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get byteCount(): number {
    return this.size;
  }

  text(): string {
    return this.bytes.toString('latin1');
  }

  /** Complete lines received, split on this port's terminator. */
  lines(): string[] {
    const parts = this.text().split(TERMINATOR[this.channel]);
    parts.pop();
    return parts;
  }

  /** Lines other than timestamps. */
  dataLines(): string[] {
    return this.lines().filter((l) => !l.startsWith('T,'));
  }

  waitForLines(n: number, timeoutMs?: number): Promise<void> {
    return waitFor(() => this.lines().length >= n, `${n} lines on ${this.channel}`, timeoutMs);
  }

  waitForLine(pred: (line: string) => boolean, what: string, timeoutMs?: number): Promise<void> {
    return waitFor(() => this.lines().some(pred), what, timeoutMs);
  }

  waitForBytes(n: number, timeoutMs?: number): Promise<void> {
    return waitFor(() => this.size >= n, `${n} bytes on ${this.channel}`, timeoutMs);
  }

  sha256(): string {
    return createHash('sha256').update(this.bytes).digest('hex');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Open one client per channel, in the order given. */
export async function connectAll(sim: SimulatorHandle, channels: readonly Channel[]): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (const ch of channels) out.push(await TestClient.connect(sim.ports[ch], ch));
  return out;
}

/**
 * A clock over another (the system clock by default) that knows which of the timers set through
 * it are still pending: a pending timer is what keeps a process alive after its run ended.
 */
export class CountingClock implements Clock {
  private readonly live = new Set<{ readonly ms: number }>();

  constructor(private readonly base: Clock = systemClock) {}

  /** The delays of the timers neither fired (once) nor cancelled yet. */
  pendingMs(): number[] {
    return [...this.live].map((t) => t.ms);
  }

  wallUs(): number {
    return this.base.wallUs();
  }

  monoUs(): number {
    return this.base.monoUs();
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const entry = { ms };
    this.live.add(entry);
    const timer = this.base.setTimeout(() => {
      this.live.delete(entry);
      fn();
    }, ms);
    return this.tracked(entry, timer);
  }

  setInterval(fn: () => void, ms: number): Timer {
    const entry = { ms };
    this.live.add(entry);
    return this.tracked(entry, this.base.setInterval(fn, ms));
  }

  private tracked(entry: { readonly ms: number }, timer: Timer): Timer {
    return {
      cancel: () => {
        this.live.delete(entry);
        timer.cancel();
      },
    };
  }
}
