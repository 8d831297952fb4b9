/**
 * Simulator options: what a caller (the CLI, the harness, a test) may say, and the resolved form
 * with every default filled in. Defaults live here and nowhere else.
 */

import { type Channel, DEFAULT_PORTS } from '../collector/protocol/channel.js';
import { PARSE_PIECE_BYTES } from '../collector/tape/parser.js';
import { DEFAULT_READ_CHUNK_BYTES } from '../collector/tape/reader.js';
import { type Clock, systemClock } from '../common/clock.js';
import { usageError } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { FaultInjector } from './faults/injector.js';
import type { FaultSpec } from './faults/spec.js';
import type { SendPathFactory } from './send-path.js';

/**
 * When the replay clock starts:
 * - `first-watch`: at the first accepted watch on L1 or L2 (IQConnect-like: data flows once asked for);
 * - `now`: as soon as the ports listen;
 * - `all-watched`: once every symbol of `#symbols` (else every symbol of the tape) has been
 *   watched on L2 and on L1 — deterministic runs start only when the client is fully set up.
 */
export type StartMode = 'first-watch' | 'now' | 'all-watched';

/** How tape lines are spread over time. */
export type Pacing =
  | { readonly kind: 'speed'; readonly factor: number } // recorded time divided by factor
  | { readonly kind: 'max' } // as fast as the clients read
  | { readonly kind: 'rate'; readonly linesPerSecond: number }; // fixed rate, tape timing ignored

/** Everything the simulator emits for other programs (printed as JSON lines by the CLI). */
export type SimulatorEvent =
  | {
      readonly event: 'ready';
      readonly host: string;
      readonly ports: Readonly<Record<Channel, number>>;
      readonly pid: number;
    }
  | ({ readonly event: 'tape-end' } & Readonly<Record<string, unknown>>)
  | { readonly event: 'progress'; readonly linesReplayed: number; readonly simUs: number }
  | ({ readonly event: 'stats' } & Readonly<Record<string, unknown>>);

/**
 * Called once per tape line when it is handed to the sockets, with the monotonic time it was
 * scheduled for and the time it went out (both µs, from the simulator's clock). Benchmarks and
 * tests use it to measure pacing error; it costs nothing when absent.
 */
export type PacingProbe = (scheduledUs: number, actualUs: number) => void;

export interface SimulatorOptions {
  readonly tape: string;
  /** Interface to listen on (default 127.0.0.1: IQConnect listens on loopback only). */
  readonly host?: string;
  /** Ports per channel; 0 picks a free port. Defaults are IQConnect's 5009 / 9200 / 9300. */
  readonly ports?: Partial<Record<Channel, number>>;
  /** `max`, or a factor > 0 (1 = recorded time). Default 1. Exclusive with `rate`. */
  readonly speed?: number | 'max';
  /** Fixed lines per second, whatever the tape's timing. */
  readonly rate?: number;
  readonly start?: StartMode;
  /** Seeds every random choice (the S,CUST token, faults without their own seed). Default 1. */
  readonly seed?: number;
  /**
   * Per-connection output bound in KiB. An L1/L2 connection over it falls behind the replay and
   * is served from the tape until it catches up (with `waitForClients`, the replay waits for it
   * instead); an admin connection over it skips its periodic pushes.
   */
  readonly maxQueueKb?: number;
  /** Stop after the tape is exhausted and every queue is flushed (default: keep serving). */
  readonly exitAtEnd?: boolean;
  /** Also write the final stats JSON to this file. */
  readonly statsFile?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The per-connection send transform. Default: identity, or the faults' when `faults` is given. */
  readonly sendPath?: SendPathFactory;
  /** Faults to inject (simulator/faults/spec.ts); seeded by the spec's `seed`, else `seed`. */
  readonly faults?: FaultSpec;
  /**
   * Symbols one connection may watch; a watch of one more is answered
   * `S,SYMBOL LIMIT REACHED,<sym>`, as IQConnect does past the account's limit. Default: none.
   */
  readonly maxSymbols?: number;
  readonly probe?: PacingProbe;
  readonly onEvent?: (event: SimulatorEvent) => void;
  /** Lines processed between two yields to the event loop at full speed. Default 2048. */
  readonly sliceLines?: number;
  /**
   * How long before a line is due the pacer stops sleeping on timers and polls the event loop
   * instead (µs). Timers are late by up to a millisecond; polling is exact but uses a core.
   * Default 1500 with the system clock, 0 with an injected clock (a ManualClock only moves by
   * timers, so polling would never see time pass).
   */
  readonly spinUs?: number;
  /** Tape lines per read batch. Default 4096 at `--speed max`, 256 when paced. */
  readonly batchSize?: number;
  /** A lines digest checkpoint is taken every this many lines per connection. Default 100,000. */
  readonly checkpointEvery?: number;
  /**
   * Not IQConnect behaviour, for harnesses that restart their client: while a channel the tape
   * has lines for has no connection watching anything, the replay waits (as for a slow client),
   * so the tape does not run on while the client is down. Default off.
   */
  readonly holdWhenUnwatched?: boolean;
  /**
   * Not IQConnect behaviour, for a harness with one client (benches): the replay waits for the
   * slowest L1/L2 client (one over its `maxQueueKb` bound) instead of leaving it to fall behind
   * and be served from the tape by its own cursor, so the tape is read once. One client that
   * stops reading then stops the replay for every client. When paced, a wait shifts the rest of
   * the schedule by its length. Default off.
   */
  readonly waitForClients?: boolean;
  /** Emit a `progress` event every this many tape lines (0: never, the default). */
  readonly progressEvery?: number;
  /**
   * After the tape, an L1/L2 connection still owed lines that has taken no byte for this long is
   * closed and reported, so `tape-end` (and `exitAtEnd`) cannot wait forever on a client that
   * stopped reading. Default 10,000 ms.
   */
  readonly stuckAfterMs?: number;
}

export interface ResolvedSimulatorOptions {
  readonly tape: string;
  readonly host: string;
  readonly ports: Readonly<Record<Channel, number>>;
  readonly pacing: Pacing;
  readonly start: StartMode;
  readonly seed: number;
  readonly maxQueueBytes: number;
  readonly exitAtEnd: boolean;
  readonly statsFile: string | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sendPath: SendPathFactory | null;
  readonly faults: FaultInjector | null;
  readonly maxSymbols: number | null;
  readonly probe: PacingProbe | null;
  readonly onEvent: (event: SimulatorEvent) => void;
  readonly sliceLines: number;
  readonly spinUs: number;
  readonly batchSize: number;
  /** Bytes per tape read: large for `--speed max`, small when paced (see PACED_READ). */
  readonly readChunkBytes: number;
  readonly checkpointEvery: number;
  readonly holdWhenUnwatched: boolean;
  readonly waitForClients: boolean;
  readonly progressEvery: number;
  readonly stuckAfterMs: number;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  speed: 1,
  start: 'first-watch' as StartMode,
  seed: 1,
  maxQueueKb: 4096,
  sliceLines: 2048,
  spinUsSystemClock: 1500,
  batchSize: 4096,
  checkpointEvery: 100_000,
  stuckAfterMs: 10_000,
} as const;

/**
 * Tape reading while paced: the reader decodes and splits the tape on the replay's own thread,
 * and a batch of 4096 lines from a whole 1 MiB read once stalled the send loop for 10–15 ms
 * (every line due meanwhile left late: most of the pacing error at --rate 10000). 256 lines from
 * reads of one parser piece is well under a millisecond; `--speed max` keeps the large batches
 * and reads, where only throughput counts.
 */
export const PACED_READ = { batchSize: 256, readChunkBytes: PARSE_PIECE_BYTES } as const;

export const START_MODES: readonly StartMode[] = ['first-watch', 'now', 'all-watched'];

export function resolveOptions(options: SimulatorOptions): ResolvedSimulatorOptions {
  if (!options.tape) throw usageError('a tape is required', 'pass --tape FILE');
  const ports: Record<Channel, number> = { ...DEFAULT_PORTS };
  for (const ch of ['L1', 'L2', 'ADMIN'] as const) {
    const p = options.ports?.[ch];
    if (p !== undefined) ports[ch] = checkPort(p, ch);
  }
  const start = options.start ?? DEFAULTS.start;
  if (!START_MODES.includes(start)) {
    throw usageError(`unknown start mode ${JSON.stringify(start)}: expected ${START_MODES.join(', ')}`);
  }
  const clock = options.clock ?? systemClock;
  const pacing = resolvePacing(options.speed, options.rate);
  const seed = checkInteger(options.seed ?? DEFAULTS.seed, 'seed', 0);
  const faults = options.faults ? new FaultInjector({ spec: options.faults, seed }) : null;
  return {
    tape: options.tape,
    host: options.host ?? DEFAULTS.host,
    ports,
    pacing,
    start,
    seed,
    maxQueueBytes: checkPositive(options.maxQueueKb ?? DEFAULTS.maxQueueKb, 'max-queue-kb') * 1024,
    exitAtEnd: options.exitAtEnd ?? false,
    statsFile: options.statsFile ?? null,
    clock,
    logger: options.logger ?? silentLogger,
    sendPath: options.sendPath ?? faults?.sendPaths ?? null,
    faults,
    maxSymbols: options.maxSymbols === undefined ? null : checkInteger(options.maxSymbols, 'max-symbols', 1),
    probe: options.probe ?? null,
    onEvent: options.onEvent ?? (() => {}),
    sliceLines: checkInteger(options.sliceLines ?? DEFAULTS.sliceLines, 'sliceLines', 1),
    spinUs: options.spinUs ?? (clock === systemClock ? DEFAULTS.spinUsSystemClock : 0),
    batchSize: checkInteger(
      options.batchSize ?? (pacing.kind === 'max' ? DEFAULTS.batchSize : PACED_READ.batchSize),
      'batchSize',
      1,
    ),
    readChunkBytes: pacing.kind === 'max' ? DEFAULT_READ_CHUNK_BYTES : PACED_READ.readChunkBytes,
    checkpointEvery: checkInteger(options.checkpointEvery ?? DEFAULTS.checkpointEvery, 'checkpointEvery', 1),
    holdWhenUnwatched: options.holdWhenUnwatched ?? false,
    waitForClients: options.waitForClients ?? false,
    progressEvery: checkInteger(options.progressEvery ?? 0, 'progress-every', 0),
    stuckAfterMs: checkInteger(options.stuckAfterMs ?? DEFAULTS.stuckAfterMs, 'stuck-after-ms', 1),
  };
}

function resolvePacing(speed: number | 'max' | undefined, rate: number | undefined): Pacing {
  if (rate !== undefined) {
    if (speed !== undefined) throw usageError('use --speed or --rate, not both');
    return { kind: 'rate', linesPerSecond: checkPositive(rate, 'rate') };
  }
  if (speed === 'max') return { kind: 'max' };
  return { kind: 'speed', factor: checkPositive(speed ?? DEFAULTS.speed, 'speed') };
}

/** `--speed` text: `max` or a positive number. */
export function parseSpeed(text: string): number | 'max' {
  if (text.trim().toLowerCase() === 'max') return 'max';
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw usageError(
      `--speed must be a positive number or "max", got ${JSON.stringify(text)}`,
      'e.g. --speed 10',
    );
  }
  return n;
}

export function parseStartMode(text: string): StartMode {
  const t = text.trim().toLowerCase();
  const mode = START_MODES.find((m) => m === t);
  if (!mode) {
    throw usageError(`--start must be one of ${START_MODES.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return mode;
}

/** A numeric flag as text → number, or a usage error naming the flag. */
export function parseNumberFlag(text: string, flag: string, min: number, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw usageError(
      `${flag} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

function checkPort(port: number, channel: Channel): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`port for ${channel} must be an integer 0–65535 (0 picks a free port), got ${port}`);
  }
  return port;
}

function checkPositive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${name} must be a positive number, got ${n}`);
  return n;
}

function checkInteger(n: number, name: string, min: number): number {
  if (!Number.isInteger(n) || n < min) throw usageError(`${name} must be an integer ≥ ${min}, got ${n}`);
  return n;
}
